"""The neural differential and red flags, on cases written for them."""

from __future__ import annotations

import pytest

from taut.core.knowledge.loader import load_base
from taut.core.reasoning.analysis import analyse
from taut.core.reasoning.chart import ChartError, build_chart
from taut.core.reasoning.neural import NeuralFinding, differential
from taut.core.reasoning.redflags import resolve, screen

BASE = load_base()


def _neural(
    zones: list[str], quality: str = "tingling", extra: list[tuple[str, int, str]] | None = None
) -> tuple[NeuralFinding, ...]:
    marks: list[tuple[str, int | None, str | None]] = [(z, 5, quality) for z in zones]
    marks += extra or []
    return differential(BASE, build_chart(BASE, marks))


@pytest.mark.parametrize(
    ("root", "side"),
    [("C6", "r"), ("L5", "l"), ("S1", "l")],
)
def test_a_dermatomal_pattern_with_spinal_pain_names_its_root_first(root: str, side: str) -> None:
    """Numbness over exactly a dermatome, with pain at that level of the spine, is read as that root."""
    zones = [f"{z}_{side}" if f"{z}_{side}" in BASE.zones else z for z in BASE.dermatomes[root].zones]
    spine = {"C": "posterior_neck", "L": "lumbar_paraspinal", "S": "lumbar_paraspinal"}[root[0]]
    findings = _neural(zones, extra=[(f"{spine}_{side}", 6, "aching")])
    assert findings, "a neural pattern must give a differential"
    assert findings[0].kind == "root"
    assert findings[0].structure == root
    assert findings[0].tests, "a root finding names the tests that would confirm it"


def test_fingers_only_median_numbness_favours_the_carpal_tunnel() -> None:
    findings = _neural(["thumb_palmar_r", "index_palmar_r", "middle_palmar_r"], "numbness")
    top = findings[0]
    assert top.structure == "median"
    assert "carpal tunnel" in top.site.lower()
    assert top.kind == "fibro_osseous"
    assert {"phalen", "tinel_wrist"} <= set(top.tests)


def test_numb_thenar_and_palm_points_above_the_tunnel_to_pronator_teres() -> None:
    """The palmar branch leaves above the tunnel: palm numbness rules the carpal tunnel out."""
    findings = _neural(["thenar_r", "palm_r", "thumb_palmar_r", "index_palmar_r", "middle_palmar_r"], "numbness")
    median = [f for f in findings if f.structure == "median"]
    assert median[0].muscle == "pronator_teres"
    assert median[0].kind == "soft_tissue"
    tunnel = [f for f in median if "carpal tunnel" in f.site.lower()]
    assert not tunnel or tunnel[0].score < median[0].score
    assert "pronator_compression" in median[0].tests


def test_l5_and_s1_territories_with_buttock_pain_point_to_the_sciatic_nerve_at_piriformis() -> None:
    zones = ["leg_lateral_l", "foot_dorsum_l", "great_toe_l", "foot_lateral_l", "heel_l", "plantar_arch_l"]
    findings = _neural(zones, extra=[("buttock_lower_l", 6, "aching")])
    assert findings[0].structure == "sciatic"
    assert findings[0].muscle == "piriformis"
    assert "fair_test" in findings[0].tests


def test_an_l5_only_pattern_with_back_pain_names_the_root_above_the_piriformis() -> None:
    findings = _neural(["leg_lateral_l", "foot_dorsum_l", "great_toe_l"], extra=[("lumbar_paraspinal_l", 6, "aching")])
    order = [(f.kind, f.structure) for f in findings]
    assert order[0] == ("root", "L5")
    piriformis = [i for i, f in enumerate(findings) if f.muscle == "piriformis"]
    assert not piriformis or piriformis[0] > 0


def test_no_neural_quality_means_no_differential() -> None:
    assert _neural(["thumb_palmar_r", "index_palmar_r"], "aching") == ()


def test_red_flags_stop_the_analysis_before_any_candidate() -> None:
    chart = build_chart(BASE, [("lumbar_paraspinal_l", 7, None)], red_flags=["saddle anaesthesia", "night pain"])
    result = analyse(BASE, chart)
    assert result.stop
    assert result.red_flags[0].id == "saddle_anaesthesia", "the most urgent flag comes first"
    assert result.red_flags[0].urgency == "emergency"
    assert result.candidates, "the ranking is still given, for the referral letter"


def test_a_chart_without_flags_does_not_stop_but_lists_what_to_ask() -> None:
    result = analyse(BASE, build_chart(BASE, [("lumbar_paraspinal_l", 7, None)]))
    assert not result.stop
    assert "saddle_anaesthesia" in result.ask_about


@pytest.mark.parametrize("text", ["saddle_anaesthesia", "Saddle anesthesia", "numb groin or buttocks"])
def test_red_flags_are_found_by_id_name_or_synonym(text: str) -> None:
    assert resolve(BASE, text).id == "saddle_anaesthesia"


def test_an_unknown_red_flag_is_an_error_with_suggestions() -> None:
    with pytest.raises(ChartError, match="not a red flag"):
        screen(BASE, ("purple toes",))
