from __future__ import annotations

import pytest

from taut.core.errors import UnknownEntryError
from taut.core.knowledge.loader import load_base
from taut.core.planning.generate import generate_plan
from taut.core.planning.inputs import (
    MovementInput,
    NeuralInput,
    OutcomeItem,
    PlanInputs,
    RankedMuscle,
    RomRestriction,
)
from taut.core.planning.model import Plan
from taut.core.reasoning.neural import NeuralFinding

KB = load_base()


def _finding(kind: str, structure: str, name: str, muscle: str | None = None) -> NeuralFinding:
    return NeuralFinding(kind, structure, name, "", muscle, 1.0, 0.5, 0.9, (), (), "label of " + kind, "advice")


# ---- 1. safety


def test_phase_screen_items_are_checked_not_applied() -> None:
    sciatica = generate_plan(PlanInputs(condition="sciatica", days_since_onset=3), KB)
    assert "cauda_equina_signs" not in sciatica.safety.applied
    assert any("saddle" in s for s in sciatica.safety.screened)
    assert sciatica.items
    assert not sciatica.referrals
    belt = generate_plan(PlanInputs(condition="seat_belt_injury", days_since_onset=3), KB)
    assert "anticoagulants" not in belt.safety.applied
    assert "acute_whiplash" not in belt.safety.applied
    assert len(belt.safety.screened) == 2
    assert not any(i.light_pressure for i in belt.items)


def test_screen_item_applies_when_the_client_has_it() -> None:
    belt = generate_plan(PlanInputs(condition="seat_belt_injury", days_since_onset=3, medications=("Apixaban",)), KB)
    assert "anticoagulants" in belt.safety.applied
    assert all(i.light_pressure for i in belt.items)
    assert not any("blood thinners" in s for s in belt.safety.screened)


def test_root_compression_gives_a_referral_beside_the_plan() -> None:
    suspect = NeuralInput.from_finding(_finding("root", "L5", "L5 nerve root"))
    plan = generate_plan(PlanInputs(condition="sciatica", days_since_onset=60, neural=(suspect,)), KB)
    assert [r.urgency for r in plan.referrals] == ["soon"]
    assert not plan.referrals[0].instead_of_treatment
    assert "L5 nerve root" in plan.referrals[0].why
    assert plan.items
    assert any("L5" in c for c in plan.safety.checked)


def test_soft_tissue_entrapment_adds_the_entrapping_muscle_without_referral() -> None:
    suspect = NeuralInput("soft_tissue", "median", "median nerve at the pronator", muscle="pronator_teres")
    plan = generate_plan(PlanInputs(neural=(suspect,)), KB)
    assert not plan.referrals
    item = next(i for i in plan.items if i.muscle == "pronator_teres")
    assert "entrapment of median nerve" in item.why


@pytest.mark.parametrize("field", ["skin_areas", "surgery_areas"])
def test_area_precautions_leave_the_area_alone_and_say_so(field: str) -> None:
    inputs = PlanInputs(condition="whiplash", days_since_onset=30, **{field: ("neck",)})
    plan = generate_plan(inputs, KB)
    assert not [i for i in plan.items if i.region == "neck"]
    assert plan.avoided
    assert all(a.region == "neck" for a in plan.avoided)
    assert all("no direct work" in a.reason for a in plan.avoided)
    assert {"skin_condition", "recent_surgery"} & set(plan.safety.applied)
    assert [i for i in plan.items if i.region == "shoulder"]


def test_area_as_a_zone_id_and_unknown_area() -> None:
    plan = generate_plan(PlanInputs(muscles=(RankedMuscle("temporalis", 0.9),), skin_areas=("temple_l",)), KB)
    assert [a.muscle for a in plan.avoided] == ["temporalis"]
    with pytest.raises(UnknownEntryError, match="elbowz"):
        generate_plan(PlanInputs(skin_areas=("elbowz",)), KB)


def test_modify_effect_is_recorded_and_changes_items() -> None:
    plan = generate_plan(PlanInputs(condition="low_back_pain", days_since_onset=60, precautions=("pregnancy",)), KB)
    assert any("Pregnant" in m for m in plan.safety.modifications)
    assert all(any("Pregnant" in c for c in i.changes) for i in plan.items)
    assert all("side-lying" in i.position for i in plan.items)


# ---- 2. plan content


def test_goals_in_the_clients_terms() -> None:
    inputs = PlanInputs(
        chief_complaint="neck pain when driving",
        functional_goals=("turn my head to reverse the car",),
        outcome_items=(OutcomeItem("psfs", "lifting my child", 3),),
    )
    texts = [g.text for g in generate_plan(inputs, KB).goals]
    assert texts[0] == "Relief from: neck pain when driving"
    assert "turn my head to reverse the car" in texts
    assert any("lifting my child" in t for t in texts)


def test_wellness_answers_raise_advice_and_perpetuating_factors() -> None:
    answers = (("hydration.fluid_intake", "under_1_litre"), ("work_posture.screen_setup", "below_or_side"))
    plan = generate_plan(PlanInputs(condition="whiplash", wellness=answers), KB)
    ids = {w.id for w in plan.wellness}
    assert {"drink_regularly", "screen_height"} <= ids
    assert all("questionnaire answer" in w.why for w in plan.wellness)
    assert any("marked for attention" in f.text for f in plan.perpetuating)
    quiet = generate_plan(PlanInputs(condition="whiplash", wellness=(("hydration.fluid_intake", "over_2_litres"),)), KB)
    assert not quiet.wellness


