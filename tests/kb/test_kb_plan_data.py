"""The planning data of the knowledge base: exercises, techniques, care and precautions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from taut.core.bodymap.figures import figure_svg
from taut.core.errors import UnknownEntryError
from taut.core.knowledge import queries
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import DoseRange, KnowledgeBase

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def base() -> KnowledgeBase:
    return load_base()


def test_every_figure_renders_as_valid_svg(base: KnowledgeBase) -> None:
    """Each exercise with pose data draws an SVG with its title and at least two limbs."""
    drawn = [e for e in base.exercises.values() if e.figure is not None]
    assert drawn, "no exercise carries a figure yet"
    for exercise in drawn:
        assert exercise.figure is not None
        root = ET.fromstring(  # noqa: S314 (our own generated SVG)
            figure_svg(exercise.figure, title=exercise.name)
        )
        assert root.tag == f"{SVG}svg", exercise.id
        assert root.findtext(f"{SVG}title") == exercise.name
        limbs = [line for line in root.iter(f"{SVG}line") if line.get("class") == "limb"]
        assert len(limbs) >= 2, f"{exercise.id}: the figure draws fewer than two limbs"


def test_figure_title_is_escaped(base: KnowledgeBase) -> None:
    figure = base.exercises["upper_trapezius_stretch"].figure
    assert figure is not None
    svg = figure_svg(figure, title="<script>x</script>")
    assert "<script>" not in svg
    assert (
        ET.fromstring(  # noqa: S314 (our own generated SVG)
            svg
        ).findtext(f"{SVG}title")
        == "<script>x</script>"
    )


def test_every_exercise_has_steps_and_a_source(base: KnowledgeBase) -> None:
    for exercise in base.exercises.values():
        assert exercise.steps, exercise.id
        assert exercise.sources, exercise.id


def test_referenced_precautions_exist(base: KnowledgeBase) -> None:
    """Every precaution id named by an exercise, technique or care phase is in precautions.yaml."""
    named: list[tuple[str, str]] = []
    named += [(e.id, p) for e in base.exercises.values() for p in e.precautions]
    named += [(t.id, p) for t in base.techniques.values() for p in t.precautions]
    named += [(c.condition, p) for c in base.care.values() for ph in c.phases for p in ph.precautions]
    assert named
    missing = [(who, p) for who, p in named if p not in base.precautions]
    assert not missing, f"unknown precaution ids (add them to precautions.yaml): {missing}"


def test_care_references_exist(base: KnowledgeBase) -> None:
    for care in base.care.values():
        assert care.condition in base.conditions, care.condition
        for muscle in care.muscles_first:
            assert muscle in base.muscles, f"{care.condition}: unknown muscle {muscle}"
        for phase in care.phases:
            for t in phase.techniques:
                assert t in base.techniques, f"{care.condition}/{phase.id}: unknown technique {t}"
            for e in phase.exercises:
                assert e in base.exercises, f"{care.condition}/{phase.id}: unknown exercise {e}"
    for exercise in base.exercises.values():
        for c in exercise.conditions:
            assert c in base.conditions, f"{exercise.id}: unknown condition {c}"


def test_precautions_that_refer_name_an_urgency_and_red_flags_exist(base: KnowledgeBase) -> None:
    for p in base.precautions.values():
        if "refer" in p.effects:
            assert p.urgency is not None, p.id
        if p.red_flag is not None:
            assert p.red_flag in base.red_flags, f"{p.id}: unknown red flag {p.red_flag}"


def test_whiplash_care_avoids_deep_neck_work_early(base: KnowledgeBase) -> None:
    care = queries.care_for_condition(base, "whiplash")
    assert care is not None
    acute = care.phases[0]
    assert "acute_whiplash" in acute.precautions
    assert queries.precaution(base, "acute_whiplash").regions == ("neck",)


def test_queries(base: KnowledgeBase) -> None:
    ids = [e.id for e in queries.exercises_for_muscle(base, "upper_trapezius")]
    assert "upper_trapezius_stretch" in ids
    assert "upper_trapezius_stretch" in [e.id for e in queries.exercises_for_condition(base, "whiplash")]
    stretch = base.exercises["upper_trapezius_stretch"]
    assert not queries.exercise_allowed(stretch, ["acute_whiplash"])
    assert queries.exercise_allowed(stretch, ["pregnancy"])
    assert "ischemic_compression" in [t.id for t in queries.techniques_for_precaution(base, "anticoagulants")]
    assert [p.id for p in queries.precautions_for_red_flag(base, "dvt_signs")] == ["dvt_suspected"]
    with pytest.raises(UnknownEntryError):
        queries.precaution(base, "no_such_precaution")


def test_dose_range_rejects_reversed_bounds() -> None:
    with pytest.raises(ValueError, match="reps_min"):
        DoseRange(reps_min=10, reps_max=5)


# The conditions the mission names, each with the condition id that plans it.
MISSION_CONDITIONS = {
    "whiplash": "whiplash",
    "acute headache": "migraine",
    "chronic headache": "tension_type_headache",
    "headache from the neck": "cervicogenic_headache",
    "seat-belt injury": "seat_belt_injury",
    "shoulder": "shoulder_pain",
    "elbow": "lateral_epicondylalgia",
    "wrist": "wrist_pain",
    "back": "low_back_pain",
    "hip": "hip_pain",
    "knee": "knee_pain",
    "ankle": "ankle_pain",
    "plantar fasciitis": "plantar_fasciitis",
    "sciatica": "sciatica",
    "TMJ": "tmj_dysfunction",
    "carpal tunnel": "carpal_tunnel_syndrome",
}


@pytest.mark.parametrize(("label", "condition_id"), sorted(MISSION_CONDITIONS.items()))
def test_every_mission_condition_has_care(base: KnowledgeBase, label: str, condition_id: str) -> None:
    """Each condition the mission names has a cited care entry with exercises and techniques."""
    assert condition_id in base.conditions, f"{label}: no condition {condition_id} in conditions.yaml"
    care = queries.care_for_condition(base, condition_id)
    assert care is not None, f"{label}: add a care entry for {condition_id} to care.yaml"
    assert care.sources, f"{label}: the care entry cites no source"
    for citation in care.sources:
        assert citation.source in base.sources, f"{label}: unknown source {citation.source}"
        assert citation.locator.strip(), f"{label}: source {citation.source} has no locator"
    assert any(phase.exercises for phase in care.phases), f"{label}: no phase names a home exercise"
    assert any(phase.techniques for phase in care.phases), f"{label}: no phase names a technique"
    assert care.refer_when, f"{label}: say when to refer"
