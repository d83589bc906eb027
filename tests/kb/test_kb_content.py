"""Clinical content: conditions, red flags, special tests, ROM norms, techniques and exercises.

Checks that the shipped files cover what the reasoning and the intake need, that every
cross-reference resolves, that the integrity rules for these files report the right line and
fix, and that the query helpers answer sensibly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from taut.core.errors import InvalidKnowledgeBaseError
from taut.core.knowledge import load_base, load_uncached
from taut.core.knowledge.queries import (
    condition_red_flags,
    conditions_for_mechanism,
    entry,
    exercises_for_muscle,
    export,
    find,
    pending_references,
    red_flags_for,
    rom_deficit,
    rom_norm_for,
    site_resolves,
    special_tests_for,
    stats,
)
from taut.core.knowledge.schema import (
    Condition,
    JointMotion,
    Mechanism,
    RedFlag,
    RomNorm,
    SpecialTest,
    TechniqueKind,
)
from taut.core.reasoning.chart import build_chart

from .conftest import Breaker, line_of

MECHANISMS = [
    "rear_end_collision",
    "side_impact_collision",
    "seat_belt",
    "whiplash",
    "fall",
    "sport",
    "lifting",
    "overuse",
    "prolonged_posture",
    "sleep_position",
    "dental_work",
    "stress",
    "surgery",
    "insidious",
]
CONDITIONS = [
    "whiplash",
    "tension_type_headache",
    "cervicogenic_headache",
    "migraine",
    "tmj_dysfunction",
    "neck_pain",
    "seat_belt_injury",
    "shoulder_pain",
    "lateral_epicondylalgia",
    "medial_epicondylalgia",
    "wrist_pain",
    "carpal_tunnel_syndrome",
    "thoracic_pain",
    "low_back_pain",
    "sciatica",
    "piriformis_syndrome",
    "hip_pain",
    "knee_pain",
    "ankle_pain",
    "plantar_fasciitis",
    "thoracic_outlet_syndrome",
]
RED_FLAGS = [
    "saddle_anaesthesia",
    "bladder_bowel_dysfunction",
    "progressive_weakness",
    "bilateral_leg_symptoms",
    "fever_with_spinal_pain",
    "unexplained_weight_loss",
    "history_of_cancer",
    "night_pain_unrelieved",
    "major_trauma",
    "age_over_50_new_pain",
    "suspected_fracture",
    "osteoporosis_with_trauma",
    "anticoagulants_with_trauma",
    "dvt_signs",
    "thunderclap_headache",
    "headache_with_neuro_signs",
    "jaw_claudication_temporal_tenderness",
    "visual_disturbance",
    "cervical_artery_signs",
    "chest_pain_exertion",
    "immunosuppression_ivdu",
    "severe_unremitting_pain",
]
SPECIAL_TESTS = [
    "spurling",
    "cervical_distraction",
    "ultt1_median",
    "ultt2a_median",
    "ultt2b_radial",
    "ultt3_ulnar",
    "straight_leg_raise",
    "crossed_straight_leg_raise",
    "slump",
    "prone_knee_bend",
    "phalen",
    "reverse_phalen",
    "tinel_wrist",
    "carpal_compression",
    "pronator_compression",
    "elbow_flexion_test",
    "tinel_elbow",
    "resisted_supination",
    "resisted_middle_finger_extension",
    "adson",
    "roos_east",
    "wright_hyperabduction",
    "fair_test",
    "freiberg",
    "pace",
    "tinel_tarsal_tunnel",
    "tinel_fibular_head",
    "patrick_faber",
    "thomas_test",
    "ober_test",
]
TECHNIQUES = [
    "ischemic_compression",
    "gliding_strokes",
    "cross_fibre_friction",
    "positional_release",
    "muscle_energy_technique",
    "stretching",
    "spray_and_stretch",
    "myofascial_release",
    "skin_rolling",
    "pin_and_stretch",
    "dry_needling_referral",
]
EXERCISES = [
    "upper_trapezius_stretch",
    "levator_scapulae_stretch",
    "scm_stretch",
    "scalene_stretch",
    "pectoral_doorway_stretch",
    "suboccipital_release_ball",
    "chin_tuck",
    "thoracic_extension_towel",
    "latissimus_stretch",
    "sleeper_stretch",
    "wrist_extensor_stretch",
    "wrist_flexor_stretch",
    "piriformis_stretch",
    "gluteal_stretch",
    "hamstring_stretch",
    "kneeling_hip_flexor_stretch",
    "quadriceps_stretch",
    "adductor_stretch",
    "gastrocnemius_stretch",
    "soleus_stretch",
    "plantar_fascia_stretch",
    "tfl_it_band_stretch",
    "qlumborum_side_bend_stretch",
    "knees_to_chest",
    "cat_camel",
    "childs_pose",
    "lumbar_rotation_stretch",
    "deep_neck_flexor_training",
    "scapular_retraction_row",
    "wall_angels",
    "external_rotation_band",
    "eccentric_wrist_extension",
    "glute_bridge",
    "clamshell",
    "side_lying_hip_abduction",
    "bird_dog",
    "dead_bug",
    "plank",
    "side_plank",
    "heel_raises",
    "towel_scrunches",
    "ball_self_massage",
    "diaphragmatic_breathing",
    "jaw_relaxation",
]
# Motions a practitioner measures in degrees (or mm for the jaw) and that must have a norm.
TESTED_MOTIONS = [
    "cervical_flexion",
    "cervical_extension",
    "cervical_rotation",
    "cervical_lateral_flexion",
    "jaw_opening",
    "shoulder_flexion",
    "shoulder_extension",
    "shoulder_abduction",
    "shoulder_internal_rotation",
    "shoulder_external_rotation",
    "shoulder_horizontal_abduction",
    "shoulder_horizontal_adduction",
    "elbow_flexion",
    "elbow_extension",
    "forearm_pronation",
    "forearm_supination",
    "wrist_flexion",
    "wrist_extension",
    "wrist_radial_deviation",
    "wrist_ulnar_deviation",
    "finger_flexion",
    "finger_extension",
    "thumb_abduction",
    "thoracic_rotation",
    "lumbar_flexion",
    "lumbar_extension",
    "lumbar_lateral_flexion",
    "hip_flexion",
    "hip_extension",
    "hip_abduction",
    "hip_adduction",
    "hip_internal_rotation",
    "hip_external_rotation",
    "knee_flexion",
    "knee_extension",
    "ankle_dorsiflexion",
    "ankle_plantarflexion",
    "foot_inversion",
    "foot_eversion",
    "toe_flexion",
    "toe_extension",
]


# ------------------------------------------------------------------ vocabularies


def test_mechanism_values_are_exactly_the_intake_list() -> None:
    assert [m.value for m in Mechanism] == MECHANISMS


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_every_mechanism_is_accepted_by_the_pain_chart(mechanism: str) -> None:
    """The chart reads the knowledge base's vocabulary: each onset builds a chart and reaches the ranking."""
    base = load_base()
    chart = build_chart(base, [("temple_l", 5, None)], mechanism=mechanism.replace("_", " "))
    assert chart.mechanism == Mechanism(mechanism)


