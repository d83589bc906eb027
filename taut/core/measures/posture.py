"""Posture from landmarks on one standing photo: angles and offsets, flags, findings, patterns.

Input is a mapping of landmark names (``taut.core.vision.types.ALL_LANDMARKS``) to points in
image pixels (x right, y down) and the view (which side of the client faces the camera).
Landmark names always carry the *client's* side: ``left_shoulder`` is the client's left
shoulder whatever the view.

A tilted phone must not read as a leaning client: pass ``vertical``, two points on a line
that is truly vertical in the scene (a plumb line, a door frame), and every measure is made
after rotating the landmarks so that line is vertical. Without it the image vertical is used.

Each measure's normal range and error come from the knowledge base (``movement/*.yaml``);
a value is flagged only beyond ``normal +- error``, so small asymmetries within the error of
a 2D photo are never flagged. Flagged measures raise findings; findings suggest patterns;
both carry the muscles that tend to be short and long.

Conventions (documented in docs/posture.md):

* Side views: "forward" is the way the client faces, inferred from the nose against the ears,
  else from the view (``left``: the client's left side faces the camera, so they face image-left).
  Landmarks of the side nearer the camera are preferred.
* Percent measures are in percent of body height taken as the vertical distance from the
  ankles to the ears (or the nose when no ear is found).
* Front and back views: asymmetry measures are unsigned, with ``side`` naming the higher (or
  leaning) side; the knee frontal-plane angle is signed, positive for valgus.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from taut.core.errors import MeasurementError, UnknownEntryError
from taut.core.knowledge import queries
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import KnowledgeBase, MovementMeasure
from taut.core.measures import movement
from taut.core.measures.movement import Skipped
from taut.core.vision.types import ALL_LANDMARKS, PhotoView, Point

__all__ = [
    "MAX_TILT_DEG",
    "Arc",
    "FindingResult",
    "Geometry",
    "Measurement",
    "MuscleRef",
    "PatternResult",
    "PostureReport",
    "Segment",
    "Skipped",
    "analyse",
]

MAX_TILT_DEG = 45.0  # a marked vertical leaning further than this means a sideways photo or a wrong mark
_EPS = 1e-9


# ------------------------------------------------------------------ result types


@dataclass(frozen=True, slots=True)
class Measurement:
    """One measure made from the photo. ``value`` is rounded for display; ``exact`` is not."""

    id: str
    name: str
    value: float
    unit: str
    normal_low: float | None
    normal_high: float | None
    error: float
    status: str  # normal | low | high
    side: str | None  # the client's side where it applies (left | right), else None
    reading: str
    landmarks: tuple[str, ...]
    proxy: bool = False  # a stand-in for the named measure (e.g. ear-shoulder angle for the CVA)
    finding: str | None = None  # the finding raised, when flagged
    exact: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "normal": {"low": self.normal_low, "high": self.normal_high},
            "error": self.error,
            "status": self.status,
            "side": self.side,
            "reading": self.reading,
            "landmarks": list(self.landmarks),
            "proxy": self.proxy,
            "finding": self.finding,
        }


@dataclass(frozen=True, slots=True)
class MuscleRef:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class FindingResult:
    id: str
    name: str
    sides: tuple[str, ...]  # client sides where it was found (empty when not sided)
    measures: tuple[str, ...]  # the flagged measures that raised it
    short: tuple[MuscleRef, ...]
    long: tuple[MuscleRef, ...]
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PatternResult:
    id: str
    name: str
    matched: tuple[str, ...]  # its findings that are present
    short: tuple[MuscleRef, ...]
    long: tuple[MuscleRef, ...]
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """A line to draw on the photo, in the photo's own pixel coordinates."""

    measure: str
    a: Point
    b: Point
    side: str | None = None


@dataclass(frozen=True, slots=True)
class Arc:
    """An angle to draw: centre, radius (px) and the angles of its two arms.

    Angles are in degrees in image coordinates: 0 points to image-right and positive turns
    clockwise on screen (y down), i.e. ``atan2(dy, dx)``. The arc spans from ``start_deg`` to
    ``end_deg`` the short way round.
    """

    measure: str
    centre: Point
    radius: float
    start_deg: float
    end_deg: float
    side: str | None = None


