"""The exercise library used by plans: dose ranges, figures, conditions, progressions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from pydantic import ValidationError

from taut.core.bodymap.figures import POSES, figure_svg, resolved
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.queries import exercise_allowed
from taut.core.knowledge.schema import Dose, DoseRange, Exercise, Figure, KnowledgeBase

SVG = "{http://www.w3.org/2000/svg}"
MISSION = (
    "whiplash",
    "migraine",
    "tension_type_headache",
    "cervicogenic_headache",
    "seat_belt_injury",
    "shoulder_pain",
    "lateral_epicondylalgia",
    "wrist_pain",
    "low_back_pain",
    "hip_pain",
    "knee_pain",
    "ankle_pain",
    "plantar_fasciitis",
    "sciatica",
    "tmj_dysfunction",
    "carpal_tunnel_syndrome",
)


@pytest.fixture(scope="module")
def base() -> KnowledgeBase:
    return load_base()


def dose_outside(dose: Dose, dose_range: DoseRange) -> list[str]:
    """The dose fields that fall outside the range (empty when the dose fits)."""
    bad: list[str] = []
    for name in ("sets", "reps", "hold_seconds"):
        value = getattr(dose, name)
        low, high = getattr(dose_range, f"{name}_min"), getattr(dose_range, f"{name}_max")
        if value is None:
            continue
        if (low is not None and value < low) or (high is not None and value > high):
            bad.append(name)
    return bad


def test_at_least_eighty_exercises(base: KnowledgeBase) -> None:
    assert len(base.exercises) >= 80


def test_every_exercise_has_steps_a_dose_inside_its_range(base: KnowledgeBase) -> None:
    for e in base.exercises.values():
        assert e.steps, e.id
        assert e.dose is not None, e.id
        assert e.dose_range is not None, f"{e.id}: no dose_range"
        assert not dose_outside(e.dose, e.dose_range), f"{e.id}: dose outside its range"


def test_dose_check_catches_a_dose_outside_the_range() -> None:
    dose = Dose(sets=1, reps=30, frequency="daily")
    assert dose_outside(dose, DoseRange(reps_min=5, reps_max=20)) == ["reps"]
    assert dose_outside(dose, DoseRange(reps_min=5, reps_max=30)) == []


def test_every_exercise_has_a_figure_inside_the_box(base: KnowledgeBase) -> None:
    for e in base.exercises.values():
        assert e.figure is not None, f"{e.id}: no figure"
        joints, props, floor = resolved(e.figure)
        assert len(joints) >= 3, e.id
        points = [
            *joints.values(),
            *(p for line in props for p in line),
            *(p for line in e.figure.arrows for p in line),
        ]
        outside = [p for p in points if not (0 <= p[0] <= 100 and 0 <= p[1] <= 100)]
        assert not outside, f"{e.id}: points outside the 100 x 100 box: {outside}"
        root = ET.fromstring(figure_svg(e.figure, title=e.name))  # noqa: S314 (our own generated SVG)
        assert root.findtext(f"{SVG}title") == e.name
        limbs = [line for line in root.iter(f"{SVG}line") if line.get("class") == "limb"]
        assert len(limbs) >= 4, f"{e.id}: the figure draws fewer than four limbs"
        for line in root.iter(f"{SVG}line"):
            for attr in ("x1", "y1", "x2", "y2"):
                assert 0 <= float(line.get(attr, "0")) <= 100, f"{e.id}: a drawn line leaves the box"
        if floor is not None:
            lowest = max(y for _, y in joints.values())
            assert lowest <= floor + 1, f"{e.id}: a joint sits below the floor"


def test_a_pose_fills_in_joints_and_props() -> None:
    figure = Figure(pose="sitting", joints={"head": (40, 14)})
    joints, props, floor = resolved(figure)
    assert joints["head"] == (40, 14)
    assert joints["knee_l"] == POSES["sitting"].joints["knee_l"]
    assert props == POSES["sitting"].props
    assert floor == POSES["sitting"].floor
    svg = figure_svg(figure)
    assert svg.count('class="prop"') == len(POSES["sitting"].props)


def test_a_figure_without_pose_needs_three_joints() -> None:
    with pytest.raises(ValidationError, match="pose"):
        Figure(joints={"head": (1, 1), "neck": (2, 2)})
    with pytest.raises(ValidationError):
        Figure.model_validate({"pose": "floating"})


def test_every_base_pose_stays_in_the_box() -> None:
    for name, pose in POSES.items():
        assert len(pose.joints) >= 11, name
        for x, y in pose.joints.values():
            assert 0 <= x <= 100, name
            assert 0 <= y <= 100, name


def test_references_exist(base: KnowledgeBase) -> None:
    for e in base.exercises.values():
        assert e.conditions, f"{e.id}: no conditions"
        for c in e.conditions:
            assert c in base.conditions, f"{e.id}: unknown condition {c}"
        for p in e.precautions:
            assert p in base.precautions, f"{e.id}: unknown precaution {p}"
        for p in e.progression_ids:
            assert p in base.exercises, f"{e.id}: unknown progression {p}"
            assert p != e.id, f"{e.id}: progresses to itself"
        for s in e.sources:
            assert s.source in base.sources, e.id
            assert s.locator.strip(), e.id


def _cycle(base: KnowledgeBase) -> list[str] | None:
    graph = {e.id: e.progression_ids for e in base.exercises.values()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in state:
                found = visit(nxt, [*path, node])
                if found:
                    return found
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def test_progressions_form_no_cycle(base: KnowledgeBase) -> None:
    assert _cycle(base) is None


def test_cycle_check_finds_a_cycle(base: KnowledgeBase) -> None:
    first = base.exercises["chin_tuck"]
    second = base.exercises["deep_neck_flexor_training"]
    looped = {
        **base.exercises,
        first.id: first.model_copy(update={"progression_ids": (second.id,)}),
        second.id: second.model_copy(update={"progression_ids": (first.id,)}),
    }
    fake = type("B", (), {"exercises": looped})()
    assert _cycle(fake) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize("condition", MISSION)
def test_every_mission_condition_has_three_allowed_exercises(base: KnowledgeBase, condition: str) -> None:
    assert condition in base.care, f"{condition}: no care entry"
    planned = [e for e in base.exercises.values() if condition in e.conditions]
    allowed = [e for e in planned if exercise_allowed(e, [])]
    assert len(allowed) >= 3, f"{condition}: only {[e.id for e in allowed]}"
    kinds = {e.kind for e in allowed}
    assert len(kinds) >= 2, f"{condition}: all exercises are of one kind {kinds}"


def test_every_technique_has_position_pressure_and_dose(base: KnowledgeBase) -> None:
    for t in base.techniques.values():
        assert t.position.strip(), t.id
        assert t.pressure.strip(), t.id
        assert t.dose is not None, t.id
        assert t.sources, t.id


def test_exercise_model_keeps_old_figures_valid() -> None:
    exercise = Exercise.model_validate(
        {
            "id": "demo",
            "name": "Demo",
            "kind": "stretch",
            "steps": ["Stand."],
            "figure": {"joints": {"head": [50, 10], "neck": [50, 20], "hip": [50, 50]}},
            "sources": [{"source": "kisner_therapeutic_exercise", "locator": "x"}],
        }
    )
    assert exercise.figure is not None
    assert exercise.figure.pose is None
