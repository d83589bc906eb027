"""Movement files (posture and gait): integrity rules point at the line and say how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from taut.core.errors import InvalidKnowledgeBaseError, KnowledgeBaseError, UnknownEntryError
from taut.core.knowledge import load_base, load_uncached
from taut.core.knowledge.queries import (
    export,
    movement_curve,
    movement_finding,
    movement_measure,
    movement_measures,
    movement_patterns_for,
    stats,
)

from .conftest import Breaker, line_of

POSTURE = "movement/posture.yaml"

# (old, new, marker of the expected line, words in the message, words in the fix)
RULES = [
    pytest.param(
        "  short: [pectoralis_major, pectoralis_minor]\n",
        "  short: [pectoralis_major, pectoralis_minr]\n",
        "pectoralis_minr]",
        ["'pectoralis_minr'", "muscles/"],
        ["add muscles/pectoralis_minr.yaml"],
        id="finding-muscle-exists",
    ),
    pytest.param(
        "  low: {finding: protracted_shoulders}",
        "  low: {finding: rounded_shoulder}",
        "{finding: rounded_shoulder}",
        ["'rounded_shoulder'", "not defined"],
        ["findings:"],
        id="measure-finding-exists",
    ),
    pytest.param(
        "  patterns: [upper_crossed]\n",
        "  patterns: [upper_cross]\n",
        "[upper_cross]",
        ["'upper_cross'", "pattern"],
        ["patterns:"],
        id="finding-pattern-exists",
    ),
    pytest.param(
        "  findings: [forward_head, protracted_shoulders]",
        "  findings: [forward_head, protracted_shoulder]",
        "protracted_shoulder]",
        ["'protracted_shoulder'", "not defined"],
        ["findings:"],
        id="pattern-finding-exists",
    ),
    pytest.param(
        "  - {source: munro_2012_fppa_reliability,",
        "  - {source: munro_2012,",
        "{source: munro_2012,",
        ["'munro_2012'", "sources.yaml"],
        ["add the source to sources.yaml"],
        id="source-exists",
    ),
    pytest.param(
        "  views: [front, back]\n  unit: degrees\n  normal: {low: null, high: 0.0}\n  error: 3.0\n"
        "  high: {finding: head_tilt}",
        "  views: [front, sagittal]\n  unit: degrees\n  normal: {low: null, high: 0.0}\n  error: 3.0\n"
        "  high: {finding: head_tilt}",
        "views: [front, sagittal]",
        ["'sagittal'", "posture measure"],
        ["front, back, left, right"],
        id="views-fit-kind",
    ),
    pytest.param(
        "  normal: {low: 43.0, high: null}",
        "  normal: {low: null, high: null}",
        "low: {finding: protracted_shoulders}",
        ["never be raised", "normal.low"],
        ["set `normal.low`"],
        id="flag-can-fire",
    ),
    pytest.param(
        "  unit: percent\n  normal: {low: null, high: 0.0}\n  error: 2.0\n  high: {finding: pelvis_forward}",
        "  unit: inches\n  normal: {low: null, high: 0.0}\n  error: 2.0\n  high: {finding: pelvis_forward}",
        "unit: inches",
        ["unit", "'inches'"],
        ["allowed values"],
        id="unit-known",
    ),
    pytest.param(
        "  findings: [forward_head, protracted_shoulders]\n  min_findings: 2",
        "  findings: [forward_head, protracted_shoulders]\n  min_findings: 3",
        "min_findings: 3",
        ["min_findings", "never be suggested"],
        ["lower `min_findings`"],
        id="pattern-reachable",
    ),
    pytest.param(
        "  normal: {low: 50.0, high: null}",
        "  normal: {low: 50.0, high: null}\n  eror: 2.0",
        "eror: 2.0",
        ["eror", "Extra inputs"],
        ["remove the key `eror`"],
        id="misspelt-key",
    ),
]


@pytest.mark.parametrize(("old", "new", "marker", "what", "fix"), RULES)
def test_movement_rule_points_at_the_line(
    break_file: Breaker, old: str, new: str, marker: str, what: list[str], fix: list[str]
) -> None:
    """Each broken posture entry yields one located error naming the problem and the fix."""
    errors, text = break_file(POSTURE, old, new)
    assert errors, "the defect was not detected"
    error = errors[0]
    assert error.file == POSTURE
    assert error.line == line_of(text, marker)
    for word in what:
        assert word in error.what
    for word in fix:
        assert word in error.how_to_fix
    assert error.message.startswith(f"{POSTURE}:{error.line}: ")


def load_errors(data_copy: Path, name: str, text: str) -> list[KnowledgeBaseError]:
    path = data_copy / "movement" / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidKnowledgeBaseError) as caught:
        load_uncached(data_copy)
    return list(caught.value.errors)


CURVE = """curves:
- id: test_knee_curve
  name: Test knee curve
  unit: degrees
  points:
  - [0, 5.0, 4.0]
  - [{p1}, 18.0, 5.0]
  - [{p2}, 10.0, {sd}]
  sources: [kendall_muscles_5e]
