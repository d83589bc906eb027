"""Special-test results weigh the neural differential: a positive test aimed at a finding raises its
score by the test's positive likelihood ratio, a negative one lowers it, and the finding says why."""

from __future__ import annotations

from typing import Any

import pytest

from taut.core.knowledge.loader import load_base
from taut.core.reasoning.analysis import analyse
from taut.core.reasoning.chart import ChartError, PainChart, build_chart
from taut.core.reasoning.findings import (
    DEFAULT_LR_NEGATIVE,
    DEFAULT_LR_POSITIVE,
    Outcome,
    SpecialResult,
    likelihood_ratios,
    read_results,
    resolve_test,
    weigh,
)
from taut.core.reasoning.neural import NeuralFinding, differential

BASE = load_base()
FINGERS_R = ["thumb_palmar_r", "index_palmar_r", "middle_palmar_r"]
L5_LEFT = [("leg_lateral_l", 5, "tingling"), ("foot_dorsum_l", 5, "tingling"), ("great_toe_l", 5, "tingling")]


def carpal_chart() -> PainChart:
    return build_chart(BASE, [(z, 5, "numbness") for z in FINGERS_R])


def l5_chart() -> PainChart:
    return build_chart(BASE, [*L5_LEFT, ("lumbar_paraspinal_l", 6, "aching")])


def tunnel(findings: tuple[NeuralFinding, ...]) -> NeuralFinding:
    return next(f for f in findings if f.structure == "median" and "carpal tunnel" in f.site.lower())


def neural(chart: PainChart, tests: list[dict[str, Any]]) -> tuple[NeuralFinding, ...]:
    return analyse(BASE, chart, tests=tests).neural


def test_phalen_positive_raises_the_carpal_tunnel_and_negative_lowers_it() -> None:
    """With fingers-only median numbness, a positive Phalen on that side multiplies the carpal tunnel
    finding's score by 2 (no published accuracy) and names it; a negative one halves it."""
    before = tunnel(neural(carpal_chart(), []))
    up = tunnel(neural(carpal_chart(), [{"test": "phalen", "side": "right", "result": "positive"}]))
    down_all = neural(carpal_chart(), [{"test": "phalen", "side": "right", "result": "negative"}])
    assert up.score == pytest.approx(before.score * DEFAULT_LR_POSITIVE, abs=1e-3)
    assert up.prior_score == before.score
    assert up.confirmed_by == ("phalen",)
    assert up.argued_against_by == ()
    assert any("Phalen test positive (right)" in e for e in up.evidence)
    assert before.confirmed_by == ()
    assert before.prior_score is None
    assert all(f.confirmed_by == () for f in down_all)
    kept = tunnel(down_all)  # kept in the list, below the others, though it falls out of the best six
    assert kept.argued_against_by == ("phalen",)
    assert down_all[-1] == kept
    full = weigh(
        BASE, differential(BASE, carpal_chart(), limit=None), [SpecialResult("phalen", "right", Outcome.NEGATIVE)]
    )
    assert tunnel(full).score == pytest.approx(before.score * DEFAULT_LR_NEGATIVE, abs=1e-3)
    assert tunnel(full).score < before.score


def test_a_negative_phalen_lets_another_median_site_lead() -> None:
    """Untested, the carpal tunnel leads; after a negative Phalen a site Phalen does not test leads instead."""
    assert "carpal tunnel" in neural(carpal_chart(), [])[0].site.lower()
    top = neural(carpal_chart(), [{"test": "phalen", "side": "right", "result": "negative"}])[0]
    assert "carpal tunnel" not in top.site.lower()
    assert top.argued_against_by == ()


def test_phalen_does_not_weigh_a_median_site_it_does_not_test() -> None:
    """A positive Phalen names the carpal tunnel only: the pronator teres finding keeps its score."""
    before = {(f.structure, f.site): f.score for f in differential(BASE, carpal_chart(), limit=None)}
    after = weigh(
        BASE, differential(BASE, carpal_chart(), limit=None), [SpecialResult("phalen", "right", Outcome.POSITIVE)]
    )
    pronator = next(f for f in after if f.muscle == "pronator_teres")
    assert pronator.score == before[(pronator.structure, pronator.site)]
    assert pronator.confirmed_by == ()


def test_a_test_on_the_other_side_does_not_weigh_the_finding() -> None:
    """Right-hand symptoms: a positive Phalen on the left changes nothing; a midline result applies."""
    before = tunnel(neural(carpal_chart(), []))
    left = tunnel(neural(carpal_chart(), [{"test": "phalen", "side": "left", "result": "positive"}]))
    midline = tunnel(neural(carpal_chart(), [{"test": "phalen", "side": "midline", "result": "positive"}]))
    assert before.sides == ("right",)
    assert left.score == before.score
    assert left.evidence == ()
    assert midline.score > before.score


