"""Questions asked of the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taut.core.errors import UnknownEntryError, UnknownZoneError
from taut.core.knowledge import load_base, load_uncached
from taut.core.knowledge.queries import (
    dermatomes_for,
    entrapments_by_muscle,
    export,
    find,
    muscle,
    muscles_referring_to,
    nerves_supplying,
    pending_references,
    referral_map,
)
from taut.core.knowledge.schema import Side


@pytest.mark.parametrize(
    ("text", "kind", "entry_id"),
    [
        ("SCM", "muscle", "sternocleidomastoid"),
        ("upper trap", "muscle", "upper_trapezius"),
        ("Gluteus minimus", "muscle", "gluteus_minimus"),
        ("common peroneal nerve", "nerve", "common_fibular"),
        ("behind the eye", "zone", "retro_orbital"),
        ("kneecap", "zone", "knee_anterior"),
        ("LFCN", "nerve", "lateral_femoral_cutaneous"),
    ],
)
def test_find_by_name_or_synonym(text: str, kind: str, entry_id: str) -> None:
    best = find(load_base(), text)[0]
    assert (best.kind, best.id) == (kind, entry_id)
    assert best.score >= 0.85


def test_muscle_lookup_by_prefix_and_miss() -> None:
    assert muscle(load_base(), "sternocleido").id == "sternocleidomastoid"
    with pytest.raises(UnknownEntryError) as caught:
        muscle(load_base(), "zzyzx")
    assert "zzyzx" in str(caught.value)


@pytest.mark.parametrize(
    ("side", "zone", "level"),
    [
        (Side.LEFT, "temple_l", "essential"),
        (Side.RIGHT, "temple_r", "essential"),
        (Side.LEFT, "retro_orbital_l", "spillover"),
    ],
)
def test_referral_map_is_sided(side: Side, zone: str, level: str) -> None:
    mapping = referral_map(load_base(), "upper_trapezius", side)
    assert mapping[zone] == level
    other = "_r" if side is Side.LEFT else "_l"
    assert not any(z.endswith(other) for z in mapping)


def test_midline_zones_stay_single_in_a_sided_referral() -> None:
    mapping = referral_map(load_base(), "sternocleidomastoid", Side.LEFT)
    assert mapping["forehead_l"] == "essential"
    assert "forehead_r" not in mapping
    assert mapping["throat"] == "essential"


@pytest.mark.parametrize(
    ("side_word", "finding", "expected"),
    [
        ("contralateral", Side.LEFT, {"temple_r"}),
        ("bilateral", Side.LEFT, {"temple_l", "temple_r"}),
        ("ipsilateral", Side.RIGHT, {"temple_r"}),
    ],
)
def test_referral_side_rules(data_copy: Path, side_word: str, finding: Side, expected: set[str]) -> None:
    path = data_copy / "muscles" / "upper_trapezius.yaml"
    text = path.read_text()
    marker = "  spillover: [retro_orbital, jaw_angle, occiput]\n  side: ipsilateral"
    assert marker in text
    path.write_text(text.replace(marker, marker.replace("ipsilateral", side_word)))
    mapping = referral_map(load_uncached(data_copy), "upper_trapezius", finding)
    assert {z for z in mapping if z.startswith("temple")} == expected


def test_muscles_referring_to_a_zone() -> None:
    hits = muscles_referring_to(load_base(), "temple_l")
    found = [(h.muscle, h.level) for h in hits]
    assert ("upper_trapezius", "essential") in found
    assert ("sternocleidomastoid", "spillover") in found
    levels = [level for _, level in found]
    assert levels == sorted(levels)  # essential before spillover


def test_unknown_zone_in_query() -> None:
    with pytest.raises(UnknownZoneError):
        muscles_referring_to(load_base(), "tempel")


@pytest.mark.parametrize(
    ("zone", "nerve"),
    [("thumb_palmar_l", "median"), ("little_dorsal_r", "ulnar"), ("thigh_lateral_l", "lateral_femoral_cutaneous")],
)
def test_nerves_supplying(zone: str, nerve: str) -> None:
    assert nerve in nerves_supplying(load_base(), zone)


@pytest.mark.parametrize(("zone", "root"), [("thumb_dorsal_l", "C6"), ("heel_r", "S1"), ("umbilical", "T10")])
def test_dermatomes_for(zone: str, root: str) -> None:
    assert root in dermatomes_for(load_base(), zone)


def test_entrapment_sites_name_soft_tissue_and_bone() -> None:
    base = load_base()
    kinds = {site.kind.value for n in base.nerves.values() for site in n.entrapment_sites}
    assert {"soft_tissue", "bony", "disc", "fibro_osseous"} <= kinds
    assert ("sciatic", "Under or through piriformis at the greater sciatic notch") in entrapments_by_muscle(
        base, "piriformis"
    )


def test_pending_references_are_listed() -> None:
    base = load_base()
    pending = pending_references(base)
    named = {site.muscle for n in base.nerves.values() for site in n.entrapment_sites if site.muscle}
    assert set(pending["muscles"]) == named - set(base.muscles)
    wanted = {e for m in base.muscles.values() for e in m.selfcare_exercises}
    assert set(pending["exercises"]) == wanted - set(base.exercises)


def test_export_is_json_and_versioned() -> None:
    base = load_base()
    data = export(base)
    assert data["version"] == base.version
    assert len(data["zones"]) == len(base.zone_specs)
    assert len(data["sided_zones"]) == len(base.zones)
    json.dumps(data)
