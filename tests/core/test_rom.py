"""Range of motion: plausibility checks and the reading against the norm."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taut.core.knowledge import queries
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import JointMotion
from taut.core.measures.rom import (
    EndFeel,
    RomEntry,
    RomError,
    asymmetries,
    read,
    restricted_motions,
    side_differences,
)

BASE = load_base()
ROTATION = JointMotion.CERVICAL_ROTATION
NORM = queries.rom_norm_for(BASE, ROTATION)
assert NORM is not None
N = NORM.normal_degrees


def test_both_ranges_short_reads_as_restriction_and_names_the_short_muscles() -> None:
    reading = read(BASE, RomEntry(ROTATION, "left", active=N * 0.5, passive=N * 0.55))
    assert "restricted_passive" in reading.codes
    assert reading.muscles == NORM.restricting_muscles
    assert reading.active_percent == pytest.approx(50.0)


def test_active_short_of_a_full_passive_range_is_not_shortness() -> None:
    reading = read(BASE, RomEntry(ROTATION, "left", active=N * 0.5, passive=N))
    assert "restricted actively only" in reading.findings
    assert any("active below passive" in f for f in reading.findings)
    assert reading.muscles == ()


def test_a_normal_motion_has_no_restriction() -> None:
    reading = read(BASE, RomEntry(ROTATION, "right", active=N, passive=N))
    assert not reading.restricted
    assert reading.muscles == ()


def test_pain_arc_and_end_feel_are_reported() -> None:
    reading = read(BASE, RomEntry(ROTATION, "left", active=N, painful=True, painful_arc=True, end_feel=EndFeel.EMPTY))
    assert {"painful on motion", "painful arc", "empty end-feel"} <= set(reading.findings)


@pytest.mark.parametrize(("active", "field"), [(400, "active"), (-5, "active")])
def test_impossible_values_are_refused(active: float, field: str) -> None:
    with pytest.raises(RomError) as caught:
        read(BASE, RomEntry(JointMotion.KNEE_FLEXION, "left", active=active))
    assert caught.value.field == field
    assert "not a plausible knee flexion" in str(caught.value)


def test_an_entry_needs_a_value_and_a_side() -> None:
    with pytest.raises(RomError, match="active or a passive"):
        read(BASE, RomEntry(ROTATION, "left"))
    with pytest.raises(RomError, match="side"):
        read(BASE, RomEntry(ROTATION, "up", active=10))


def test_left_right_difference_and_restricted_motions() -> None:
    readings = [
        read(BASE, RomEntry(ROTATION, "left", active=N * 0.5, passive=N * 0.5)),
        read(BASE, RomEntry(ROTATION, "right", active=N, passive=N)),
    ]
    assert side_differences(readings) == {ROTATION.value: pytest.approx(-50.0)}
    assert restricted_motions(readings) == {ROTATION.value}


# The knowledge base's shoulder-flexion norms (female 20-44: 172.0; female 18-59: 188.0; male 20-91:
# 161.5; any sex 65-85: 165.0 degrees), written out here with the rule the norms are chosen by (the
# client's sex before "any", then the narrowest age band), so the reading is checked against the
# data and not against the lookup the reading itself uses.
@pytest.mark.parametrize(
    ("sex", "age", "norm_id", "degrees"),
    [
        ("female", 30, "shoulder_flexion_female_20_44", 172.0),
        ("female", 50, "shoulder_flexion_female_18_59", 188.0),
        ("male", 60, "shoulder_flexion_male_20_91", 161.5),
        (None, 70, "shoulder_flexion_age_65_85", 165.0),
    ],
)
def test_the_norm_follows_age_and_sex_where_published(sex: str | None, age: int, norm_id: str, degrees: float) -> None:
    reading = read(BASE, RomEntry(JointMotion.SHOULDER_FLEXION, "left", active=94.0), age=age, sex=sex)
    assert reading.norm_id == norm_id
    assert reading.norm == degrees
    assert reading.active_percent == pytest.approx(round(94.0 / degrees * 100, 1))


def test_findings_carry_codes_in_the_order_of_their_words() -> None:
    restricted = read(BASE, RomEntry(ROTATION, "left", active=N * 0.5, passive=N * 0.55, painful=True))
    assert restricted.codes == ("restricted_passive", "painful")
    assert restricted.findings == ("restricted, passive too: a short muscle or a stiff joint", "painful on motion")
    assert restricted.restricted
    full = read(BASE, RomEntry(ROTATION, "left", active=N, passive=N, end_feel=EndFeel.EMPTY))
    assert full.codes == ("end_feel_empty",)
    assert not full.restricted


@given(st.floats(min_value=0, max_value=180), st.floats(min_value=0, max_value=180))
def test_any_plausible_entry_reads_without_error(active: float, passive: float) -> None:
    reading = read(BASE, RomEntry(JointMotion.SHOULDER_FLEXION, "left", active=active, passive=passive))
    assert reading.active_percent is None or reading.active_percent >= 0


# ---- issue 13, item 10: degrees beside the norm, left-right asymmetry, hypermobility only beyond
# a published upper limit of normal.


def test_a_reading_carries_the_measured_degrees_and_the_limits_of_normal() -> None:
    reading = read(BASE, RomEntry(ROTATION, "left", active=55, passive=58))
    assert (reading.active, reading.passive, reading.norm) == (55, 58, N)
    thumb = read(BASE, RomEntry(JointMotion.THUMB_ABDUCTION, "left", active=60), age=25)
    assert (thumb.norm_low, thumb.norm_high) == (53, 71)


def test_above_the_average_norm_is_not_hypermobile() -> None:
    """50 degrees of neck extension is above the 45-degree average but no upper limit of normal is
    published for it, so it is not called hypermobile."""
    reading = read(BASE, RomEntry(JointMotion.CERVICAL_EXTENSION, "midline", active=50))
    assert reading.norm == 45
    assert "hypermobile" not in reading.codes
    assert not any("hypermobile" in f for f in reading.findings)
    assert "hypermobile" not in read(BASE, RomEntry(ROTATION, "right", active=N * 1.3)).codes


@pytest.mark.parametrize(("active", "hypermobile"), [(68, False), (71, False), (75, True)])
def test_hypermobile_only_beyond_the_published_upper_limit(active: float, hypermobile: bool) -> None:
    """Thumb radial abduction (18-37 years): mean 62.9, normal up to 71 degrees (Barakat)."""
    reading = read(BASE, RomEntry(JointMotion.THUMB_ABDUCTION, "left", active=active), age=25)
    assert reading.norm_high == 71
    assert ("hypermobile" in reading.codes) is hypermobile


def test_a_left_right_difference_over_ten_degrees_is_named_in_degrees() -> None:
    readings = [read(BASE, RomEntry(ROTATION, "left", active=55)), read(BASE, RomEntry(ROTATION, "right", active=72))]
    found = asymmetries(readings)
    assert len(found) == 1
    a = found[0]
    assert (a.motion, a.left, a.right, a.difference, a.smaller_side, a.mode) == (
        ROTATION.value,
        55,
        72,
        17,
        "left",
        "active",
    )
    assert a.source == "fletcher_bandy_2008_crom"
    assert a.source in BASE.sources
    text = a.words()
    assert "55" in text
    assert "72" in text
    assert "17 degrees less on the left" in text
    assert "_" not in text


@pytest.mark.parametrize(
    ("left", "right", "flagged"), [(62, 72, False), (61.5, 72, True), (72, 60, True), (70, 70, False)]
)
def test_the_asymmetry_threshold_is_more_than_ten_degrees(left: float, right: float, flagged: bool) -> None:
    readings = [
        read(BASE, RomEntry(ROTATION, "left", active=left)),
        read(BASE, RomEntry(ROTATION, "right", active=right)),
    ]
    assert bool(asymmetries(readings)) is flagged


def test_asymmetry_compares_like_with_like() -> None:
    """Active on one side and passive on the other are not compared."""
    readings = [read(BASE, RomEntry(ROTATION, "left", active=40)), read(BASE, RomEntry(ROTATION, "right", passive=72))]
    assert asymmetries(readings) == []
