"""Zone lookup by id, name, synonym and laterality words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from taut.core.bodymap import parse_side, resolve_zone, resolve_zones, search_zones, suggest_zones
from taut.core.errors import UnknownZoneError
from taut.core.knowledge import load_base
from taut.core.knowledge.schema import Side


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("left temple", ("temple_l",)),
        ("Left Temple", ("temple_l",)),
        ("temple_l", ("temple_l",)),
        ("temple (right)", ("temple_r",)),
        ("rt temple", ("temple_r",)),
        ("temple", ("temple_l", "temple_r")),
        ("both temples", ("temple_l", "temple_r")),
        ("retro-orbital", ("retro_orbital_l", "retro_orbital_r")),
        ("behind the left eye", ("retro_orbital_l",)),
        ("behind the eye", ("retro_orbital_l", "retro_orbital_r")),
        ("right TMJ", ("tmj_r",)),
        ("throat", ("throat",)),
        ("left throat", ("throat",)),
        ("kneecap", ("knee_anterior_l", "knee_anterior_r")),
        ("left side of the neck", ("lateral_neck_l",)),
        ("pinky", ("little_palmar_l", "little_palmar_r", "little_dorsal_l", "little_dorsal_r")),
        (
            "left hip and thigh",
            (
                "hip_lateral_l",
                "hip_posterior_l",
                *(f"thigh_{p}_l" for p in ("lateral", "anterior", "medial", "posterior")),
            ),
        ),
        ("greater trochanter", ("hip_lateral_l", "hip_lateral_r")),
        ("right calf", ("calf_r",)),
        ("sacrum", ("sacrum",)),
    ],
)
def test_resolve_zones(text: str, expected: tuple[str, ...]) -> None:
    assert resolve_zones(load_base(), text) == expected


@pytest.mark.parametrize(
    ("text", "side", "rest"),
    [
        ("left temple", Side.LEFT, "temple"),
        ("temple_r", Side.RIGHT, "temple"),
        ("bilateral calf", Side.MIDLINE, "calf"),
        ("calf", None, "calf"),
    ],
)
def test_parse_side(text: str, side: Side | None, rest: str) -> None:
    assert parse_side(text) == (side, rest)


def test_unknown_zone_suggests_nearest_names() -> None:
    with pytest.raises(UnknownZoneError) as caught:
        resolve_zones(load_base(), "left tempel")
    assert "Temple" in caught.value.suggestions
    assert "Did you mean" in str(caught.value)


def test_resolve_zone_needs_a_side_for_bilateral_zones() -> None:
    base = load_base()
    assert resolve_zone(base, "left calf") == "calf_l"
    with pytest.raises(UnknownZoneError):
        resolve_zone(base, "calf")


def test_search_ranks_and_narrows_by_side() -> None:
    hits = search_zones(load_base(), "left shoulder")
    assert hits
    assert all(all(z.endswith("_l") for z in h.zone_ids) for h in hits)
    assert any(h.base_id == "anterior_shoulder" for h in hits)


def test_suggestions_for_typos() -> None:
    assert "Calf" in suggest_zones(load_base(), "calff")


def test_a_phrase_with_one_unknown_piece_is_refused_whole() -> None:
    with pytest.raises(UnknownZoneError) as caught:
        resolve_zones(load_base(), "left temple and the xqzv")
    assert caught.value.name == "the xqzv"


def test_every_name_and_synonym_resolves_to_its_zone_or_a_shared_one() -> None:
    base = load_base()
    for spec in base.zone_specs.values():
        assert resolve_zones(base, spec.name)[0].startswith(spec.id) or spec.name.lower() in {
            s.lower() for other in base.zone_specs.values() if other.id != spec.id for s in other.synonyms
        }


@given(st.text(max_size=40))
def test_lookup_never_crashes(text: str) -> None:
    """Any input either resolves to known zones or raises UnknownZoneError."""
    base = load_base()
    try:
        ids = resolve_zones(base, text)
    except UnknownZoneError:
        return
    assert ids
    assert all(i in base.zones for i in ids)


def test_the_base_is_read_only() -> None:
    base = load_base()
    with pytest.raises(TypeError):
        base.zones["new_zone"] = base.zones["throat"]  # type: ignore[index]
    with pytest.raises(ValidationError):
        base.zone_specs["throat"].name = "Neck"  # type: ignore[misc]