# ------------------------------------------------------------------ coverage


@pytest.mark.parametrize(
    ("table", "wanted"),
    [
        ("conditions", CONDITIONS),
        ("red_flags", RED_FLAGS),
        ("special_tests", SPECIAL_TESTS),
        ("techniques", TECHNIQUES),
        ("exercises", EXERCISES),
    ],
)
def test_required_entries_exist(table: str, wanted: list[str]) -> None:
    have = set(getattr(load_base(), table))
    assert set(wanted) - have == set()


def test_minimum_counts() -> None:
    base = load_base()
    assert len(base.red_flags) >= 20
    assert len(base.exercises) >= 40
    assert len(base.special_tests) >= 29
    assert len(base.conditions) >= 21


@pytest.mark.parametrize("motion", TESTED_MOTIONS)
def test_every_tested_motion_has_a_norm(motion: str) -> None:
    assert rom_norm_for(load_base(), motion) is not None


def test_every_selfcare_exercise_resolves() -> None:
    base = load_base()
    assert pending_references(base)["exercises"] == []
    for m in base.muscles.values():
        for ex in m.selfcare_exercises:
            assert ex in base.exercises


# ------------------------------------------------------------------ conditions


@pytest.mark.parametrize("condition_id", CONDITIONS)
def test_condition_is_complete(condition_id: str) -> None:
    base = load_base()
    condition = base.conditions[condition_id]
    assert condition.summary
    assert condition.zones
    assert condition.mechanisms
    assert condition.muscles, "the reasoning needs muscles to raise priors"
    assert condition.red_flags
    assert condition.outcome_measure
    assert len(condition.protocol) >= 4
    assert all(other in base.conditions for other in condition.differentials)
    assert all(flag in base.red_flags for flag in condition.red_flags)
    assert all(zone in base.zone_specs for zone in condition.zones)


