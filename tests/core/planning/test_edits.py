from __future__ import annotations

import pytest

from taut.core.errors import UnknownEntryError
from taut.core.knowledge.loader import load_base
from taut.core.planning.edits import diff_plans, remove_muscle, reorder_muscles
from taut.core.planning.generate import generate_plan
from taut.core.planning.inputs import PlanInputs

PLAN = generate_plan(PlanInputs(condition="whiplash", days_since_onset=30), load_base())


def test_remove_and_reorder_are_recorded_and_diffed() -> None:
    first, second = PLAN.items[0].muscle, PLAN.items[1].muscle
    edited = reorder_muscles(remove_muscle(PLAN, first), (PLAN.items[2].muscle, second))
    assert first not in [i.muscle for i in edited.items]
    assert len(edited.edits) == 2
    assert f"muscle removed: {first}" in diff_plans(PLAN, edited)


def test_unknown_muscle_in_an_edit_is_a_clear_error() -> None:
    with pytest.raises(UnknownEntryError, match="no_such_muscle"):
        remove_muscle(PLAN, "no_such_muscle")


# ---- structured edits

from taut.core.planning.edits import (  # noqa: E402
    InvalidDoseError,
    PlanEditError,
    add_exercise,
    add_muscle,
    change_dose,
    change_technique,
    remove_exercise,
)
from taut.core.planning.model import Plan  # noqa: E402

KB = load_base()


def test_add_muscle_and_change_technique_record_before_and_after() -> None:
    added = add_muscle(PLAN, KB, "infraspinatus")
    assert added.items[-1].muscle == "infraspinatus"
    assert added.changes[-1].kind == "add_muscle"
    assert added.changes[-1].target == "infraspinatus"
    assert "muscle added: infraspinatus" in diff_plans(PLAN, added)
    changed = change_technique(added, KB, "infraspinatus", "stretching")
    change = changed.changes[-1]
    assert (change.kind, change.before, change.after) == ("change_technique", added.items[-1].technique, "stretching")
    assert "Stretching" in change.words
    assert changed.items[-1].technique_name == KB.techniques["stretching"].name
    assert PLAN.items == generate_plan(PlanInputs(condition="whiplash", days_since_onset=30), KB).items  # unchanged


def test_exercise_edits_and_dose_changes() -> None:
    first = PLAN.exercises[0].exercise
    gone = remove_exercise(PLAN, first)
    assert first not in [e.exercise for e in gone.exercises]
    assert gone.changes[-1].kind == "remove_exercise"
    assert gone.changes[-1].before == PLAN.exercises[0].dose
    back = add_exercise(gone, KB, first)
    assert back.exercises[-1].exercise == first
    assert "upper_trapezius_stretch" in [e.exercise for e in back.exercises]
    dosed = change_dose(back, "upper_trapezius_stretch", "2 x 4, hold 30 s", KB)
    assert dosed.changes[-1].after == "2 x 4, hold 30 s"
    assert next(e for e in dosed.exercises if e.exercise == "upper_trapezius_stretch").dose == "2 x 4, hold 30 s"
    assert "dose changed for upper_trapezius_stretch" in diff_plans(back, dosed)
    with pytest.raises(InvalidDoseError, match="outside"):
        change_dose(dosed, "upper_trapezius_stretch", "5 x 4", KB)
    muscle = PLAN.items[0].muscle
    assert change_dose(PLAN, muscle, "60 s per point").items[0].dose == "60 s per point"


def test_edits_survive_the_json_round_trip() -> None:
    edited = change_dose(
        add_muscle(remove_muscle(PLAN, PLAN.items[0].muscle), KB, "infraspinatus"), "infraspinatus", "2 min"
    )
    again = Plan.from_json(edited.to_json())
    assert again == edited
    assert [c.kind for c in again.changes] == ["remove_muscle", "add_muscle", "change_dose"]


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda: add_muscle(PLAN, KB, "no_such_muscle"), "no_such_muscle"),
        (lambda: add_muscle(PLAN, KB, "infraspinatus", "no_such_technique"), "no_such_technique"),
        (lambda: change_technique(PLAN, KB, PLAN.items[0].muscle, "no_such_technique"), "no_such_technique"),
        (lambda: change_technique(PLAN, KB, "no_such_muscle", "stretching"), "no_such_muscle"),
        (lambda: add_exercise(PLAN, KB, "no_such_exercise"), "no_such_exercise"),
        (lambda: remove_exercise(PLAN, "no_such_exercise"), "no_such_exercise"),
        (lambda: change_dose(PLAN, "no_such_thing", "1 x 1"), "no_such_thing"),
    ],
)
def test_unknown_ids_in_edits_are_clear_errors(edit: object, match: str) -> None:
    with pytest.raises(UnknownEntryError, match=match):
        edit()  # type: ignore[operator]


def test_adding_twice_or_an_empty_dose_is_refused() -> None:
    with pytest.raises(PlanEditError, match="already"):
        add_muscle(PLAN, KB, PLAN.items[0].muscle)
    with pytest.raises(PlanEditError, match="already"):
        add_exercise(PLAN, KB, PLAN.exercises[0].exercise)
    with pytest.raises(InvalidDoseError, match="empty"):
        change_dose(PLAN, PLAN.items[0].muscle, "  ")


def test_edits_cannot_undo_the_safety_check() -> None:
    thin = generate_plan(PlanInputs(condition="whiplash", days_since_onset=30, medications=("warfarin",)), KB)
    with pytest.raises(PlanEditError, match="blood thinners"):
        change_technique(thin, KB, thin.items[0].muscle, "ischemic_compression")
    with pytest.raises(PlanEditError, match="blood thinners"):
        add_muscle(thin, KB, "infraspinatus", "ischemic_compression")
    skin = generate_plan(PlanInputs(condition="whiplash", days_since_onset=30, skin_areas=("neck",)), KB)
    with pytest.raises(PlanEditError, match="no direct work"):
        add_muscle(skin, KB, "scalenus_medius")
    acute = generate_plan(PlanInputs(condition="whiplash", days_since_onset=2), KB)
    with pytest.raises(PlanEditError, match="Neck injury"):
        add_exercise(acute, KB, "upper_trapezius_stretch")