"""


@pytest.mark.parametrize(
    ("p1", "p2", "sd", "words", "fix", "marker"),
    [
        (50, 40, 3.0, "does not come after", "strictly increasing", "- [40"),
        (50, 50, 3.0, "does not come after", "strictly increasing", "- [50, 10.0"),
        (50, 120, 3.0, "outside the gait cycle", "0 to 100", "- [120"),
        (50, 90, -1.0, "negative", "0 or more", "- [90"),
    ],
    ids=["decreasing", "repeated", "beyond-100", "negative-sd"],
)
def test_curve_points_run_forward(
    data_copy: Path, p1: int, p2: int, sd: float, words: str, fix: str, marker: str
) -> None:
    """Curve percents must rise strictly within 0..100 and sds be non-negative; the bad point's line is named."""
    text = CURVE.format(p1=p1, p2=p2, sd=sd)
    errors = load_errors(data_copy, "curves_test.yaml", text)
    assert len(errors) == 1
    assert errors[0].file == "movement/curves_test.yaml"
    assert errors[0].line == line_of(text, marker)
    assert words in errors[0].what
    assert fix in errors[0].how_to_fix


def test_ids_are_unique_across_movement_files(data_copy: Path) -> None:
    """A measure id used in two files is reported at the second, naming the first."""
    text = (
        "measures:\n- id: craniovertebral_angle\n  name: Again\n  kind: posture\n  views: [left]\n"
        "  unit: degrees\n  normal: {low: 50.0, high: null}\n  sources: [yip_2008_cva_neck_pain]\n"
    )
    errors = load_errors(data_copy, "zz_again.yaml", text)
    assert [e.file for e in errors] == ["movement/zz_again.yaml"]
    assert "used twice" in errors[0].what
    assert "movement/posture.yaml:" in errors[0].what
    assert errors[0].line == 2


def test_unknown_top_level_key(data_copy: Path) -> None:
    """A misspelt section name is an error, not silently ignored."""
    errors = load_errors(data_copy, "typo.yaml", "paterns: []\n")
    assert len(errors) == 1
    assert "`paterns`" in errors[0].what
    assert "`patterns`" in errors[0].how_to_fix


