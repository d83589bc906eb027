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
