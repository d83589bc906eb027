"""Pain-pattern ranking: properties that must hold for every muscle in the knowledge base."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taut.core.errors import UnknownZoneError
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import KnowledgeBase, Mechanism, Side, Symptom
from taut.core.reasoning import priors, ranking
from taut.core.reasoning.analysis import analyse
from taut.core.reasoning.chart import ChartError, PainChart, build_chart
from taut.core.reasoning.ranking import explain_set, group_rows, levels_for, palpation_order, percent, rank

BASE = load_base()


def _essential_chart(base: KnowledgeBase, muscle_id: str, side: Side) -> list[tuple[str, int | None, str | None]]:
    levels = levels_for(base, muscle_id, side)
    return [(z, 7, None) for z, level in sorted(levels.items()) if level == "essential"]


@pytest.mark.parametrize("muscle_id", sorted(BASE.muscles))
def test_a_chart_of_a_muscles_essential_pattern_ranks_it_near_the_top(muscle_id: str) -> None:
    """Drawing exactly a muscle's essential zones puts that muscle in the top five, or behind only
    muscles whose own pattern explains every one of those zones too (the cited base rate then
    decides: six other muscles refer to the front of the sole alone)."""
    chart = build_chart(BASE, _essential_chart(BASE, muscle_id, Side.LEFT))
    ranked = rank(BASE, chart)
    order = [c.muscle for c in ranked]
    place = order.index(muscle_id)
    if place < 5:
        return
    marked = {m.zone for m in chart.marks}
    above = ranked[:place]
    equal = [c for c in above if {z for z, _ in c.explained} == marked]
    assert len(equal) == len(above), f"{muscle_id} ranked {place + 1}: {order[:place]}"


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


# ---------------------------------------------------------------- one row per muscle, groups, prior, why


def _both(*zones: str) -> list[tuple[str, int | None, str | None]]:
    return [(f"{z}_{s}", 6, None) for z in zones for s in ("l", "r")]


def test_a_bilateral_chart_lists_each_muscle_once_with_both_sides() -> None:
    ranked = rank(BASE, build_chart(BASE, _both("temple", "posterior_neck", "occiput", "forehead")))
    muscles = [c.muscle for c in ranked]
    assert len(muscles) == len(set(muscles))
    assert ranked[0].sides == ("left", "right")
    assert ranked[0].side == "both"


def test_near_identical_members_of_a_group_share_one_row_in_their_own_order() -> None:
    chart = build_chart(BASE, _essential_chart(BASE, "rectus_capitis_posterior_major", Side.LEFT))
    ranked = rank(BASE, chart)
    rows = group_rows(BASE, ranked)
    row = next(r for r in rows if r.group == "suboccipitals")
    assert {c.muscle for c in row.members} == set(BASE.muscle_groups["suboccipitals"].members)
    assert [c.log_score for c in row.members] == sorted((c.log_score for c in row.members), reverse=True)
    assert row.probability == pytest.approx(sum(c.probability for c in row.members))
    assert sum(1 for r in rows for c in r.members if c.group == "suboccipitals") == 4


def test_members_with_different_patterns_keep_their_own_rows() -> None:
    """The rotator cuff muscles refer to different places: a supraspinatus chart does not pull the
    subscapularis into its row."""
    chart = build_chart(BASE, _essential_chart(BASE, "supraspinatus", Side.RIGHT))
    rows = group_rows(BASE, rank(BASE, chart))
    first = next(r for r in rows if any(c.muscle == "supraspinatus" for c in r.members))
    assert "subscapularis" not in {c.muscle for c in first.members}


def test_tension_type_headache_drawn_on_both_sides_puts_upper_trapezius_in_the_first_rows() -> None:
    """The prior is a cited base rate: the common culprit is not buried under rare deep muscles."""
    chart = build_chart(BASE, _both("temple", "forehead", "occiput", "posterior_neck"))
    rows = group_rows(BASE, rank(BASE, chart))
    first_three = [c.muscle for r in rows[:3] for c in r.members]
    assert "upper_trapezius" in first_three, [r.name for r in rows[:6]]


def test_the_prior_is_shown_in_the_why_and_in_the_score() -> None:
    chart = build_chart(BASE, [("temple_l", 6, None), ("lateral_neck_l", 6, None)])
    for c in rank(BASE, chart)[:10]:
        assert c.prior is not None
        assert f"prior {c.prior.factor:.2f}" in c.why
        assert c.prior.factor == pytest.approx(priors.PRIOR_FLOOR + c.prior.rate)


def test_a_selected_mechanism_is_named_but_no_condition_nobody_selected() -> None:
    chart = build_chart(
        BASE, [("lumbar_paraspinal_l", 6, None), ("buttock_upper_l", 6, None)], mechanism="prolonged_posture"
    )
    for c in rank(BASE, chart)[:15]:
        for condition in BASE.conditions.values():
            assert condition.name.lower() not in c.why.lower()
            assert f"({condition.id})" not in c.why


def test_exact_ties_say_why_they_are_ordered() -> None:
    chart = build_chart(BASE, [("lumbar_paraspinal_l", 6, None)])
    ranked = rank(BASE, chart)
    ties = [(a, b) for a, b in itertools.pairwise(ranked) if abs(a.log_score - b.log_score) < 1e-9]
    assert ties, "one low-back zone gives several muscles the same score"
    for above, here in ties:
        assert here.tie.startswith(f"same score as {above.name}")
        assert here.tie in here.why


ZONES = sorted(BASE.zones)
MECHANISMS = [None, *sorted(m.value for m in Mechanism)]
CONDITIONS = [None, *sorted(BASE.conditions)]


@st.composite
def charts(draw: st.DrawFn) -> PainChart:
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=10, unique=True))
    marks = [(z, draw(st.integers(0, 10)), None) for z in zones]
    return build_chart(
        BASE,
        marks,
        mechanism=draw(st.sampled_from(MECHANISMS)),
        condition=draw(st.sampled_from(CONDITIONS)),
        symptoms=draw(st.lists(st.sampled_from(sorted(s.value for s in Symptom)), max_size=2)),
    )


def _listed(why: str, head: str) -> list[str]:
    """The zone ids a why lists after ``head`` (ids, since no labels are given)."""
    for part in why.split("; "):
        if part.startswith(head):
            return part[len(head) :].split(", ")
    return []


@settings(max_examples=80, deadline=None)
@given(charts())
def test_every_number_in_a_why_is_the_one_the_score_used(chart: PainChart) -> None:
    """On any chart: one candidate per muscle; "explains N of M" names exactly N zones, and N plus
    the zones near the pattern plus the unexplained ones is M; the levels named are the muscle's;
    a muscle explaining every zone shows a probability above 0%; the palpation order holds shown
    muscles only and the first-ranked; nothing names a mechanism or condition nobody selected;
    ties say why; the rows hold every candidate once, members in their own order."""
    result = analyse(BASE, chart)
    shown = result.candidates
    assert len({c.muscle for c in shown}) == len(shown)
    sides = {"left": Side.LEFT, "right": Side.RIGHT}
    marked = {m.zone for m in chart.marks}
    for c in shown:
        why = c.why
        n, m = (int(x) for x in re.match(r"explains (\d+) of (\d+) marked zones", why).groups())  # type: ignore[union-attr]
        essential = _listed(why, "essential pattern covers ")
        spill = _listed(why, "spillover reaches ")
        site = _listed(why, "its trigger points lie under ")
        assert n == len(essential) + len(spill) + len(site) == len(c.explained)
        assert m == len(marked)
        assert n + len(c.near) + len(c.unexplained) == m
        assert set(essential) | set(spill) | set(site) | set(c.near) | set(c.unexplained) == marked
        levels = levels_for(BASE, c.muscle, sides.get(c.side, Side.MIDLINE))
        assert all(levels[z] == "essential" for z in essential)
        assert all(levels[z] == "spillover" for z in spill)
        assert all(levels[z] == "site" for z in site)
        assert all(levels[z] == "neighbour" for z in c.near)
        if n == m:
            assert c.probability > 0
            assert percent(c.probability) != "0%"
        assert c.prior is not None
        assert f"prior {c.prior.factor:.2f}" in why
        for f in c.findings:
            assert f"(x{f.factor:g})" in why
        for condition in BASE.conditions.values():
            if condition.id != chart.condition:
                assert condition.name not in why
        if chart.mechanism is None:
            assert "onset" not in why
    for above, here in itertools.pairwise(shown):
        if abs(above.log_score - here.log_score) < 1e-9 and above.group == here.group is None:
            assert here.tie
    if shown:
        order = [entry.split(":")[0] for entry in result.palpation_order]
        assert shown[0].muscle in order
        assert set(order) <= {c.muscle for c in shown}
        heads = {r.members[0].muscle for r in result.rows if r.probability >= ranking.CONTENDER}
        contenders = [c.muscle for c in shown[1:] if c.probability >= ranking.CONTENDER or c.muscle in heads][:3]
        assert set(contenders) <= set(order)
        assert [c.muscle for c in result.explaining] == order
    in_rows = [c for row in result.rows for c in row.members]
    assert in_rows == list(shown)
    for row in result.rows:
        assert [c.log_score for c in row.members] == sorted((c.log_score for c in row.members), reverse=True)
        if row.group is not None:
            assert all(c.group == row.group for c in row.members)


def test_every_real_contender_is_palpated() -> None:
    """The first-ranked and every candidate of probability >= CONTENDER are in the explaining set."""
    chart = build_chart(BASE, [("temple_l", 6, None), ("lateral_neck_l", 6, None), ("occiput_l", 6, None)])
    shown = rank(BASE, chart)[:15]
    chosen = {c.muscle for c in explain_set(BASE, chart, shown).members}
    contenders = [shown[0], *(c for c in shown[1:] if c.probability >= ranking.CONTENDER)][:4]
    assert {c.muscle for c in contenders} <= chosen


@settings(max_examples=40, deadline=None)
@given(charts())
def test_the_summed_likelihoods_equal_the_one_pattern_definition(chart: PainChart) -> None:
    """rank sums the marks' contributions over an index; it must equal _likelihood, the readable form."""
    found, _ = ranking.patterns(BASE)
    weights = tuple(ranking.evidence_weights(BASE, chart).items())
    every = list(range(len(found)))
    fast = ranking._likelihoods(BASE, weights, every)
    assert fast == pytest.approx([ranking._likelihood(weights, found[i]) for i in every], abs=1e-9)


def test_a_probable_group_row_is_palpated_through_its_first_member() -> None:
    """Four suboccipitals of 10% each are a 40% row: the first of them is palpated."""
    chart = build_chart(BASE, _both("temple", "occiput", "suboccipital"))
    result = analyse(BASE, chart)
    row = next(r for r in result.rows if r.group == "suboccipitals")
    assert row.probability >= ranking.CONTENDER
    assert row.members[0].muscle in [c.muscle for c in result.explaining]
