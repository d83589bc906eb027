"""Range of motion read from landmarks on a photo: goniometer zeros, invariance, refusals."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taut.core.errors import MeasurementError
from taut.core.measures.rom_photo import MOTIONS, landmarks_for, measure
from taut.core.vision.types import Point


def _polar(origin: Point, length: float, degrees_from_down: float) -> Point:
    """A point `length` away from `origin`, `degrees_from_down` counter-clockwise from straight down (y down)."""
    a = math.radians(degrees_from_down)
    return Point(origin.x + length * math.sin(a), origin.y + length * math.cos(a))


def _knee(flexion: float, side: str = "left") -> dict[str, Point]:
    hip = Point(500, 300)
    knee = Point(500, 500)
    return {f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": _polar(knee, 180, flexion)}


@pytest.mark.parametrize("flexion", [0.0, 30.0, 90.0, 135.0])
def test_knee_flexion_is_zero_when_straight_and_grows_with_the_bend(flexion: float) -> None:
    """A straight knee reads 0 degrees; a shin at 90 degrees to the thigh reads 90."""
    assert measure("knee_flexion", "left", _knee(flexion)).degrees == pytest.approx(flexion, abs=0.1)


@pytest.mark.parametrize(("arm_from_down", "expected"), [(0.0, 0.0), (90.0, 90.0), (170.0, 170.0)])
def test_shoulder_flexion_is_the_angle_between_trunk_and_arm(arm_from_down: float, expected: float) -> None:
    """Arm hanging along the trunk is 0; horizontal forward is 90; nearly overhead is 170."""
    shoulder = Point(400, 300)
    marks = {
        "right_hip": Point(400, 600),
        "right_shoulder": shoulder,
        "right_elbow": _polar(shoulder, 250, arm_from_down),
    }
    assert measure("shoulder_flexion", "right", marks).degrees == pytest.approx(expected, abs=0.1)


def test_ankle_at_neutral_reads_zero_and_pulled_up_reads_positive() -> None:
    """Shin vertical with the foot flat is 0 dorsiflexion; a foot tilted 15 degrees up reads 15."""
    knee, ankle = Point(300, 100), Point(300, 500)
    heel = Point(280, 520)
    flat = {"left_knee": knee, "left_ankle": ankle, "left_heel": heel, "left_foot_index": Point(480, 520)}
    assert measure("ankle_dorsiflexion", "left", flat).degrees == pytest.approx(0.0, abs=0.1)
    up = dict(flat)
    up["left_foot_index"] = Point(heel.x + 200 * math.cos(math.radians(15)), heel.y - 200 * math.sin(math.radians(15)))
    assert measure("ankle_dorsiflexion", "left", up).degrees == pytest.approx(15.0, abs=0.1)
    down = dict(flat)
    down["left_foot_index"] = Point(
        heel.x + 200 * math.cos(math.radians(40)), heel.y + 200 * math.sin(math.radians(40))
    )
    assert measure("ankle_plantarflexion", "left", down).degrees == pytest.approx(40.0, abs=0.1)


@given(
    flexion=st.floats(0, 150),
    turn=st.floats(-180, 180),
    scale=st.floats(0.2, 5),
    dx=st.floats(-2000, 2000),
    dy=st.floats(-2000, 2000),
)
def test_the_angle_does_not_depend_on_how_the_phone_was_held(
    flexion: float, turn: float, scale: float, dx: float, dy: float
) -> None:
    """Rotating, scaling and moving the photo leaves the joint angle unchanged."""
    marks = _knee(flexion)
    a = math.radians(turn)

    def move(p: Point) -> Point:
        x, y = p.x * scale, p.y * scale
        return Point(x * math.cos(a) - y * math.sin(a) + dx, x * math.sin(a) + y * math.cos(a) + dy)

    moved = {n: move(p) for n, p in marks.items()}
    assert measure("knee_flexion", "left", moved).degrees == pytest.approx(flexion, abs=0.1)


def test_each_side_uses_its_own_landmarks() -> None:
    """The right knee is measured from right_* landmarks; left ones alone are not enough."""
    assert landmarks_for("knee_flexion", "right") == ("right_hip", "right_knee", "right_ankle")
    with pytest.raises(MeasurementError, match="right_hip"):
        measure("knee_flexion", "right", _knee(40, "left"))


def test_unknown_motion_and_side_are_refused_with_the_choices() -> None:
    """A motion a photo cannot measure, or a side that is not left or right, is refused."""
    with pytest.raises(MeasurementError, match="knee_flexion"):
        measure("cervical_rotation", "left", _knee(10))
    with pytest.raises(MeasurementError, match="left or the right"):
        measure("knee_flexion", "middle", _knee(10))


def test_coincident_landmarks_are_refused() -> None:
    """Two landmarks on the same spot give no angle, and say so."""
    marks = _knee(30)
    marks["left_ankle"] = marks["left_knee"]
    with pytest.raises(MeasurementError, match="same spot"):
        measure("knee_flexion", "left", marks)


def test_past_neutral_is_recorded_as_zero_with_a_note() -> None:
    """A foot pointing down measured as dorsiflexion reads 0 and the reading says why."""
    knee, ankle, heel = Point(300, 100), Point(300, 500), Point(280, 520)
    down = {"left_knee": knee, "left_ankle": ankle, "left_heel": heel, "left_foot_index": Point(430, 640)}
    result = measure("ankle_dorsiflexion", "left", down)
    assert result.degrees == 0.0
    assert "past neutral" in result.reading


def test_every_photo_motion_is_a_joint_motion_with_a_norm() -> None:
    """Each motion offered for photos exists in the knowledge base and has a ROM norm to compare with."""
    from taut.core.knowledge.loader import load_base

    base = load_base()
    normed = {str(n.motion) for n in base.rom_norms.values()}
    assert set(MOTIONS) <= normed
