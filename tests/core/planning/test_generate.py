from __future__ import annotations

import pytest

from taut.core.errors import UnknownEntryError
from taut.core.knowledge.loader import load_base
from taut.core.planning.generate import generate_plan
from taut.core.planning.inputs import PlanInputs, RankedMuscle
from taut.core.planning.model import Plan

KB = load_base()


def test_acute_whiplash_has_no_deep_neck_work_and_says_why() -> None:
    plan = generate_plan(PlanInputs(condition="whiplash", days_since_onset=2), KB)
    neck = [i for i in plan.items if i.region == "neck"]
    assert neck
    assert all(i.light_pressure and i.technique == "positional_release" for i in neck)
    assert all(any("Neck injury" in c for c in i.changes) for i in neck)
    assert "acute_whiplash" in plan.safety.applied


def test_anticoagulants_lower_pressure_on_every_item() -> None:
    inputs = PlanInputs(condition="low_back_pain", days_since_onset=60, medications=("Warfarin 5 mg",))
    plan = generate_plan(inputs, KB)
    assert plan.items
    assert all(i.light_pressure for i in plan.items)
    assert "anticoagulants" in plan.safety.applied
    assert plan.safety.ran


def test_red_flag_gives_referral_and_no_treatment() -> None:
    plan = generate_plan(PlanInputs(condition="sciatica", red_flags=("saddle_anaesthesia",)), KB)
    assert plan.referrals
    assert plan.referrals[0].urgency == "emergency"
    assert not plan.items
    assert not plan.exercises


@pytest.mark.parametrize("condition", sorted(KB.care))
def test_every_care_condition_gets_an_exercise_and_items_have_why_and_sources(condition: str) -> None:
    plan = generate_plan(PlanInputs(condition=condition), KB)
    assert plan.exercises
    for item in (*plan.items, *plan.exercises):
        assert item.why
        assert item.sources
        assert all(s in KB.sources for s in item.sources)


def test_json_round_trip_is_exact() -> None:
    inputs = PlanInputs(condition="whiplash", days_since_onset=3, muscles=(RankedMuscle("upper_trapezius", 0.8),))
    plan = generate_plan(inputs, KB)
    assert Plan.from_json(plan.to_json()) == plan


def test_unknown_muscle_is_a_clear_error() -> None:
    with pytest.raises(UnknownEntryError, match="trapezoid"):
        generate_plan(PlanInputs(muscles=(RankedMuscle("trapezoid", 1.0),)), KB)
