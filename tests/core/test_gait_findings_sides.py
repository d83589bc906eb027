"""A measure flagged the same way on both sides gives one finding for both sides, not one per side."""

from taut.core.measures import gait


def test_both_sides_high_is_one_finding() -> None:
    """Stride time 1.30 s left and right (typical 1.0-1.2 s) names "both", once."""
    mv = gait.movement()
    spec = mv.measures["stride_time"]
    metric = gait.Metric(
        id="stride_time", name="Stride time", unit="s", value=1.3, left=1.3, right=1.3, n=6,
        normal=(1.0, 1.2), error=spec.error, status="high", left_status="high", right_status="high",
    )  # fmt: skip
    found = gait._findings([metric], mv)
    assert [(f.metric, f.side) for f in found] == [("stride_time", "both")]