@dataclass(frozen=True, slots=True)
class Geometry:
    """What a renderer needs to annotate the photo, all in the photo's pixel coordinates."""

    vertical: Segment | None  # the practitioner's true vertical, as given
    plumb: Segment | None  # the plumb line (through the ankle, or between the ankles)
    segments: tuple[Segment, ...]
    arcs: tuple[Arc, ...]
    points: Mapping[str, Point]

    def to_dict(self) -> dict[str, Any]:
        def seg(s: Segment) -> dict[str, Any]:
            return {"measure": s.measure, "side": s.side, "a": _xy(s.a), "b": _xy(s.b)}

        return {
            "vertical": seg(self.vertical) if self.vertical else None,
            "plumb": seg(self.plumb) if self.plumb else None,
            "segments": [seg(s) for s in self.segments],
            "arcs": [
                {
                    "measure": a.measure,
                    "side": a.side,
                    "centre": _xy(a.centre),
                    "radius": round(a.radius, 2),
                    "start_deg": round(a.start_deg, 2),
                    "end_deg": round(a.end_deg, 2),
                }
                for a in self.arcs
            ],
            "points": {name: _xy(p) for name, p in sorted(self.points.items())},
        }


@dataclass(frozen=True, slots=True)
class PostureReport:
    view: str
    facing: str | None  # side views: the image direction the client faces (left | right)
    tilt_correction_deg: float  # rotation applied to the landmarks, positive clockwise on screen
    measures: tuple[Measurement, ...]
    skipped: tuple[Skipped, ...]
    findings: tuple[FindingResult, ...]
    patterns: tuple[PatternResult, ...]
    warnings: tuple[str, ...]
    kb_version: str
    geometry: Geometry

    def measure(self, measure_id: str, side: str | None = None) -> Measurement:
        """The measure with ``measure_id`` (and ``side``, for per-side measures); KeyError if absent."""
        for m in self.measures:
            if m.id == measure_id and (side is None or m.side == side):
                return m
        raise KeyError(f"{measure_id} ({side})" if side else measure_id)

    def to_dict(self) -> dict[str, Any]:
        def muscles(refs: Iterable[MuscleRef]) -> list[dict[str, str]]:
            return [{"id": r.id, "name": r.name} for r in refs]

        return {
            "view": self.view,
            "facing": self.facing,
            "tilt_correction_deg": self.tilt_correction_deg,
            "kb_version": self.kb_version,
            "measures": [m.to_dict() for m in self.measures],
            "skipped": [{"id": s.id, "side": s.side, "reason": s.reason} for s in self.skipped],
            "findings": [
                {
                    "id": f.id,
                    "name": f.name,
                    "sides": list(f.sides),
                    "measures": list(f.measures),
                    "short": muscles(f.short),
                    "long": muscles(f.long),
                    "note": f.note,
                    "sources": list(f.sources),
                }
                for f in self.findings
            ],
            "patterns": [
                {
                    "id": p.id,
                    "name": p.name,
                    "matched": list(p.matched),
                    "short": muscles(p.short),
                    "long": muscles(p.long),
                    "note": p.note,
                    "sources": list(p.sources),
                }
                for p in self.patterns
            ],
            "warnings": list(self.warnings),
            "geometry": self.geometry.to_dict(),
        }


def _xy(p: Point) -> list[float]:
    return [round(p.x, 2), round(p.y, 2)]


# ------------------------------------------------------------------ geometry helpers


def _rotate(p: Point, pivot: Point, degrees: float) -> Point:
    """Rotate ``p`` about ``pivot``; positive turns clockwise on screen (y down)."""
    r = math.radians(degrees)
    c, s = math.cos(r), math.sin(r)
    dx, dy = p.x - pivot.x, p.y - pivot.y
    return Point(pivot.x + dx * c - dy * s, pivot.y + dx * s + dy * c)


def _mid(a: Point, b: Point) -> Point:
    return Point((a.x + b.x) / 2, (a.y + b.y) / 2)


def _deg(rad: float) -> float:
    return math.degrees(rad)


def _direction(a: Point, b: Point) -> float:
    """Image angle of the ray a->b (degrees, atan2(dy, dx), clockwise positive)."""
    return _deg(math.atan2(b.y - a.y, b.x - a.x))


def _line_x_at(a: Point, b: Point, y: float) -> float | None:
    """x of the line through a and b at height y (None when the line is horizontal)."""
    if abs(b.y - a.y) < _EPS:
        return None
    return a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y)


def _bend(a: Point, joint: Point, c: Point) -> float | None:
    """180 less the angle at ``joint`` between joint->a and joint->c (0 = straight)."""
    v1 = (a.x - joint.x, a.y - joint.y)
    v2 = (c.x - joint.x, c.y - joint.y)
    n1, n2 = math.hypot(*v1), math.hypot(*v2)
    if n1 < _EPS or n2 < _EPS:
        return None
    cos = max(-1.0, min(1.0, (v1[0] * v2[0] + v1[1] * v2[1]) / (n1 * n2)))
    return 180.0 - _deg(math.acos(cos))


# ------------------------------------------------------------------ input checks


