"""Cranial nerves, dual innervation, the shoulder-girdle and hip branches, thumb motions and the
zones added for the hand, heel and deep hip."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from taut.core.knowledge import load_base
from taut.core.knowledge.queries import entrapments_by_muscle, referral_map
from taut.core.knowledge.schema import Innervation, JointMotion, Nerve, Side

from .conftest import Breaker, line_of

SOURCES = [{"source": "grays_anatomy_42", "locator": "head and neck section"}]


def test_cranial_nerves_need_no_spinal_roots() -> None:
    base = load_base()
    assert base.nerves["mandibular"].cranial == "V3"
    assert base.nerves["facial"].cranial == "VII"
    assert base.nerves["mandibular"].roots == () == base.nerves["facial"].roots
    assert base.nerves["accessory"].cranial == "XI"
    assert "masseteric nerve" in base.nerves["mandibular"].synonyms
    assert base.muscles["masseter"].innervation.nerve == "mandibular"
    assert base.muscles["frontalis"].innervation.nerve == "facial"


def test_a_nerve_needs_roots_or_a_cranial_number() -> None:
    with pytest.raises(ValidationError, match="cranial"):
        Nerve.model_validate({"id": "x", "name": "X", "kind": "motor", "sources": SOURCES})
    with pytest.raises(ValidationError):
        Nerve.model_validate({"id": "x", "name": "X", "kind": "motor", "cranial": "XIII", "sources": SOURCES})
    assert Nerve.model_validate({"id": "x", "name": "X", "kind": "motor", "cranial": "V3", "sources": SOURCES})
    assert Innervation.model_validate({"nerve": "facial"}).roots == ()


def test_spinal_innervation_needs_roots(break_file: Breaker) -> None:
    errors, text = break_file(
        "muscles/upper_trapezius.yaml", "  nerve: accessory\n  roots: [C3, C4]", "  nerve: ulnar\n  roots: []"
    )
    line = line_of(text, "  roots: []")
    assert any(e.line == line and "lists no roots" in e.what and "cranial" in e.how_to_fix for e in errors), errors


def test_cranial_innervation_may_omit_roots(break_file: Breaker) -> None:
    errors, _ = break_file("muscles/upper_trapezius.yaml", "  roots: [C3, C4]", "  roots: []")
    assert errors == []  # the accessory nerve is cranial (XI)


@pytest.mark.parametrize(
    ("also", "what"),
    [("[ulnar_nerve]", "'ulnar_nerve' is not in nerves.yaml"), ("[accessory]", "already the main nerve")],
)
def test_second_nerves_resolve(break_file: Breaker, also: str, what: str) -> None:
    errors, text = break_file(
        "muscles/upper_trapezius.yaml", "  roots: [C3, C4]\n", f"  roots: [C3, C4]\n  also: {also}\n"
    )
    line = line_of(text, f"  also: {also}")
    assert any(e.line == line and what in e.what for e in errors), [e.what for e in errors]


@pytest.mark.parametrize(
    ("muscle", "nerve", "also"),
    [
        ("flexor_digitorum_profundus", "anterior_interosseous", {"ulnar"}),
        ("lumbricals_hand", "median", {"ulnar"}),
        ("flexor_pollicis_brevis", "median", {"ulnar"}),
        ("adductor_magnus", "obturator", {"sciatic"}),
        ("biceps_femoris", "tibial", {"common_fibular"}),
        ("digastric", "facial", {"mandibular"}),
        ("pectoralis_major", "lateral_pectoral", {"medial_pectoral"}),
        ("pectoralis_minor", "medial_pectoral", {"lateral_pectoral"}),
        ("latissimus_dorsi", "thoracodorsal", set()),
        ("subscapularis", "upper_subscapular", {"lower_subscapular"}),
        ("teres_major", "lower_subscapular", set()),
        ("subclavius", "nerve_to_subclavius", set()),
        ("sternalis", "intercostal", {"medial_pectoral", "lateral_pectoral"}),
        ("piriformis", "nerve_to_piriformis", set()),
        ("obturator_internus", "nerve_to_obturator_internus", set()),
        ("superior_gemellus", "nerve_to_obturator_internus", set()),
        ("quadratus_femoris", "nerve_to_quadratus_femoris", set()),
        ("inferior_gemellus", "nerve_to_quadratus_femoris", set()),
    ],
)
def test_innervation(muscle: str, nerve: str, also: set[str]) -> None:
    innervation = load_base().muscles[muscle].innervation
    assert innervation.nerve == nerve
    assert set(innervation.also) == also


def test_every_spinal_innervation_names_roots() -> None:
    base = load_base()
    for muscle in base.muscles.values():
        nerve = base.nerves[muscle.innervation.nerve]
        assert muscle.innervation.roots or nerve.cranial, muscle.id


def test_brachial_plexus_sites() -> None:
    base = load_base()
    plexus = base.nerves["brachial_plexus"]
    kinds = {site.muscle: site.kind.value for site in plexus.entrapment_sites}
    assert kinds["scalenus_anterior"] == kinds["scalenus_medius"] == kinds["pectoralis_minor"] == "soft_tissue"
    assert "fibro_osseous" in {site.kind.value for site in plexus.entrapment_sites}
    for muscle in ("scalenus_anterior", "scalenus_medius", "pectoralis_minor"):
        assert "brachial_plexus" in base.muscles[muscle].entrapped_nerves
        assert not {"ulnar", "median"} & set(base.muscles[muscle].entrapped_nerves)
    for branch in ("medial_pectoral", "lateral_pectoral", "thoracodorsal", "upper_subscapular", "lower_subscapular"):
        assert base.nerves[branch].parent == "brachial_plexus"


def test_greater_occipital_is_entrapped_by_semispinalis_capitis() -> None:
    sites = entrapments_by_muscle(load_base(), "semispinalis_capitis")
    assert any(nerve == "greater_occipital" for nerve, _ in sites)


def test_new_trunk_and_hip_nerves_exist() -> None:
    base = load_base()
    for nerve in (
        "suboccipital",
        "cervical_dorsal_rami",
        "thoracic_dorsal_rami",
        "lumbar_dorsal_rami",
        "cervical_ventral_rami",
        "phrenic",
        "intercostal",
        "thoracoabdominal",
        "subcostal",
        "lumbar_plexus",
        "sacral_plexus",
        "nerve_to_piriformis",
        "nerve_to_obturator_internus",
        "nerve_to_quadratus_femoris",
        "inferior_gluteal",
    ):
        assert nerve in base.nerves
    for branch in ("nerve_to_piriformis", "nerve_to_obturator_internus", "nerve_to_quadratus_femoris"):
        assert base.nerves[branch].parent == "sacral_plexus"


def test_thumb_motions_are_used() -> None:
    base = load_base()
    used = {m for muscle in base.muscles.values() for m in muscle.restricted_motions + muscle.provoking_motions}
    for motion in ("thumb_flexion", "thumb_extension", "thumb_adduction"):
        assert JointMotion(motion) in used
    assert JointMotion.THUMB_FLEXION in base.muscles["flexor_pollicis_longus"].provoking_motions


@pytest.mark.parametrize(
    ("zone", "view", "muscle"),
    [
        ("first_web_space", "posterior", "first_dorsal_interosseous_hand"),
        ("heel_medial", "posterior", "abductor_hallucis"),
        ("hip_posterior", "posterior", "piriformis"),
    ],
)
def test_new_zones_are_drawn_and_used(zone: str, view: str, muscle: str) -> None:
    base = load_base()
    assert view in base.zones[f"{zone}_l"].views
    muscle_zones = {z for tp in base.muscles[muscle].trigger_points for z in tp.zones}
    muscle_zones |= set(base.muscles[muscle].referral.essential)
    assert zone in muscle_zones


def test_piriformis_refers_to_the_back_of_the_hip() -> None:
    assert referral_map(load_base(), "piriformis", Side.RIGHT)["hip_posterior_r"] == "essential"


def test_at_least_150_muscles() -> None:
    assert len(load_base().muscles) >= 150
