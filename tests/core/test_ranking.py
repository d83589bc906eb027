"""Pain-pattern ranking: properties that must hold for every muscle in the knowledge base."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taut.core.errors import UnknownZoneError
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import KnowledgeBase, Side
from taut.core.reasoning.chart import ChartError, build_chart
from taut.core.reasoning.ranking import explain_set, levels_for, palpation_order, rank

BASE = load_base()


def _essential_chart(base: KnowledgeBase, muscle_id: str, side: Side) -> list[tuple[str, int | None, str | None]]:
    levels = levels_for(base, muscle_id, side)
    return [(z, 7, None) for z, level in sorted(levels.items()) if level == "essential"]


@pytest.mark.parametrize("muscle_id", sorted(BASE.muscles))
def test_a_chart_of_a_muscles_essential_pattern_ranks_it_near_the_top(muscle_id: str) -> None:
    """Drawing exactly a muscle's essential zones puts that muscle in the top five."""
    chart = build_chart(BASE, _essential_chart(BASE, muscle_id, Side.LEFT))
    ranked = rank(BASE, chart)
    top = [c.muscle for c in ranked[:5]]
    assert muscle_id in top, f"{muscle_id} ranked {[c.muscle for c in ranked].index(muscle_id) + 1}: {top}"


def test_same_input_gives_same_output() -> None:
    marks = [("temple_l", 7, None), ("posterior_neck_l", 5, "aching"), ("jaw_angle_l", 3, None)]
    first = rank(BASE, build_chart(BASE, marks, mechanism="rear_end_collision"))
    second = rank(BASE, build_chart(BASE, list(reversed(marks)), mechanism="rear_end_collision"))
    assert first == second


def test_probabilities_form_a_distribution() -> None:
    ranked = rank(BASE, build_chart(BASE, [("temple_r", 6, None), ("lateral_neck_r", 4, None)]))
    assert ranked
    assert sum(c.probability for c in ranked) == pytest.approx(1.0)
    assert [c.log_score for c in ranked] == sorted((c.log_score for c in ranked), reverse=True)


def test_explanation_names_explained_and_unexplained_zones() -> None:
    ranked = rank(BASE, build_chart(BASE, [("temple_l", 8, None), ("heel_l", 8, None)]))
    best = ranked[0]
    zones = {z for z, _ in best.explained} | set(best.unexplained)
    assert zones == {"temple_l", "heel_l"}
    assert best.unexplained, "no single muscle refers to both the temple and the heel"
    assert "unexplained" in best.why


def test_referral_side_follows_the_muscle_side() -> None:
    left = rank(BASE, build_chart(BASE, [("temple_l", 7, None), ("posterior_neck_l", 7, None)]))
    assert left[0].side == "left"
    right = rank(BASE, build_chart(BASE, [("temple_r", 7, None), ("posterior_neck_r", 7, None)]))
    assert right[0].side == "right"


def test_supporting_symptom_raises_a_muscle_that_lists_it() -> None:
    muscle = next(m for m in BASE.muscles.values() if set(m.symptoms) - {"pain"})
    symptom = sorted(set(muscle.symptoms) - {"pain"})[0]
    marks = _essential_chart(BASE, muscle.id, Side.LEFT)[:1]
    without = {c.muscle: c.log_score for c in rank(BASE, build_chart(BASE, marks))}
    with_symptom = {c.muscle: c.log_score for c in rank(BASE, build_chart(BASE, marks, symptoms=[symptom]))}
    assert with_symptom[muscle.id] > without[muscle.id]


def test_explaining_set_covers_a_two_source_pattern() -> None:
    ids = sorted(BASE.muscles)
    a, b = ids[0], ids[-1]
    marks = _essential_chart(BASE, a, Side.LEFT) + _essential_chart(BASE, b, Side.LEFT)
    chart = build_chart(BASE, marks)
    result = explain_set(BASE, chart, rank(BASE, chart))
    assert result.coverage >= 0.9
    assert 1 <= len(result.members) <= 4
    ordered = palpation_order(BASE, result.members)
    assert sorted(c.muscle for c in ordered) == sorted(c.muscle for c in result.members)


@pytest.mark.parametrize(
    ("marks", "field"),
    [
        ([], "pain"),
        ([("temple_l", 11, None)], "intensity"),
        ([("temple_l", -1, None)], "intensity"),
        ([("temple_l", 5, "itchy")], "quality"),
    ],
)
def test_bad_charts_name_the_field(marks: list[tuple[str, int | None, str | None]], field: str) -> None:
    with pytest.raises(ChartError) as caught:
        build_chart(BASE, marks)
    assert caught.value.field == field


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(UnknownZoneError):
        build_chart(BASE, [("templ_l", 5, None)])


def test_unknown_mechanism_lists_the_known_ones() -> None:
    with pytest.raises(ChartError, match="rear_end_collision"):
        build_chart(BASE, [("temple_l", 5, None)], mechanism="meteor strike")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(sorted(BASE.zones)), min_size=1, max_size=8), st.integers(0, 10))
def test_any_chart_ranks_without_error_and_deterministically(zones: list[str], level: int) -> None:
    chart = build_chart(BASE, [(z, level, None) for z in zones])
    ranked = rank(BASE, chart)
    assert ranked == rank(BASE, chart)
    for c in ranked:
        assert 0.0 <= c.probability <= 1.0
        assert 0.0 <= c.coverage <= 1.0


def test_easing_movements_are_recorded_with_the_chart_and_checked() -> None:
    """Easing movements are kept with the chart (not yet weighed); unknown ones are refused."""
    chart = build_chart(BASE, [("temple_l", 5, None)], easing=["cervical rotation"])
    assert {m.value for m in chart.easing} == {"cervical_rotation"}
    with pytest.raises(ChartError) as caught:
        build_chart(BASE, [("temple_l", 5, None)], easing=["dancing"])
    assert caught.value.field == "easing"