def test_gait_views_and_bare_source_ids_load(data_copy: Path) -> None:
    """A gait file citing bare source ids, with a sagittal measure and a curve, loads and is queryable."""
    (data_copy / "movement" / "gait_test.yaml").write_text(
        "measures:\n- id: test_cadence\n  name: Cadence\n  kind: gait\n  views: [sagittal, frontal]\n"
        "  unit: steps/min\n  normal: {low: 100.0, high: 125.0}\n  sources: [kendall_muscles_5e]\n"
        + CURVE.format(p1=50, p2=90, sd=2.0),
        encoding="utf-8",
    )
    base = load_uncached(data_copy)
    assert movement_measure(base, "test_cadence").source_ids == ("kendall_muscles_5e",)
    frontal = movement_measures(base, "gait", "frontal")
    assert "test_cadence" in [m.id for m in frontal]
    assert all(m.kind == "gait" and "frontal" in m.views for m in frontal)
    assert movement_curve(base, "test_knee_curve").points[1] == (50.0, 18.0, 5.0)
    assert "movement/gait_test.yaml" in base.files


def test_unknown_bare_source_id_is_reported(data_copy: Path) -> None:
    """A bare source id that is not in sources.yaml is reported at its line."""
    text = CURVE.format(p1=50, p2=90, sd=2.0).replace("[kendall_muscles_5e]", "[kendal]")
    errors = load_errors(data_copy, "gait_test.yaml", text)
    assert len(errors) == 1
    assert "'kendal'" in errors[0].what
    assert errors[0].line == line_of(text, "sources:")


# ------------------------------------------------------------------ queries on the bundled data


def test_posture_measures_by_view() -> None:
    """Front views get the frontal measures, side views the sagittal ones."""
    base = load_base()
    front = {m.id for m in movement_measures(base, "posture", "front")}
    side = {m.id for m in movement_measures(base, "posture", "left")}
    assert {"head_tilt", "shoulder_tilt", "pelvic_obliquity", "trunk_lateral_shift", "knee_frontal_angle",
            "weight_line_offset"} <= front  # fmt: skip
    assert {"craniovertebral_angle", "craniovertebral_angle_proxy", "shoulder_c7_angle", "knee_hyperextension",
            "body_sway_angle", "plumb_ear_offset"} <= side  # fmt: skip
    assert not front & side


def test_unknown_movement_ids_suggest_close_ones() -> None:
    """A misspelt id raises UnknownEntryError with the close ids."""
    base = load_base()
    with pytest.raises(UnknownEntryError) as caught:
        movement_measure(base, "craniovertebral_angel")
    assert "craniovertebral_angle" in caught.value.suggestions
    with pytest.raises(UnknownEntryError):
        movement_finding(base, "forward_hed")
    with pytest.raises(UnknownEntryError):
        movement_curve(base, "no_such_curve")


@pytest.mark.parametrize(
    ("findings", "patterns"),
    [
        (["forward_head", "protracted_shoulders"], {"upper_crossed": 2}),
        (["forward_head"], {}),
        (["pelvis_forward", "knee_hyperextension"], {"sway_back": 2}),
        (["anterior_pelvic_tilt"], {"lower_crossed": 1}),
        ([], {}),
    ],
)
def test_patterns_need_their_minimum_findings(findings: list[str], patterns: dict[str, int]) -> None:
    """A pattern is suggested once at least `min_findings` of its findings are present."""
    got = movement_patterns_for(load_base(), findings)
    assert {p.id: len(matched) for p, matched in got} == patterns


def test_lower_crossed_is_never_raised_from_a_photo() -> None:
    """No posture measure raises anterior pelvic tilt: 2D landmarks cannot measure it."""
    base = load_base()
    raised = {flag.finding for m in base.movement_measures.values() for flag in (m.low, m.high) if flag}
    assert "anterior_pelvic_tilt" not in raised
    assert "cannot" in base.movement_patterns["lower_crossed"].note


def test_stats_and_export_count_movement_entries() -> None:
    """`kb stats` counts movement entries and `kb export` carries them."""
    base = load_base()
    counts = stats(base)
    assert counts["movement_measures"] == len(base.movement_measures) > 0
    assert counts["movement_patterns"] == len(base.movement_patterns)
    data = export(base)
    assert {m["id"] for m in data["movement"]["measures"]} == set(base.movement_measures)
    assert counts["facts"] == counts["facts_cited"]
