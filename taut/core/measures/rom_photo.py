"""Range of motion from a photo: the angle between two body segments, as a goniometer reads it.

The client holds the end of the range; the photo is taken square to the plane of the motion
(from the side for flexion and extension, from the front or back for abduction). The angle
comes from three or four landmarks (placed by the pose model or by the practitioner), with
the goniometer's usual zero: 0 degrees for a straight elbow or knee, for an arm hanging along
the trunk, for a thigh in line with the trunk, and 90 degrees between shin and foot standing.

An angle between two segments does not depend on how the phone was held, so no true vertical
is needed. What a single 2D photo cannot do: see motion out of the photo's plane (rotation),
or tell a trick movement of the trunk from motion of the joint. Both are said in the reading.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from taut.core.errors import MeasurementError
from taut.core.vision.types import Point


class Formula(StrEnum):
    BETWEEN = "between"  # the angle at the vertex: 0 = segments folded together, 180 = in line
    BEND = "bend"  # 180 minus that angle: 0 = segments in line (straight joint)
    SHIN_FOOT_UP = "shin_foot_up"  # dorsiflexion: 90 minus the shin-foot angle
    SHIN_FOOT_DOWN = "shin_foot_down"  # plantarflexion: the shin-foot angle minus 90


@dataclass(frozen=True, slots=True)
class PhotoMotion:
    motion: str
    label: str
    view: str  # the view to photograph it from: "side" or "front"
    points: tuple[str, ...]  # landmark stems (without left_/right_): proximal, vertex, distal (or shin/foot pairs)
    formula: Formula
    how: str


MOTIONS: dict[str, PhotoMotion] = {
    m.motion: m
    for m in (
        PhotoMotion("shoulder_flexion", "Shoulder flexion", "side", ("hip", "shoulder", "elbow"), Formula.BETWEEN,
                    "Arm raised forward as far as it goes, elbow straight; photo from the side of that arm."),
        PhotoMotion("shoulder_extension", "Shoulder extension", "side", ("hip", "shoulder", "elbow"), Formula.BETWEEN,
                    "Arm taken back as far as it goes, elbow straight; photo from the side of that arm."),
        PhotoMotion("shoulder_abduction", "Shoulder abduction", "front", ("hip", "shoulder", "elbow"),
                    Formula.BETWEEN, "Arm raised out to the side, palm up; photo from the front or back."),
        PhotoMotion("elbow_flexion", "Elbow flexion", "side", ("shoulder", "elbow", "wrist"), Formula.BEND,
                    "Elbow bent as far as it goes, upper arm along the trunk; photo from the side."),
        PhotoMotion("wrist_flexion", "Wrist flexion", "side", ("elbow", "wrist", "index"), Formula.BEND,
                    "Forearm resting, wrist bent down; photo from the thumb side."),
        PhotoMotion("wrist_extension", "Wrist extension", "side", ("elbow", "wrist", "index"), Formula.BEND,
                    "Forearm resting, wrist bent up; photo from the thumb side."),
        PhotoMotion("hip_flexion", "Hip flexion", "side", ("shoulder", "hip", "knee"), Formula.BEND,
                    "Lying on the back, knee bent, thigh brought to the chest; photo from that side."),
        PhotoMotion("hip_extension", "Hip extension", "side", ("shoulder", "hip", "knee"), Formula.BEND,
                    "Lying face down, the straight leg lifted; photo from that side."),
        PhotoMotion("hip_abduction", "Hip abduction", "front", ("shoulder", "hip", "knee"), Formula.BEND,
                    "Lying on the back, the straight leg taken out to the side; photo from above or the front."),
        PhotoMotion("knee_flexion", "Knee flexion", "side", ("hip", "knee", "ankle"), Formula.BEND,
                    "Lying face down or on the back, knee bent as far as it goes; photo from the side."),
        PhotoMotion("ankle_dorsiflexion", "Ankle dorsiflexion", "side", ("knee", "ankle", "heel", "foot_index"),
                    Formula.SHIN_FOOT_UP, "Sitting, knee bent, foot pulled up; photo from the outer side."),
        PhotoMotion("ankle_plantarflexion", "Ankle plantarflexion", "side", ("knee", "ankle", "heel", "foot_index"),
                    Formula.SHIN_FOOT_DOWN, "Sitting, foot pointed down; photo from the outer side."),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PhotoRom:
    motion: str
    side: str
    degrees: float
    landmarks: tuple[str, ...]
    reading: str


def landmarks_for(motion: str, side: str) -> tuple[str, ...]:
    """The landmark names one motion needs on one side (e.g. left_hip, left_knee, left_ankle)."""
    spec = _spec(motion)
    if side not in ("left", "right"):
        raise MeasurementError("side", "choose the left or the right side.")
    return tuple(f"{side}_{stem}" for stem in spec.points)


def _spec(motion: str) -> PhotoMotion:
    if motion not in MOTIONS:
        known = ", ".join(sorted(MOTIONS))
        raise MeasurementError("motion", f"{motion!r} cannot be measured from a photo; choose one of {known}.")
    return MOTIONS[motion]


def _vector(a: Point, b: Point) -> tuple[float, float]:
    return (b.x - a.x, b.y - a.y)


def _angle(u: tuple[float, float], v: tuple[float, float]) -> float:
    nu, nv = math.hypot(*u), math.hypot(*v)
    if nu < 1e-6 or nv < 1e-6:
        raise MeasurementError("landmarks", "two landmarks sit on the same spot; drag them apart onto the body.")
    cos = max(-1.0, min(1.0, (u[0] * v[0] + u[1] * v[1]) / (nu * nv)))
    return math.degrees(math.acos(cos))


def measure(motion: str, side: str, landmarks: Mapping[str, Point]) -> PhotoRom:
    """The joint angle for ``motion`` on ``side`` from landmarks in image pixels."""
    spec = _spec(motion)
    names = landmarks_for(motion, side)
    missing = [n for n in names if n not in landmarks]
    if missing:
        raise MeasurementError("landmarks", f"place {', '.join(missing)} on the photo to measure {spec.label}.")
    p = [landmarks[n] for n in names]
    if spec.formula in (Formula.BETWEEN, Formula.BEND):
        inner = _angle(_vector(p[1], p[0]), _vector(p[1], p[2]))
        value = inner if spec.formula is Formula.BETWEEN else 180.0 - inner
    else:
        shin_foot = _angle(_vector(p[1], p[0]), _vector(p[2], p[3]))
        value = 90.0 - shin_foot if spec.formula is Formula.SHIN_FOOT_UP else shin_foot - 90.0
    notes = [f"{spec.label} ({side}) read from the photo as {value:.0f}°."]
    if value < 0:
        notes.append("The joint is past neutral the other way; recorded as 0°. Check the landmarks.")
        value = 0.0
    notes.append(f"Photo from the {spec.view}. Motion out of the photo's plane, or a trunk that moves with the "
                 "limb, is not seen: confirm end range by hand.")  # fmt: skip
    return PhotoRom(motion, side, round(value, 1), names, " ".join(notes))
