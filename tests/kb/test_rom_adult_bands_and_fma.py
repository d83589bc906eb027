"""Adult ROM norms by age band and sex, norms for the jaw, lumbar and thumb motions, and FMA ids."""

from __future__ import annotations

import pytest

from taut.core.bodymap import render_view
from taut.core.knowledge import load_base
from taut.core.knowledge.queries import rom_norm_for


@pytest.mark.parametrize(
    ("motion", "age", "sex", "expected_id"),
    [
        ("knee_flexion", 30, "female", "knee_flexion_female_20_44"),
        ("elbow_flexion", 40, "male", "elbow_flexion_male_20_44"),
        ("hip_extension", 60, "male", "hip_extension_male_45_69"),
        ("ankle_dorsiflexion", 50, "female", "ankle_dorsiflexion_female_45_69"),
        ("jaw_opening", 35, "female", "jaw_opening_female_21_70"),
        ("jaw_opening", 12, None, "jaw_opening_10_17"),
    ],
)
def test_adult_and_child_bands_are_chosen_by_age_and_sex(
    motion: str, age: int, sex: str | None, expected_id: str
) -> None:
    norm = rom_norm_for(load_base(), motion, age=age, sex=sex)
    assert norm is not None
    assert norm.id == expected_id


@pytest.mark.parametrize(
    "motion",
    [
        "jaw_protrusion",
        "jaw_lateral_deviation",
        "lumbar_rotation",
        "thumb_flexion",
        "thumb_extension",
        "thumb_adduction",
        "thoracic_flexion",
        "thoracic_extension",
    ],
)
def test_motions_that_lacked_a_norm_now_have_one(motion: str) -> None:
    norm = rom_norm_for(load_base(), motion)
    assert norm is not None
    assert norm.restricting_muscles


def test_jaw_excursions_are_in_millimetres() -> None:
    base = load_base()
    for motion in ("jaw_protrusion", "jaw_lateral_deviation"):
        norm = rom_norm_for(base, motion)
        assert norm is not None
        assert norm.unit == "mm"


def test_fma_ids_are_unique_across_muscles() -> None:
    ids = [m.fma_id for m in load_base().muscles.values() if m.fma_id is not None]
    assert ids, "some muscles carry an FMA id"
    assert len(ids) == len(set(ids))


def test_lateral_view_draws_both_sides_without_overlap() -> None:
    view = load_base().views["lateral"]
    shapes = {s.zone: s.points for s in view.shapes}  # all rectangles, so boxes are exact
    assert {"thigh_lateral_r", "thigh_lateral_l", "temple_r", "temple_l"} <= set(shapes)
    for zone, points in shapes.items():
        xs = [x for x, _ in points]
        # the client's right side is drawn on the viewer's left half, the left side on the right half
        assert (max(xs) <= view.mirror_x) if zone.endswith("_r") else (min(xs) >= view.mirror_x)
    for gx in range(0, int(view.width), 2):
        for gy in range(0, int(view.height), 2):
            x, y = gx + 0.5, gy + 0.5
            owners = [
                z
                for z, pts in shapes.items()
                if min(p[0] for p in pts) < x < max(p[0] for p in pts)
                and min(p[1] for p in pts) < y < max(p[1] for p in pts)
            ]
            assert len(owners) <= 1, f"{owners} overlap at {(x, y)}"


def test_lateral_view_renders() -> None:
    svg = render_view(load_base(), "lateral", {"thigh_lateral_r": "essential", "temple_l": "spillover"})
    assert svg.startswith("<svg")