def _check_view(view: PhotoView | str) -> PhotoView:
    try:
        return PhotoView(str(view).lower())
    except ValueError:
        allowed = ", ".join(v.value for v in PhotoView)
        raise MeasurementError("view", f"{view!r} is not a photo view; use one of: {allowed}.") from None


def _check_landmarks(landmarks: Mapping[str, Point]) -> dict[str, Point]:
    out: dict[str, Point] = {}
    for name, point in landmarks.items():
        if name not in ALL_LANDMARKS:
            raise MeasurementError(
                "landmarks",
                f"{name!r} is not a landmark name; use the BlazePose names (e.g. 'left_shoulder') or 'c7'.",
            )
        if not isinstance(point, Point) or not (math.isfinite(point.x) and math.isfinite(point.y)):
            raise MeasurementError("landmarks", f"{name!r} needs a Point with finite x and y pixel coordinates.")
        out[name] = point
    return out


def _tilt(vertical: tuple[Point, Point]) -> float:
    """Degrees the marked vertical leans from the image vertical (top to the right is positive)."""
    a, b = vertical
    dx, dy = b.x - a.x, b.y - a.y
    if math.hypot(dx, dy) < 1.0:
        raise MeasurementError(
            "vertical", "the two points of the vertical are the same; mark two points far apart on a vertical line."
        )
    if dy > 0:  # orient the line upward (y down)
        dx, dy = -dx, -dy
    lean = _deg(math.atan2(dx, -dy))
    if abs(lean) > MAX_TILT_DEG:
        raise MeasurementError(
            "vertical",
            f"the marked vertical leans {abs(lean):.0f} degrees from the photo's vertical; more than"
            f" {MAX_TILT_DEG:.0f} means the photo is sideways or the line is not vertical. Rotate the photo"
            " upright, or mark a plumb line or door frame.",
        )
    return lean


# ------------------------------------------------------------------ the analysis