def test_condition_muscles_include_every_evidence_muscle() -> None:
    for condition in load_base().conditions.values():
        for evidence in condition.muscle_evidence:
            assert evidence.muscle in condition.muscles, (condition.id, evidence.muscle)


def test_listed_muscles_keep_their_order_and_evidence_muscles_follow() -> None:
    condition = Condition.model_validate(
        {
            "id": "demo",
            "name": "Demo",
            "muscles": ["b", "a"],
            "muscle_evidence": [
                {"muscle": "c", "prevalence": 0.5, "source": {"source": "s", "locator": "p. 1"}},
                {"muscle": "a", "source": {"source": "s", "locator": "p. 2"}},
            ],
            "sources": [{"source": "s", "locator": "p. 1"}],
            "evidence_level": "observational_study",
        }
    )
    assert condition.muscles == ("b", "a", "c")
    assert condition.evidence_muscles == ("c", "a")


def test_published_prevalences_are_the_ones_read() -> None:
    neck = load_base().conditions["neck_pain"]
    figures = {e.muscle: e.prevalence for e in neck.muscle_evidence}
    assert figures["upper_trapezius"] == pytest.approx(0.82)
    assert figures["levator_scapulae"] == pytest.approx(0.82)
    tth = load_base().conditions["tension_type_headache"]
    assert {e.prevalence for e in tth.muscle_evidence if e.prevalence is not None} == {0.65}


def test_prevalence_is_a_fraction() -> None:
    with pytest.raises(ValidationError):
        Condition.model_validate(
            {
                "id": "demo",
                "name": "Demo",
                "muscle_evidence": [{"muscle": "a", "prevalence": 82, "source": {"source": "s", "locator": "x"}}],
                "sources": [{"source": "s", "locator": "x"}],
                "evidence_level": "observational_study",
            }
        )


def test_mechanisms_name_conditions_for_the_ranking() -> None:
    base = load_base()
    whiplash_ids = {c.id for c in conditions_for_mechanism(base, Mechanism.WHIPLASH)}
    assert {"whiplash", "cervicogenic_headache"} <= whiplash_ids
    assert "tmj_dysfunction" in {c.id for c in conditions_for_mechanism(base, "dental_work")}
    for condition in base.conditions.values():
        assert all(isinstance(m, Mechanism) for m in condition.mechanisms)


def test_outcome_instruments_carry_a_licence() -> None:
    base = load_base()
    for condition in base.conditions.values():
        for ref in condition.sources:
            if ref.locator == "the instrument":
                assert base.sources[ref.source].license, ref.source


# ------------------------------------------------------------------ red flags


def test_red_flags_for_a_region_are_most_urgent_first() -> None:
    base = load_base()
    flags = red_flags_for(base, "lower_back")
    ids = [f.id for f in flags]
    assert "saddle_anaesthesia" in ids
    assert "history_of_cancer" in ids
    assert "jaw_claudication_temporal_tenderness" not in ids
    order = ["emergency", "urgent", "soon"]
    assert [order.index(f.urgency) for f in flags] == sorted(order.index(f.urgency) for f in flags)


