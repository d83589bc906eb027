"""The bundled knowledge base loads, is complete where promised, and is internally sound."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from taut.core.knowledge import DATA_DIR, load_base, load_uncached
from taut.core.knowledge.queries import stats
from taut.core.knowledge.schema import JointMotion, Point, Side

REQUIRED_ZONES = [
    "forehead",
    "temple",
    "occiput",
    "vertex",
    "retro_orbital",
    "eyebrow",
    "cheek",
    "jaw_angle",
    "mandible",
    "tmj",
    "ear",
    "upper_teeth",
    "lower_teeth",
    "throat",
    "suboccipital",
    "anterior_neck",
    "lateral_neck",
    "posterior_neck",
    "anterior_shoulder",
    "lateral_deltoid",
    "posterior_shoulder",
    "suprascapular",
    "interscapular",
    "medial_scapular_border",
    "inferior_scapular_angle",
    "pectoral",
    "upper_arm_anterior",
    "upper_arm_posterior",
    "upper_arm_lateral",
    "upper_arm_medial",
    "elbow_lateral",
    "elbow_medial",
    "elbow_posterior",
    "antecubital",
    "forearm_dorsal",
    "forearm_volar",
    "forearm_radial",
    "forearm_ulnar",
    "wrist_dorsal",
    "wrist_volar",
    "thenar",
    "hypothenar",
    "palm",
    "hand_dorsum",
    "thumb_dorsal",
    "thumb_palmar",
    "index_dorsal",
    "index_palmar",
    "middle_dorsal",
    "middle_palmar",
    "ring_dorsal",
    "ring_palmar",
    "little_dorsal",
    "little_palmar",
    "abdomen_upper",
    "abdomen_lower",
    "flank",
    "thoracic_paraspinal",
    "lumbar_paraspinal",
    "sacrum",
    "si_joint",
    "buttock_upper",
    "buttock_lower",
    "groin",
    "hip_lateral",
    "thigh_anterior",
    "thigh_lateral",
    "thigh_medial",
    "thigh_posterior",
    "knee_anterior",
    "knee_medial",
    "knee_lateral",
    "popliteal",
    "shin",
    "leg_lateral",
    "calf",
    "ankle_medial",
    "ankle_lateral",
    "ankle_anterior",
    "foot_dorsum",
    "heel",
    "plantar_arch",
    "plantar_forefoot",
    "great_toe",
    "lesser_toes",
]

REQUIRED_NERVES = [
    "median",
    "ulnar",
    "radial",
    "superficial_radial",
    "posterior_interosseous",
    "musculocutaneous",
    "axillary",
    "suprascapular",
    "long_thoracic",
    "dorsal_scapular",
    "greater_occipital",
    "lesser_occipital",
    "sciatic",
    "tibial",
    "common_fibular",
    "deep_fibular",
    "superficial_fibular",
    "sural",
    "saphenous",
    "femoral",
    "lateral_femoral_cutaneous",
    "obturator",
    "superior_gluteal",
    "pudendal",
    "iliohypogastric",
    "ilioinguinal",
    "medial_plantar",
    "lateral_plantar",
]

ROOTS = (
    [f"C{i}" for i in range(2, 9)]
    + [f"T{i}" for i in range(1, 13)]
    + [f"L{i}" for i in range(1, 6)]
    + [
        "S1",
        "S2",
    ]
)


def test_loads_with_semver_and_content_hash() -> None:
    base = load_base()
    semver = (DATA_DIR / "VERSION").read_text().strip()
    assert base.semver == semver
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", base.version)


def test_load_base_is_cached() -> None:
    assert load_base() is load_base()


def test_content_hash_follows_the_data(data_copy: Path) -> None:
    before = load_uncached(data_copy).content_hash
    path = data_copy / "zones.yaml"
    path.write_text(path.read_text() + "\n# a comment changes the hash\n")
    assert load_uncached(data_copy).content_hash != before


def test_zone_counts() -> None:
    counts = stats(load_base())
    assert counts["zones_base"] >= 100
    assert counts["zones_sided"] >= 150
    assert counts["zones_sided"] == 2 * counts["zones_bilateral"] + counts["zones_midline"]


@pytest.mark.parametrize("zone", REQUIRED_ZONES)
def test_required_zone_exists(zone: str) -> None:
    assert zone in load_base().zone_specs


@pytest.mark.parametrize("nerve", REQUIRED_NERVES)
def test_required_nerve_exists(nerve: str) -> None:
    assert nerve in load_base().nerves


def test_dermatomes_c2_to_s2() -> None:
    assert list(load_base().dermatomes) == ROOTS


def test_every_fact_is_cited() -> None:
    counts = stats(load_base())
    assert counts["facts"] == counts["facts_cited"] > 0


def test_sided_zones_mirror_each_other() -> None:
    base = load_base()
    for spec in base.zone_specs.values():
        if spec.bilateral:
            left, right = base.zones[f"{spec.id}_l"], base.zones[f"{spec.id}_r"]
            assert (left.side, right.side) == (Side.LEFT, Side.RIGHT)
            assert left.views == right.views
            unsided = [re.sub(r"_[lr]$", "", n) for n in left.neighbours]
            assert unsided == [re.sub(r"_[lr]$", "", n) for n in right.neighbours]
        else:
            assert base.zones[spec.id].side is Side.MIDLINE


def test_expanded_neighbours_are_symmetric() -> None:
    base = load_base()
    for zone in base.zones.values():
        for other in zone.neighbours:
            assert zone.id in base.zones[other].neighbours, f"{zone.id} -> {other} is one-way"


def test_every_zone_is_drawn() -> None:
    base = load_base()
    assert all(zone.views for zone in base.zones.values())


def _inside(point: Point, polygon: tuple[Point, ...]) -> bool:
    x, y = point
    inside = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


@pytest.mark.parametrize("view_id", ["anterior", "posterior", "face"])
def test_shapes_do_not_overlap(view_id: str) -> None:
    view = load_base().views[view_id]
    boxes = [
        (
            s,
            min(x for x, _ in s.points),
            max(x for x, _ in s.points),
            min(y for _, y in s.points),
            max(y for _, y in s.points),
        )
        for s in view.shapes
    ]
    for gx in range(int(view.width)):
        for gy in range(0, int(view.height), 2):
            point = (gx + 0.5, gy + 0.5)
            near = [s for s, x0, x1, y0, y1 in boxes if x0 <= point[0] <= x1 and y0 <= point[1] <= y1]
            owners = [s.zone for s in near if _inside(point, s.points)]
            assert len(owners) <= 1, f"{owners} overlap at {point} in {view_id}"


def test_example_muscles_are_complete() -> None:
    base = load_base()
    for muscle_id in ("upper_trapezius", "sternocleidomastoid", "gluteus_minimus"):
        muscle = base.muscles[muscle_id]
        assert muscle.referral.essential
        assert muscle.trigger_points
        assert muscle.symptoms
        assert muscle.perpetuating_factors
        assert muscle.palpation.how_to_find
        assert {ref.source for ref in muscle.sources} >= {"travell_simons_3e", "grays_anatomy_42"}
        assert all(ref.locator for ref in muscle.sources)
        assert all(m in JointMotion for m in muscle.restricted_motions + muscle.provoking_motions)


def test_myotomes_are_key_roots() -> None:
    assert set(load_base().myotomes) == {"C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4", "L5", "S1"}
