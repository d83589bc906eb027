"""Contiguous marks are pooled as one finding; separate regions still add up."""

from __future__ import annotations

from taut.core.knowledge.loader import load_base
from taut.core.reasoning import ranking
from taut.core.reasoning.chart import build_chart

BASE = load_base()


def _patch() -> tuple[str, ...]:
    for zone in sorted(BASE.zones):
        near = [n for n in BASE.zones[zone].neighbours if n in BASE.zones]
        if len(near) >= 2:
            return (zone, *sorted(near)[:2])
    raise AssertionError("no zone with two neighbours")


def test_three_adjacent_zones_count_less_than_three_independent_findings() -> None:
    zones = _patch()
    chart = build_chart(BASE, [(z, 10, None) for z in zones])
    weights = ranking.evidence_weights(BASE, chart)
    assert ranking.POOLING > 0
    assert sum(weights.values()) < 3 * chart.weight(chart.marks[0]) - 1e-6


def test_separate_regions_are_not_pooled() -> None:
    zones = sorted(BASE.zones)
    a = zones[0]
    b = next(
        z
        for z in zones
        if BASE.zones[z].base_id != BASE.zones[a].base_id
        and z not in BASE.zones[a].neighbours
        and a not in BASE.zones[z].neighbours
    )
    chart = build_chart(BASE, [(a, 10, None), (b, 10, None)])
    assert len(ranking.patches(BASE, [a, b])) == 2
    weights = ranking.evidence_weights(BASE, chart)
    mark = next(m for m in chart.marks if m.zone == a)
    assert weights[a] == chart.weight(mark)