def test_condition_red_flags_resolve() -> None:
    flags = condition_red_flags(load_base(), "low_back_pain")
    assert flags[0].urgency == "emergency"


def test_every_red_flag_asks_a_question() -> None:
    for flag in load_base().red_flags.values():
        assert flag.question.endswith("?"), flag.id
        assert flag.applies_to


def test_red_flag_region_must_be_known() -> None:
    with pytest.raises(ValidationError):
        RedFlag.model_validate(
            {
                "id": "x",
                "name": "X",
                "question": "Why?",
                "urgency": "urgent",
                "why": "Because.",
                "applies_to": ["elbows"],
                "sources": [{"source": "s", "locator": "x"}],
            }
        )


# ------------------------------------------------------------------ special tests


def test_special_tests_by_nerve_include_branches() -> None:
    base = load_base()
    median = {t.id for t in special_tests_for(base, nerve="median")}
    assert {"phalen", "tinel_wrist", "carpal_compression", "ultt1_median"} <= median
    radial = {t.id for t in special_tests_for(base, nerve="radial")}
    assert "resisted_middle_finger_extension" in radial  # targets the posterior interosseous branch


def test_special_tests_by_root_site_and_region() -> None:
    base = load_base()
    assert "spurling" in {t.id for t in special_tests_for(base, root="C6")}
    assert {"fair_test", "freiberg", "pace"} <= {t.id for t in special_tests_for(base, site="piriformis")}
    assert {t.region for t in special_tests_for(base, region="wrist")} == {"wrist"}


def test_special_test_sites_resolve_or_are_pending() -> None:
    base = load_base()
    assert site_resolves(base, "carpal tunnel")
    assert site_resolves(base, "piriformis")
    assert not site_resolves(base, "nowhere in particular")
    pending = set(pending_references(base)["special_test_sites"])
    for test in base.special_tests.values():
        for site in test.targets.sites:
            assert site_resolves(base, site) or site in pending


def test_accuracy_figures_need_a_source() -> None:
    raw = {
        "id": "x",
        "name": "X",
        "kind": "provocation",
        "region": "wrist",
        "how": ["Do it."],
        "positive": "It hurts.",
        "sensitivity": 0.5,
        "sources": [{"source": "s", "locator": "x"}],
    }
    with pytest.raises(ValidationError, match="accuracy_source"):
        SpecialTest.model_validate(raw)
    SpecialTest.model_validate({**raw, "accuracy_source": {"source": "s", "locator": "table 2"}})


def test_straight_leg_raise_accuracy_is_cited() -> None:
    slr = load_base().special_tests["straight_leg_raise"]
    assert slr.sensitivity == pytest.approx(0.91)
    assert slr.accuracy_source is not None


# ------------------------------------------------------------------ ROM norms


def test_rom_norm_prefers_sex_and_age_specific_values() -> None:
    base = load_base()
    female = rom_norm_for(base, JointMotion.FOREARM_SUPINATION, age=30, sex="female")
    assert female is not None
    assert female.sex == "female"
    older = rom_norm_for(base, "shoulder_flexion", age=70)
    assert older is not None
    assert older.age_min == 65
    child = rom_norm_for(base, "knee_flexion", age=5, sex="male")
    assert child is not None
    assert child.normal_degrees == pytest.approx(147.8)
    assert rom_norm_for(base, "shoulder_flexion", mode="passive", age=30, sex="female") is not None


def test_jaw_opening_is_in_millimetres() -> None:
    norm = rom_norm_for(load_base(), "jaw_opening")
    assert norm is not None
    assert norm.unit == "mm"
    assert norm.joint == "jaw"