@dataclass
class _Work:
    """Landmarks in the corrected (upright) frame and what has been measured so far."""

    kb: KnowledgeBase
    view: PhotoView
    pts: dict[str, Point]
    rotation: float  # degrees applied to the photo's points to get ``pts``
    pivot: Point
    measures: list[Measurement] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    arcs: list[Arc] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    plumb: Segment | None = None

    def back(self, p: Point) -> Point:
        """A corrected-frame point in the photo's coordinates."""
        return _rotate(p, self.pivot, -self.rotation)

    def get(self, *names: str) -> list[Point] | None:
        if all(n in self.pts for n in names):
            return [self.pts[n] for n in names]
        return None

    def missing(self, *names: str) -> list[str]:
        return [n for n in names if n not in self.pts]

    def skip(self, measure_id: str, reason: str, side: str | None = None) -> None:
        self.skipped.append(Skipped(measure_id, reason, side))

    def segment(self, measure: str, a: Point, b: Point, side: str | None = None) -> None:
        self.segments.append(Segment(measure, self.back(a), self.back(b), side))

    def arc(
        self, measure: str, centre: Point, radius: float, start: float, end: float, side: str | None = None
    ) -> None:
        """Arc between two arms given as corrected-frame directions (degrees)."""
        self.arcs.append(Arc(measure, self.back(centre), radius, start - self.rotation, end - self.rotation, side))

    def add(
        self,
        measure_id: str,
        exact: float,
        names: Iterable[str],
        *,
        side: str | None = None,
        proxy: bool = False,
    ) -> Measurement | None:
        spec = self.kb.movement_measures.get(measure_id)
        if spec is None:
            self.skip(measure_id, "the knowledge base has no entry for this measure (its norm is unknown)", side)
            return None
        value = round(exact, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
        if value == 0.0 and side is not None and measure_id in _DIRECTIONAL:
            side = None  # a level line or no shift leans to neither side
        status = movement.status(spec, value)
        finding = movement.finding_for(spec, status)
        used = tuple(names)
        self.used.update(used)
        m = Measurement(
            id=spec.id,
            name=spec.name,
            value=value,
            unit=spec.unit,
            normal_low=spec.normal.low,
            normal_high=spec.normal.high,
            error=spec.error,
            status=status,
            side=side,
            reading=_reading(spec, value, status, side),
            landmarks=used,
            proxy=proxy,
            finding=finding,
            exact=exact,
        )
        self.measures.append(m)
        return m


# Measures whose ``side`` is a direction (which side is higher or leans), not a limb.
_DIRECTIONAL = frozenset(
    {"head_tilt", "shoulder_tilt", "pelvic_obliquity", "trunk_lateral_shift", "weight_line_offset"}
)


def analyse(
    landmarks: Mapping[str, Point],
    view: PhotoView | str,
    *,
    vertical: tuple[Point, Point] | None = None,
    kb: KnowledgeBase | None = None,
) -> PostureReport:
    """Every posture measure the view and landmarks allow, with flags, findings and patterns.

    Raises MeasurementError for an unknown view or landmark name, a bad ``vertical``, an
    upside-down photo, or when no measure at all can be made.
    """
    photo_view = _check_view(view)
    pts = _check_landmarks(landmarks)
    base = kb if kb is not None else load_base()
    rotation = 0.0
    pivot = Point(0.0, 0.0)
    if vertical is not None:
        rotation = -_tilt(vertical)
        pivot = vertical[0]
        pts = {name: _rotate(p, pivot, rotation) for name, p in pts.items()}
    work = _Work(base, photo_view, pts, rotation, pivot)
    _check_upright(work)
    _check_standing(work)
    facing: str | None = None
    if photo_view in (PhotoView.LEFT, PhotoView.RIGHT):
        forward = _facing(work)
        facing = "right" if forward > 0 else "left"
        _side_view(work, forward)
        _withhold_if_bent(work, forward)
    else:
        _frontal_view(work)
    if not work.measures:
        reasons = "; ".join(f"{s.id}{' (' + s.side + ')' if s.side else ''}: {s.reason}" for s in work.skipped)
        raise MeasurementError(
            "landmarks",
            f"no posture measure can be made from this {photo_view.value} view. {reasons}. Retake the photo with the"
            " whole body in frame, or place the missing landmarks by hand.",
        )
    findings = _findings(base, work.measures)
    patterns = _patterns(base, findings)
    vertical_segment = Segment("vertical", vertical[0], vertical[1]) if vertical is not None else None
    geometry = Geometry(
        vertical=vertical_segment,
        plumb=work.plumb,
        segments=tuple(work.segments),
        arcs=tuple(work.arcs),
        points={name: landmarks[name] for name in sorted(work.used)},
    )
    return PostureReport(
        view=photo_view.value,
        facing=facing,
        tilt_correction_deg=round(rotation, 2) + 0.0,
        measures=tuple(work.measures),
        skipped=tuple(work.skipped),
        findings=findings,
        patterns=patterns,
        warnings=tuple(work.warnings),
        kb_version=base.version,
        geometry=geometry,
    )


def _check_upright(work: _Work) -> None:
    heads = [work.pts[n] for n in ("nose", "left_ear", "right_ear", "left_shoulder", "right_shoulder") if n in work.pts]
    feet = [work.pts[n] for n in ("left_ankle", "right_ankle") if n in work.pts]
    if heads and feet and min(p.y for p in feet) < max(p.y for p in heads):
        raise MeasurementError(
            "landmarks",
            "the ankles lie above the head or shoulders; the photo is upside down or sideways, or the vertical"
            " was marked wrongly. Rotate the photo upright and try again.",
        )


# Beyond this lean of the trunk (mid-hip to mid-shoulder) from the vertical, the client is not in
# the relaxed standing position the measures and their norms assume.
STANDING_LEAN_LIMIT = 20.0


def _check_standing(work: _Work) -> None:
    names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not all(n in work.pts for n in names):
        return
    shoulders = _mid(work.pts["left_shoulder"], work.pts["right_shoulder"])
    hips = _mid(work.pts["left_hip"], work.pts["right_hip"])
    lean = _deg(math.atan2(abs(shoulders.x - hips.x), max(1e-6, hips.y - shoulders.y)))
    if hips.y <= shoulders.y or lean > STANDING_LEAN_LIMIT:
        work.warnings.append(
            f"The trunk leans {lean:.0f}° from the vertical: the client does not seem to stand upright and relaxed,"
            " which these measures and their norms assume. Retake the photo standing, or check the landmarks."
        )


# A relaxed standing knee or hip is within a few degrees of straight; beyond these bends (seen from
# the side) the client is crouching, sitting or mid-step, and the standing measures and their norms
# do not apply. They are withheld with a warning; head and neck measures stay.
KNEE_BENT_LIMIT = 20.0
HIP_BENT_LIMIT = 30.0
STANDING_ONLY = (
    "knee_hyperextension",
    "body_sway_angle",
    "pelvis_forward_offset",
    "plumb_ear_offset",
    "plumb_shoulder_offset",
    "plumb_hip_offset",
    "plumb_knee_offset",
)


def _bends(work: _Work, f: float) -> list[str]:
    """The knee and hip bends (side view) past their standing limits, in words."""
    shoulder, hip, knee, ankle = (_near(work, p) for p in ("shoulder", "hip", "knee", "ankle"))
    found: list[str] = []
    if hip and knee and ankle:
        h, k, a = work.pts[hip], work.pts[knee], work.pts[ankle]
        bend, line_x = _bend(h, k, a), _line_x_at(h, a, k.y)
        # a knee in front of the hip-ankle line is flexed; behind it, hyperextended (measured, not withheld)
        if bend is not None and line_x is not None and f * (k.x - line_x) > 0 and bend > KNEE_BENT_LIMIT:
            found.append(f"the knee is bent {bend:.0f}°")
    if shoulder and hip and knee:
        bend = _bend(work.pts[shoulder], work.pts[hip], work.pts[knee])
        if bend is not None and bend > HIP_BENT_LIMIT:
            found.append(f"the hip is bent {bend:.0f}°")
    return found


def _withhold_if_bent(work: _Work, f: float) -> None:
    bends = _bends(work, f)
    if not bends:
        return
    reason = " and ".join(bends) + ": these measures assume a client standing straight"
    kept = [m for m in work.measures if m.id not in STANDING_ONLY]
    for m in work.measures:
        if m.id in STANDING_ONLY:
            work.skip(m.id, reason, m.side)
    work.measures[:] = kept
    work.segments[:] = [s for s in work.segments if s.measure not in STANDING_ONLY]
    work.arcs[:] = [a for a in work.arcs if a.measure not in STANDING_ONLY]
    work.plumb = None
    work.warnings.append(
        f"{reason[0].upper()}{reason[1:]}, so the plumb-line, sway and knee measures are withheld. Retake the"
        " photo with the client standing relaxed and straight, or check the landmarks."
    )


def _height(work: _Work, ankle_y: float) -> tuple[float, str] | None:
    """Body height (ankle level to ear level, else nose) in pixels, and the landmark used."""
    ears = [work.pts[n] for n in ("left_ear", "right_ear") if n in work.pts]
    top = sum(p.y for p in ears) / len(ears) if ears else work.pts["nose"].y if "nose" in work.pts else None
    if top is None or ankle_y - top < 1.0:
        return None
    return ankle_y - top, "ears" if ears else "nose"


# ------------------------------------------------------------------ side views


def _facing(work: _Work) -> float:
    """+1 when the client faces image-right, -1 when image-left."""
    ears = [work.pts[n] for n in ("left_ear", "right_ear") if n in work.pts]
    if "nose" in work.pts and ears:
        dx = work.pts["nose"].x - sum(p.x for p in ears) / len(ears)
        if abs(dx) > 1.0:
            return 1.0 if dx > 0 else -1.0
    return -1.0 if work.view is PhotoView.LEFT else 1.0


def _near(work: _Work, part: str) -> str | None:
    """The landmark name of ``part`` on the side nearer the camera, else the far side."""
    near = "left" if work.view is PhotoView.LEFT else "right"
    far = "right" if near == "left" else "left"
    for side in (near, far):
        if f"{side}_{part}" in work.pts:
            return f"{side}_{part}"
    return None


def _side_view(work: _Work, f: float) -> None:
    ear, shoulder, hip, knee, ankle = (_near(work, p) for p in ("ear", "shoulder", "hip", "knee", "ankle"))
    c7 = work.pts.get("c7")
    fwd_deg = 0.0 if f > 0 else 180.0  # corrected-frame direction of "forward"
    # craniovertebral angle, true or proxy
    if c7 is not None and ear is not None:
        e = work.pts[ear]
        angle = _deg(math.atan2(c7.y - e.y, f * (e.x - c7.x)))
        work.add("craniovertebral_angle", angle, ("c7", ear))
        work.segment("craniovertebral_angle", c7, e)
        work.arc("craniovertebral_angle", c7, 0.4 * c7.distance(e), fwd_deg, _direction(c7, e))
    elif ear is not None and shoulder is not None:
        e, s = work.pts[ear], work.pts[shoulder]
        angle = _deg(math.atan2(s.y - e.y, f * (e.x - s.x)))
        work.add("craniovertebral_angle_proxy", angle, (shoulder, ear), proxy=True)
        work.segment("craniovertebral_angle_proxy", s, e)
        work.arc("craniovertebral_angle_proxy", s, 0.4 * s.distance(e), fwd_deg, _direction(s, e))
        work.skip("craniovertebral_angle", "needs C7: place it on the photo for the true angle (a proxy is given)")
    else:
        work.skip("craniovertebral_angle", "needs an ear and C7 (or a shoulder for the proxy)")
    # sagittal shoulder angle
    if c7 is not None and shoulder is not None:
        s = work.pts[shoulder]
        angle = _deg(math.atan2(s.y - c7.y, f * (s.x - c7.x)))
        work.add("shoulder_c7_angle", angle, ("c7", shoulder))
        work.segment("shoulder_c7_angle", c7, s)
        work.arc("shoulder_c7_angle", c7, 0.4 * c7.distance(s), fwd_deg, _direction(c7, s))
    else:
        work.skip("shoulder_c7_angle", "needs C7 and a shoulder: place C7 on the photo to measure shoulder protraction")
    # knee past straight
    if hip and knee and ankle:
        h, k, a = work.pts[hip], work.pts[knee], work.pts[ankle]
        bend = _bend(h, k, a)
        line_x = _line_x_at(h, a, k.y)
        if bend is None or line_x is None:
            work.skip("knee_hyperextension", "the hip, knee and ankle coincide; check the landmarks")
        else:
            behind = f * (k.x - line_x) < 0
            work.add("knee_hyperextension", bend if behind else -bend, (hip, knee, ankle))
            work.segment("knee_hyperextension", h, k)
            work.segment("knee_hyperextension", k, a)
            r = 0.3 * min(k.distance(h), k.distance(a))
            work.arc("knee_hyperextension", k, r, _direction(k, h) + 180.0, _direction(k, a))
    else:
        work.skip("knee_hyperextension", "needs a hip, knee and ankle on the same side")
    if ankle is None:
        for mid in ("body_sway_angle", "pelvis_forward_offset", "plumb_ear_offset", "plumb_shoulder_offset",
                    "plumb_hip_offset", "plumb_knee_offset"):  # fmt: skip
            work.skip(mid, "needs an ankle (the foot of the plumb line)")
        return
    a = work.pts[ankle]
    height = _height(work, a.y)
    if shoulder is not None:
        s = work.pts[shoulder]
        work.add("body_sway_angle", _deg(math.atan2(f * (s.x - a.x), a.y - s.y)), (ankle, shoulder))
        work.segment("body_sway_angle", a, s)
        work.arc("body_sway_angle", a, 0.25 * a.distance(s), -90.0, _direction(a, s))
    else:
        work.skip("body_sway_angle", "needs a shoulder and an ankle")
    if height is None:
        reason = "needs an ear or the nose to know the body height"
        for mid in ("pelvis_forward_offset", "plumb_ear_offset", "plumb_shoulder_offset", "plumb_hip_offset",
                    "plumb_knee_offset"):  # fmt: skip
            work.skip(mid, reason)
        return
    tall, top = height
    top_y = a.y - tall
    work.plumb = Segment("plumb_line", work.back(a), work.back(Point(a.x, top_y)))
    head = ("left_ear", "right_ear") if top == "ears" else ("nose",)
    if shoulder is not None and hip is not None:
        s, h = work.pts[shoulder], work.pts[hip]
        line_x = _line_x_at(a, s, h.y)
        if line_x is not None:
            offset = f * (h.x - line_x) / tall * 100
            work.add("pelvis_forward_offset", offset, (ankle, hip, shoulder, *_present(work, head)))
            work.segment("pelvis_forward_offset", h, Point(line_x, h.y))
    else:
        work.skip("pelvis_forward_offset", "needs a shoulder, a hip and an ankle")
    for part, name in (("ear", ear), ("shoulder", shoulder), ("hip", hip), ("knee", knee)):
        mid = f"plumb_{part}_offset"
        if name is None:
            work.skip(mid, f"needs the {part}")
            continue
        p = work.pts[name]
        work.add(mid, f * (p.x - a.x) / tall * 100, (ankle, name, *_present(work, head)))
        work.segment(mid, p, Point(a.x, p.y))


def _present(work: _Work, names: Iterable[str]) -> tuple[str, ...]:
    return tuple(n for n in names if n in work.pts)


# ------------------------------------------------------------------ front and back views


def _frontal_view(work: _Work) -> None:
    # +1: the client's left lies toward image-right (front view); -1 in a back view.
    s = 1.0 if work.view is PhotoView.FRONT else -1.0
    _check_sides(work, s)
    if work.view is PhotoView.FRONT and work.get("left_eye", "right_eye"):
        head = ("left_eye", "right_eye")
    else:
        head = ("left_ear", "right_ear")
    _level(work, "head_tilt", *head, lower_is_side=True)
    _level(work, "shoulder_tilt", "left_shoulder", "right_shoulder", lower_is_side=False)
    _level(work, "pelvic_obliquity", "left_hip", "right_hip", lower_is_side=False)
    trunk = work.get("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if trunk:
        ms, mh = _mid(trunk[0], trunk[1]), _mid(trunk[2], trunk[3])
        if mh.y - ms.y < 1.0:
            work.skip("trunk_lateral_shift", "the shoulders are not above the hips; check the landmarks")
        else:
            dx = ms.x - mh.x
            side = None if abs(dx) < _EPS else ("left" if dx * s > 0 else "right")
            work.add("trunk_lateral_shift", _deg(math.atan2(abs(dx), mh.y - ms.y)),
                     ("left_shoulder", "right_shoulder", "left_hip", "right_hip"), side=side)  # fmt: skip
            work.segment("trunk_lateral_shift", mh, ms)
            work.arc("trunk_lateral_shift", mh, 0.3 * mh.distance(ms), -90.0, _direction(mh, ms))
    else:
        work.skip("trunk_lateral_shift", "needs both shoulders and both hips: " + ", ".join(work.missing(
            "left_shoulder", "right_shoulder", "left_hip", "right_hip")))  # fmt: skip
    for side in ("left", "right"):
        _knee_frontal(work, side, s)
    _weight_line(work, s)


def _check_sides(work: _Work, s: float) -> None:
    """Warn when the named sides sit the wrong way round for the view (front and back mixed up)."""
    for part in ("shoulder", "hip"):
        pair = work.get(f"left_{part}", f"right_{part}")
        if pair and abs(pair[0].x - pair[1].x) > 1.0:
            client_left_on_right = pair[0].x > pair[1].x
            if client_left_on_right != (s > 0):
                other = "back" if s > 0 else "front"
                work.warnings.append(
                    f"the client's left {part} lies on the image {'right' if client_left_on_right else 'left'},"
                    f" which fits a {other} view, not a {work.view.value} view; check the view chosen, or the"
                    " pose model's left and right"
                )
            return


def _level(work: _Work, measure_id: str, left: str, right: str, *, lower_is_side: bool) -> None:
    pair = work.get(left, right)
    if not pair:
        work.skip(measure_id, "needs " + " and ".join(work.missing(left, right)))
        return
    lp, rp = pair
    dx, dy = abs(lp.x - rp.x), rp.y - lp.y  # dy > 0: the left point is higher
    if dx < 1.0:
        work.skip(measure_id, f"{left} and {right} lie one above the other; is this a side view?")
        return
    angle = _deg(math.atan2(abs(dy), dx))
    side: str | None = None
    if abs(dy) > _EPS:
        higher = "left" if dy > 0 else "right"
        side = ({"left": "right", "right": "left"}[higher]) if lower_is_side else higher
    work.add(measure_id, angle, (left, right), side=side)
    work.segment(measure_id, lp, rp)
    origin, other = (lp, rp) if lp.x < rp.x else (rp, lp)
    work.arc(measure_id, origin, 0.5 * dx, 0.0, _direction(origin, other))


def _knee_frontal(work: _Work, side: str, s: float) -> None:
    names = (f"{side}_hip", f"{side}_knee", f"{side}_ankle")
    got = work.get(*names)
    if not got:
        work.skip("knee_frontal_angle", "needs " + ", ".join(work.missing(*names)), side)
        return
    h, k, a = got
    bend = _bend(h, k, a)
    line_x = _line_x_at(h, a, k.y)
    if bend is None or line_x is None:
        work.skip("knee_frontal_angle", "the hip, knee and ankle coincide or lie level; check the landmarks", side)
        return
    # Medial is toward the client's other side: for the left leg, toward the client's right.
    medial = -s if side == "left" else s
    valgus = (k.x - line_x) * medial > 0
    work.add("knee_frontal_angle", bend if valgus else -bend, names, side=side)
    work.segment("knee_frontal_angle", h, k, side)
    work.segment("knee_frontal_angle", k, a, side)
    r = 0.3 * min(k.distance(h), k.distance(a))
    work.arc("knee_frontal_angle", k, r, _direction(k, h) + 180.0, _direction(k, a), side)


def _weight_line(work: _Work, s: float) -> None:
    feet = work.get("left_ankle", "right_ankle")
    if not feet:
        work.skip("weight_line_offset", "needs both ankles: " + ", ".join(work.missing("left_ankle", "right_ankle")))
        return
    base = _mid(*feet)
    names: tuple[str, ...]
    if work.view is PhotoView.FRONT and "nose" in work.pts:
        top, names = work.pts["nose"], ("nose",)
    elif work.get("left_shoulder", "right_shoulder"):
        top, names = _mid(work.pts["left_shoulder"], work.pts["right_shoulder"]), ("left_shoulder", "right_shoulder")
    else:
        work.skip("weight_line_offset", "needs the nose (front view) or both shoulders")
        return
    height = _height(work, base.y)
    if height is None:
        work.skip("weight_line_offset", "needs an ear or the nose to know the body height")
        return
    tall, which = height
    dx = top.x - base.x
    side = None if abs(dx) < _EPS else ("left" if dx * s > 0 else "right")
    head = ("left_ear", "right_ear") if which == "ears" else ("nose",)
    used = (*names, "left_ankle", "right_ankle", *_present(work, head))
    work.add("weight_line_offset", abs(dx) / tall * 100, tuple(dict.fromkeys(used)), side=side)
    work.plumb = Segment("plumb_line", work.back(base), work.back(Point(base.x, base.y - tall)))
    work.segment("weight_line_offset", top, Point(base.x, top.y))


# ------------------------------------------------------------------ readings


_UNIT = {"degrees": "°", "percent": "% of height"}

# (what a low value means, what a high value means); {side} is the client's side.
_MEANING: dict[str, tuple[str, str]] = {
    "craniovertebral_angle": ("the head sits forward of the trunk", ""),
    "craniovertebral_angle_proxy": ("the ear sits well forward of the shoulder (proxy: place C7 to confirm)", ""),
    "shoulder_c7_angle": ("the shoulder sits forward (protracted)", ""),
    "knee_hyperextension": ("", "the knee locks back past straight"),
    "body_sway_angle": ("the body leans back from the ankles", "the body leans forward from the ankles"),
    "pelvis_forward_offset": ("", "the pelvis sits forward of the ankle-shoulder line"),
    "head_tilt": ("", "the head tilts to the client's {side}"),
    "shoulder_tilt": ("", "the client's {side} shoulder is higher"),
    "pelvic_obliquity": ("", "the client's {side} hip is higher"),
    "trunk_lateral_shift": ("", "the trunk shifts to the client's {side}"),
    "knee_frontal_angle": ("the {side} knee bows outward (varus)", "the {side} knee falls inward (valgus)"),
    "weight_line_offset": ("", "the upper body sits to the client's {side} of the feet"),
}


def _bounds(spec: MovementMeasure) -> str:
    unit = _UNIT.get(spec.unit, f" {spec.unit}")
    lo, hi = spec.normal.low, spec.normal.high
    if lo is None and hi is None:
        return "no norm; shown for reference"
    if lo == hi or (lo is None and hi == 0.0):
        core = f"ideal {hi:g}{unit}"
    elif lo is not None and hi is not None:
        core = f"normal {lo:g} to {hi:g}{unit}"
    elif lo is not None:
        core = f"normal {lo:g}{unit} or more"
    else:
        core = f"normal up to {hi:g}{unit}"
    return f"{core}, flagged beyond ±{spec.error:g}{unit}" if spec.error else core


def _reading(spec: MovementMeasure, value: float, status: str, side: str | None) -> str:
    unit = _UNIT.get(spec.unit, f" {spec.unit}")
    where = f" ({side})" if side and spec.id == "knee_frontal_angle" else ""
    text = f"{spec.name}{where}: {value:g}{unit} ({_bounds(spec)})"
    low, high = _MEANING.get(spec.id, ("", ""))
    meaning = low if status == "low" else high if status == "high" else ""
    if meaning:
        return f"{text}: {meaning.format(side=side or 'one')}."
    if spec.normal.low is None and spec.normal.high is None:
        return f"{text}."
    return f"{text}: within the normal range or the error of the method."


# ------------------------------------------------------------------ findings and patterns


def _muscles(kb: KnowledgeBase, ids: Iterable[str]) -> tuple[MuscleRef, ...]:
    return tuple(MuscleRef(i, kb.muscles[i].name if i in kb.muscles else i) for i in ids)


def _findings(kb: KnowledgeBase, measures: Iterable[Measurement]) -> tuple[FindingResult, ...]:
    raised: dict[str, tuple[list[str], list[str]]] = {}
    for m in measures:
        if m.finding is None:
            continue
        sides, ids = raised.setdefault(m.finding, ([], []))
        if m.side and m.side not in sides:
            sides.append(m.side)
        if m.id not in ids:
            ids.append(m.id)
    out: list[FindingResult] = []
    for finding_id, (sides, ids) in raised.items():
        try:
            spec = queries.movement_finding(kb, finding_id)
        except UnknownEntryError:  # pragma: no cover - the loader checks every flag's finding exists
            continue
        out.append(
            FindingResult(
                id=spec.id,
                name=spec.name,
                sides=tuple(sides),
                measures=tuple(ids),
                short=_muscles(kb, spec.short),
                long=_muscles(kb, spec.long),
                note=spec.note,
                sources=spec.source_ids,
            )
        )
    return tuple(out)


def _patterns(kb: KnowledgeBase, findings: Iterable[FindingResult]) -> tuple[PatternResult, ...]:
    return tuple(
        PatternResult(
            id=pattern.id,
            name=pattern.name,
            matched=matched,
            short=_muscles(kb, pattern.short),
            long=_muscles(kb, pattern.long),
            note=pattern.note,
            sources=pattern.source_ids,
        )
        for pattern, matched in queries.movement_patterns_for(kb, (f.id for f in findings))
    )