def test_schedule_from_care_or_a_stated_default() -> None:
    plan = generate_plan(PlanInputs(condition="whiplash"), KB)
    assert plan.schedule is not None
    assert plan.schedule.session_frequency == KB.care["whiplash"].session_frequency
    assert "ndi" in [r.measure for r in plan.schedule.reassessment]
    bare = generate_plan(PlanInputs(muscles=(RankedMuscle("upper_trapezius", 1.0),)), KB).schedule
    assert bare is not None
    assert "no care entry" in bare.why
    assert bare.reassessment


# ---- 3. posture, gait and range-of-motion findings


def test_posture_finding_adds_items_after_ranked_ones_and_exercises() -> None:
    inputs = PlanInputs(
        muscles=(RankedMuscle("infraspinatus", 0.9),),
        movement=(MovementInput("forward_head", "the side photo"),),
    )
    plan = generate_plan(inputs, KB)
    assert plan.items[0].muscle == "infraspinatus"
    added = plan.items[1:]
    assert added
    assert all(i.why.startswith("forward head posture in the side photo") for i in added)
    assert any("forward head posture in the side photo" in e.why for e in plan.exercises)
    assert any(f.text == "Forward head posture" for f in plan.perpetuating)
    assert any("forward head" in r.measure for r in plan.schedule.reassessment)  # type: ignore[union-attr]


def test_rom_restriction_adds_short_muscles_with_the_motion_in_why() -> None:
    plan = generate_plan(PlanInputs(rom=(RomRestriction("shoulder_flexion", 120, 180),)), KB)
    muscles = {i.muscle for i in plan.items}
    assert {"latissimus_dorsi", "teres_major"} <= muscles
    assert all("restricted shoulder flexion (120 degrees of 180)" in i.why for i in plan.items)
    with pytest.raises(UnknownEntryError, match="elbow_wiggle"):
        generate_plan(PlanInputs(rom=(RomRestriction("elbow_wiggle"),)), KB)


# ---- 4. technique and dose


def test_technique_filtered_by_precautions_and_dose_from_the_technique() -> None:
    plain = generate_plan(PlanInputs(condition="whiplash", days_since_onset=30), KB)
    first = plain.items[0]
    assert first.technique == "ischemic_compression"
    assert first.dose.startswith("30-90 s per point")
    thin = generate_plan(PlanInputs(condition="whiplash", days_since_onset=30, medications=("warfarin",)), KB)
    assert all(i.technique != "ischemic_compression" for i in thin.items)
    assert any("replaced" in c and "Takes blood thinners" in c for c in thin.items[0].changes)
    short = generate_plan(
        PlanInputs(condition="whiplash", days_since_onset=30, rom=(RomRestriction("cervical_rotation"),)), KB
    )
    assert all(i.technique == "muscle_energy_technique" for i in short.items if i.finding.startswith("restricted"))


def test_exercise_dose_is_checked_against_its_range() -> None:
    plan = generate_plan(PlanInputs(condition="tension_type_headache"), KB)
    stretch = next(e for e in plan.exercises if e.exercise == "upper_trapezius_stretch")
    assert stretch.checks == ("within the dose range of the knowledge base",)
    assert all(e.checks for e in plan.exercises)


def test_new_plans_round_trip_and_old_json_still_reads() -> None:
    inputs = PlanInputs(
        condition="whiplash",
        days_since_onset=30,
        neural=(NeuralInput("root", "C6", "C6 nerve root"),),
        movement=(MovementInput("forward_head", "the side photo"),),
        rom=(RomRestriction("cervical_rotation", 50, 80, ("scalenus_medius",)),),
        outcome_items=(OutcomeItem("ndi", "driving", 3),),
        wellness=(("hydration.fluid_intake", "under_1_litre"),),
        skin_areas=("shoulder",),
    )
    plan = generate_plan(inputs, KB)
    assert Plan.from_json(plan.to_json()) == plan
    old = (
        '{"edits": [], "exercises": [], "inputs": {"chief_complaint": "", "condition": null, '
        '"days_since_onset": null, "functional_goals": [], "medications": [], "muscles": '
        '[{"muscle": "upper_trapezius", "score": 0.5}], "precautions": [], "red_flags": []}, '
        '"items": [{"changes": [], "dose": "d", "light_pressure": false, "muscle": "upper_trapezius", '
        '"position": "p", "pressure": "q", "region": "shoulder", "sources": ["s"], "technique": "t", "why": "w"}], '
        '"kb_version": "1", "referrals": [], "safety": {"applied": [], "checked": [], "ran": true, '
        '"sources": [], "why": "w"}}'
    )
    read = Plan.from_json(old)
    assert read.items[0].muscle == "upper_trapezius"
    assert read.inputs.muscles == (RankedMuscle("upper_trapezius", 0.5),)
    assert read.schedule is None
    assert read.changes == ()


def test_bad_inputs_are_clear_errors() -> None:
    from taut.core.measures.wellness import InvalidWellnessAnswerError

    with pytest.raises(UnknownEntryError, match="nope"):
        generate_plan(PlanInputs(movement=(MovementInput("nope"),)), KB)
    with pytest.raises(UnknownEntryError, match="nope"):
        generate_plan(PlanInputs(condition="nope"), KB)
    with pytest.raises(UnknownEntryError, match="nope"):
        generate_plan(PlanInputs(precautions=("nope",)), KB)
    with pytest.raises(InvalidWellnessAnswerError, match="under_1_litre"):
        generate_plan(PlanInputs(wellness=(("hydration.fluid_intake", "x"),)), KB)