def test_rom_deficit() -> None:
    base = load_base()
    norm = rom_norm_for(base, "cervical_rotation")
    assert norm is not None
    half = norm.normal_degrees / 2
    assert rom_deficit(base, "cervical_rotation", half) == pytest.approx(0.5, abs=0.001)
    assert rom_deficit(base, "cervical_rotation", norm.normal_degrees + 10) == 0.0
    assert rom_deficit(base, "scapular_elevation", 10) is None


def test_rom_joint_defaults_from_motion_and_ranges_are_ordered() -> None:
    norm = RomNorm.model_validate(
        {"id": "x", "motion": "hip_flexion", "normal_degrees": 120, "sources": [{"source": "s", "locator": "x"}]}
    )
    assert norm.joint == "hip"
    assert norm.mode == "active"
    assert norm.sex == "any"
    with pytest.raises(ValidationError, match="low_degrees"):
        RomNorm.model_validate({**norm.model_dump(), "low_degrees": 130})
    with pytest.raises(ValidationError, match="age_min"):
        RomNorm.model_validate({**norm.model_dump(), "age_min": 60, "age_max": 20})


def test_restricting_muscles_have_files() -> None:
    base = load_base()
    for norm in base.rom_norms.values():
        assert all(m in base.muscles for m in norm.restricting_muscles), norm.id


# ------------------------------------------------------------------ techniques and exercises


def test_dry_needling_is_referral_only() -> None:
    needling = load_base().techniques["dry_needling_referral"]
    assert needling.kind is TechniqueKind.REFERRAL_ONLY
    assert needling.in_scope is False
    assert all(t.in_scope for t in load_base().techniques.values() if t.id != "dry_needling_referral")


def test_exercises_have_steps_and_a_dose() -> None:
    for exercise in load_base().exercises.values():
        assert exercise.steps, exercise.id
        assert exercise.dose is not None, exercise.id
        assert all(m in load_base().muscles for m in exercise.muscles)


def test_exercises_for_a_muscle_put_its_own_selfcare_first() -> None:
    found = exercises_for_muscle(load_base(), "upper_trapezius")
    assert found[0].id == "upper_trapezius_stretch"
    assert "ball_self_massage" in {e.id for e in found}


# ------------------------------------------------------------------ lookup, stats, export


@pytest.mark.parametrize(
    ("text", "kind", "entry_id"),
    [
        ("Phalen's test", "special_test", "phalen"),
        ("Durkan test", "special_test", "carpal_compression"),
        ("golfer's elbow", "condition", "medial_epicondylalgia"),
        ("tennis elbow", "condition", "lateral_epicondylalgia"),
        ("saddle anaesthesia", "red_flag", "saddle_anaesthesia"),
        ("Tyler twist", "exercise", "eccentric_wrist_extension"),
        ("strain-counterstrain", "technique", "positional_release"),
    ],
)
def test_find_new_kinds_by_name(text: str, kind: str, entry_id: str) -> None:
    best = find(load_base(), text)[0]
    assert (best.kind, best.id) == (kind, entry_id)


def test_entry_for_new_kinds() -> None:
    base = load_base()
    assert entry(base, "red_flag", "dvt_signs").model_dump()["urgency"] == "urgent"
    assert entry(base, "special_test", "slump").model_dump()["kind"] == "neural_tension"
    assert entry(base, "rom_norm", "jaw_opening_adult").model_dump()["unit"] == "mm"


def test_stats_and_export_include_the_new_files() -> None:
    base = load_base()
    counts = stats(base)
    assert counts["red_flags"] == len(base.red_flags)
    assert counts["special_tests"] == len(base.special_tests)
    assert counts["muscle_evidence_with_prevalence"] >= 5
    assert counts["facts_cited"] == counts["facts"]
    data = export(base)
    assert len(data["red_flags"]) == len(base.red_flags)
    assert data["conditions"][0]["muscles"]
    assert {"red_flags.yaml", "special_tests.yaml"} <= set(base.files)


# ------------------------------------------------------------------ integrity rules


