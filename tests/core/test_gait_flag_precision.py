"""A gait measure is flagged on the value the report prints: two sides that read alike (1.22 s and
1.22 s of stride time) are flagged alike (issue 13, item 6)."""

from __future__ import annotations

from taut.core.measures import gait


def _stride(left: float, right: float) -> gait.Metric:
    builder = gait._Builder(gait.movement())
    builder.add("stride_time", "Stride time", "s", [left], [right])
    (metric,) = builder.metrics
    return metric


def test_sides_printed_alike_are_flagged_alike() -> None:
    metric = _stride(1.2203, 1.2173)  # both print as 1.22
    assert (metric.left, metric.right) == (1.22, 1.22)
    assert metric.left_status == metric.right_status


def test_sides_printed_differently_can_still_differ() -> None:
    _low, high = gait._range(gait._norm(gait.movement(), "stride_time")) or (0.0, 0.0)
    error = gait.movement().measures["stride_time"].error or 0.0
    metric = _stride(high, high + error + 0.5)
    assert metric.left_status == "normal"
    assert metric.right_status == "high"