def test_slr_positive_raises_the_l5_root_and_not_the_median_nerve() -> None:
    """A positive straight leg raise weighs the L5 (and S1) root by its published LR+ = sens / (1 - spec),
    and no median nerve finding."""
    slr = BASE.special_tests["straight_leg_raise"]
    assert slr.sensitivity is not None
    assert slr.specificity is not None
    lr_pos = slr.sensitivity / (1 - slr.specificity)
    before = {f.structure: f for f in neural(l5_chart(), []) if f.kind == "root"}
    after = {
        f.structure: f
        for f in neural(l5_chart(), [{"test": "SLR", "side": "left", "result": "positive"}])
        if f.kind == "root"
    }
    assert after["L5"].score == pytest.approx(before["L5"].score * lr_pos, abs=1e-3)
    assert after["L5"].confirmed_by == ("straight_leg_raise",)
    assert "published" in after["L5"].evidence[0]
    s1_chart = build_chart(BASE, [(z, 5, "numbness") for z in ("foot_lateral_l", "heel_l")])
    s1 = list(neural(s1_chart, [{"test": "straight_leg_raise", "side": "left", "result": "positive"}]))
    assert any(f.structure == "S1" and f.confirmed_by == ("straight_leg_raise",) for f in s1)
    hand = weigh(
        BASE,
        differential(BASE, carpal_chart(), limit=None),
        [SpecialResult("straight_leg_raise", "right", Outcome.POSITIVE)],
    )
    assert hand == differential(BASE, carpal_chart(), limit=None)
    assert all(f.confirmed_by == () for f in hand if f.structure == "median")


def test_likelihood_ratios_come_from_sensitivity_and_specificity_or_the_default() -> None:
    """LR+ = sens/(1-spec), LR- = (1-sens)/spec where the base cites both; otherwise x2 and x0.5."""
    slr = BASE.special_tests["straight_leg_raise"]
    assert slr.sensitivity is not None
    assert slr.specificity is not None
    pos, neg, published = likelihood_ratios(slr)
    assert published
    assert pos == pytest.approx(slr.sensitivity / (1 - slr.specificity), abs=1e-3)
    assert neg == pytest.approx((1 - slr.sensitivity) / slr.specificity, abs=1e-3)
    assert likelihood_ratios(BASE.special_tests["phalen"]) == (DEFAULT_LR_POSITIVE, DEFAULT_LR_NEGATIVE, False)


def test_an_equivocal_result_is_listed_but_not_weighed() -> None:
    before = tunnel(neural(carpal_chart(), []))
    after = tunnel(neural(carpal_chart(), [{"test": "phalen", "side": "right", "result": "equivocal"}]))
    assert after.score == before.score
    assert after.confirmed_by == ()
    assert after.argued_against_by == ()
    assert after.evidence == ("Phalen test equivocal (right): not weighed",)


def test_no_results_leave_the_differential_unchanged() -> None:
    """Without test results analyse gives exactly the plain differential (same findings, same order)."""
    for chart in (carpal_chart(), l5_chart()):
        assert analyse(BASE, chart).neural == differential(BASE, chart)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("phalens", "phalen"), ("straight leg rise", "straight_leg_raise"), ("spurlin", "spurling")],
)
def test_unknown_test_ids_are_refused_with_suggestions(text: str, suggestion: str) -> None:
    """A test the knowledge base does not know is refused, naming the field and the nearest tests."""
    with pytest.raises(ChartError) as caught:
        analyse(BASE, carpal_chart(), tests=[{"test": text, "side": "right", "result": "positive"}])
    assert caught.value.field == "tests.0.test"
    assert "not a special test" in str(caught.value)
    assert f"({suggestion})" in str(caught.value)


def test_a_huge_test_name_is_refused_without_fuzzy_matching() -> None:
    with pytest.raises(ChartError, match="at most 100 characters") as caught:
        resolve_test(BASE, "phalen" * 100_000, "tests.3.test")
    assert caught.value.field == "tests.3.test"


def test_tests_are_found_by_name_and_synonym() -> None:
    assert resolve_test(BASE, "Phalen's test").id == "phalen"
    assert resolve_test(BASE, "Lasègue test").id == "straight_leg_raise"
    assert resolve_test(BASE, "phalen").id == "phalen"


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"test": "phalen", "side": "up", "result": "positive"}, "tests.0.side"),
        ({"test": "phalen", "side": "left", "result": "maybe"}, "tests.0.result"),
        ({"test": "", "side": "left", "result": "positive"}, "tests.0.test"),
        ({"test": 7, "side": "left", "result": "positive"}, "tests.0.test"),
        ({"side": "left", "result": "positive"}, "tests.0.test"),
        ("phalen", "tests.0"),
    ],
)
def test_bad_sides_results_and_shapes_are_refused(item: Any, field: str) -> None:
    with pytest.raises(ChartError) as caught:
        read_results(BASE, [item])
    assert caught.value.field == field


def test_a_test_given_twice_on_one_side_is_refused_and_results_are_sorted() -> None:
    twice = [
        {"test": "phalen", "side": "left", "result": "positive"},
        {"test": "Phalen test", "side": "left", "result": "negative"},
    ]
    with pytest.raises(ChartError, match="given twice"):
        read_results(BASE, twice)
    ok = read_results(
        BASE,
        [
            {"test": "tinel_wrist", "side": "RIGHT", "result": "Negative"},
            {"test": "Phalen test", "side": "left", "result": "positive"},
        ],
    )
    assert ok == (
        SpecialResult("phalen", "left", Outcome.POSITIVE),
        SpecialResult("tinel_wrist", "right", Outcome.NEGATIVE),
    )


def test_the_analysis_record_keeps_the_tests_it_weighed() -> None:
    """The JSON record carries the test results (inputs for recomputation) and each finding's evidence."""
    data = analyse(BASE, carpal_chart(), tests=[{"test": "phalen", "side": "right", "result": "positive"}]).to_dict()
    assert list(data["tests"]) == [{"test": "phalen", "side": "right", "result": "positive"}]
    assert data["neural"][0]["confirmed_by"] == ("phalen",)
    assert not analyse(BASE, carpal_chart()).to_dict()["tests"]