PHALEN_TARGETS = (
    "targets: {nerves: [median], sites: [carpal tunnel]}\n"
    "  region: wrist\n  how:\n  - Ask the client to press the backs"
)
RULES = [
    pytest.param(
        "conditions.yaml",
        "red_flags: [thunderclap_headache, headache_with_neuro_signs, jaw_claudication",
        "red_flags: [thunderclap_headach, headache_with_neuro_signs, jaw_claudication",
        "thunderclap_headach,",
        ["'thunderclap_headach'", "red_flags.yaml"],
        ["red-flag id"],
        id="condition-red-flags-resolve",
    ),
    pytest.param(
        "conditions.yaml",
        "  - muscle: levator_scapulae\n    prevalence: 0.82",
        "  - muscle: levator_scapula\n    prevalence: 0.82",
        "muscle: levator_scapula\n",
        ["'levator_scapula'", "no file in muscles/"],
        ["muscles/levator_scapula.yaml"],
        id="evidence-muscles-resolve",
    ),
    pytest.param(
        "conditions.yaml",
        "differentials: [migraine, cervicogenic_headache, tmj_dysfunction]",
        "differentials: [migraine, cervicogenic_headache, tmj_dysfunction, tension_type_headache]",
        "tmj_dysfunction, tension_type_headache]",
        ["lists itself"],
        ["remove"],
        id="condition-not-its-own-differential",
    ),
    pytest.param(
        "special_tests.yaml",
        PHALEN_TARGETS,
        PHALEN_TARGETS.replace("[median]", "[medain]"),
        "nerves: [medain]",
        ["'medain'", "nerves.yaml"],
        ["nerve id"],
        id="special-test-nerves-resolve",
    ),
    pytest.param(
        "special_tests.yaml",
        "- id: reverse_phalen\n",
        "- id: phalen\n",
        "- id: phalen\n  name: Reverse",
        ["used twice"],
        ["unique"],
        id="special-test-ids-unique",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "marker", "what", "fix"), RULES)
def test_content_rule_points_at_the_line(
    break_file: Breaker, name: str, old: str, new: str, marker: str, what: list[str], fix: list[str]
) -> None:
    errors, changed = break_file(name, old, new)
    line = line_of(changed, marker)
    matching = [e for e in errors if e.file == name and e.line == line]
    assert matching, f"no error at {name}:{line}; got {[e.message for e in errors]}"
    assert any(all(w in e.what for w in what) and all(f in e.how_to_fix for f in fix) for e in matching), [
        e.message for e in matching
    ]


def test_restricting_muscle_must_exist(break_file: Breaker) -> None:
    errors, _ = break_file("rom_norms.yaml", "- masseter\n", "- masseterr\n")
    assert any(e.file == "rom_norms.yaml" and "'masseterr'" in e.what for e in errors)


def test_unknown_source_in_evidence_is_reported(break_file: Breaker) -> None:
    errors, _ = break_file(
        "conditions.yaml", "source: {source: cerezo_tellez_2016_neck", "source: {source: cerezo_2016"
    )
    assert any("'cerezo_2016' is not in sources.yaml" in e.what for e in errors)


def test_bad_urgency_is_a_schema_error(break_file: Breaker) -> None:
    errors, changed = break_file("red_flags.yaml", "urgency: emergency", "urgency: asap")
    assert errors
    assert errors[0].file == "red_flags.yaml"
    assert errors[0].line == line_of(changed, "urgency: asap")


def test_new_files_stay_optional(data_copy: Path) -> None:
    for name in ("red_flags.yaml", "special_tests.yaml", "conditions.yaml"):
        (data_copy / name).unlink()
    base = load_uncached(data_copy)
    assert base.red_flags == {}
    assert base.special_tests == {}
    assert base.conditions == {}


def test_condition_red_flags_need_the_red_flag_file(data_copy: Path) -> None:
    (data_copy / "red_flags.yaml").unlink()
    with pytest.raises(InvalidKnowledgeBaseError) as caught:
        load_uncached(data_copy)
    assert all(e.file == "conditions.yaml" and "red_flags.yaml" in e.what for e in caught.value.errors)
