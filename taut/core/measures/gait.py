"""Gait analysis from a 2D keypoint series: events, temporal measures, joint angles and findings.

``analyse(series, view)`` cleans the keypoints, finds the walking direction and the gait events
(see ``gait_events``), and measures, per side where it applies:

* temporal: cadence, step time, stride time, stance and swing (% of the cycle), double support
  (% of the cycle), and the swing-time and step-time symmetry ratios (larger side / smaller side);
* sagittal angles, projected on the image plane: knee flexion (180 minus the hip-knee-ankle
  angle), its peak in swing; hip flexion as the thigh against the trunk line (shoulders to hips),
  its extension peak in stance; forward trunk lean; arm swing (excursion of the shoulder-wrist
  line against the trunk over a cycle);
* frontal: pelvic drop (the hip line's tilt toward the swing side during each stance, relative to
  the walk's average tilt, so camera roll cancels) and lateral trunk lean toward the stance side.

Each measure is read against the knowledge base's normal range (``data/movement/*.yaml``); it is
flagged only beyond the range widened by the method's error. Flagged measures name the knowledge
base's movement finding, with the muscles that tend to be short or long. Joint-angle curves are
time-normalised to 0-100 % of each gait cycle (heel strike to the next heel strike of that foot)
and averaged. Everything here is 2D: rotation out of the image plane is not seen and angles are
projections, which is why the side view is the one for angles and the front view for pelvic drop.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from taut.core.errors import MeasurementError
from taut.core.knowledge.schema import KnowledgeBase, MovementCurve, MovementFinding, MovementMeasure
from taut.core.measures import gait_events as ge
from taut.core.measures import gait_passes
from taut.core.measures import movement as movement_kb
from taut.core.measures.gait_events import Array, Clean, Event
from taut.core.measures.movement import Skipped
from taut.core.measures.posture import MuscleRef
from taut.core.vision.types import KeypointSeries, WalkView

MIN_CYCLES = 2  # full cycles per side needed before cycle measures are given
CURVE_POINTS = 101


# ------------------------------------------------------------------ result types


@dataclass(frozen=True)
class GaitEvent:
    side: str  # left | right
    kind: str  # heel_strike | toe_off
    frame: int  # nearest frame of the original series
    time: float  # seconds, sub-frame


@dataclass(frozen=True)
class GaitCycle:
    """One gait cycle of one foot: heel strike to the next heel strike of the same foot."""

    side: str
    start: float
    end: float
    toe_off: float
    stance_percent: float
    double_support_percent: float | None
    knee_peak_swing: float | None
    hip_extension_peak: float | None


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    unit: str
    value: float | None  # both sides together, or the one value
    left: float | None = None
    right: float | None = None
    n: int = 0  # steps or cycles behind the value
    normal: tuple[float, float] | None = None
    error: float | None = None
    status: str = "no_norm"  # normal | low | high | no_norm
    left_status: str | None = None
    right_status: str | None = None
    note: str = ""
    sources: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return any(s in ("low", "high") for s in (self.status, self.left_status, self.right_status))


@dataclass(frozen=True)
class Curve:
    id: str  # knee_flexion_sagittal | hip_flexion_sagittal
    side: str
    unit: str
    cycles: int
    mean: tuple[float, ...]  # 101 samples, 0..100 % of the cycle
    sd: tuple[float, ...]
    normal: tuple[tuple[float, float, float], ...] = ()  # (percent, mean, sd) from the knowledge base


@dataclass(frozen=True)
class Finding:
    id: str
    name: str
    metric: str
    side: str  # left | right | both
    direction: str  # low | high
    value: float
    short: tuple[MuscleRef, ...]
    long: tuple[MuscleRef, ...]
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class GaitReport:
    view: str
    direction: str  # left_to_right | right_to_left | toward | away
    fps: float
    first_frame: int
    last_frame: int
    events: tuple[GaitEvent, ...]
    cycles: tuple[GaitCycle, ...]
    metrics: tuple[Metric, ...]
    curves: tuple[Curve, ...]
    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]
    warnings: tuple[str, ...]
    kb_version: str
    method: str = "2D keypoints, projected angles; sagittal events after Zeni et al. 2008"
    extra: Mapping[str, float] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return (self.last_frame - self.first_frame + 1) / self.fps

    def metric(self, metric_id: str) -> Metric | None:
        return next((m for m in self.metrics if m.id == metric_id), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data (no NaN: unknown numbers are ``None``)."""
        data = asdict(self)
        data["duration"] = round(self.duration, 3)
        for raw in data["skipped"]:
            raw["metric"] = raw["id"]  # the name earlier reports (and API readers) use
        for m, raw in zip(self.metrics, data["metrics"], strict=True):
            raw["flagged"] = m.flagged
        return _json(data)  # type: ignore[no-any-return]


def _json(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if np.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


# ------------------------------------------------------------------ knowledge base


@dataclass(frozen=True)
class Movement:
    """The gait part of the knowledge base, as its typed entries: measures (norms), findings, curves."""

    version: str
    measures: Mapping[str, MovementMeasure]
    findings: Mapping[str, MovementFinding]
    curves: Mapping[str, MovementCurve]
    muscle_names: Mapping[str, str]


def movement(kb: KnowledgeBase | None = None) -> Movement:
    """Gait norms, findings and curves from the knowledge base (data/movement/*.yaml)."""
    if kb is None:
        from taut.core.knowledge.loader import load_base

        kb = load_base()
    return Movement(
        kb.version,
        kb.movement_measures,
        kb.movement_findings,
        kb.movement_curves,
        {k: m.name for k, m in kb.muscles.items()},
    )


def _norm(mv: Movement, metric_id: str) -> MovementMeasure | None:
    """The measure's entry when it has a normal range to read a value against."""
    spec = mv.measures.get(metric_id)
    if spec is None or spec.normal.low is None or spec.normal.high is None:
        return None
    return spec


def _range(norm: MovementMeasure | None) -> tuple[float, float] | None:
    if norm is None or norm.normal.low is None or norm.normal.high is None:
        return None
    return (norm.normal.low, norm.normal.high)


def _status(value: float | None, norm: MovementMeasure | None) -> str | None:
    """The one rule (``movement.status``); None for no value, "no_norm" when nothing to compare with."""
    if value is None or not np.isfinite(value):
        return None
    if norm is None:
        return "no_norm"
    return movement_kb.status(norm, value)


# ------------------------------------------------------------------ angles (2D)


def _ang(vec: Array, sign: int) -> Array:
    """Angle of image vectors from straight down, positive toward the walking direction (degrees)."""
    return np.asarray(np.degrees(np.arctan2(sign * vec[:, 0], vec[:, 1])), dtype=np.float64)


def _angles(c: Clean, sign: int) -> dict[str, Array]:
    t = c.tracks
    shoulder = (t["left_shoulder"] + t["right_shoulder"]) / 2
    trunk_down = t["pelvis"] - shoulder
    up = shoulder - t["pelvis"]
    out: dict[str, Array] = {"trunk_lean": np.degrees(np.arctan2(sign * up[:, 0], -up[:, 1]))}  # forward positive
    for side in ge.SIDES:
        hip, knee, ankle = t[f"{side}_hip"], t[f"{side}_knee"], t[f"{side}_ankle"]
        a, b = hip - knee, ankle - knee
        cos = np.sum(a * b, axis=1) / (np.hypot(*a.T) * np.hypot(*b.T))
        out[f"{side}_knee"] = 180.0 - np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
        out[f"{side}_hip"] = _wrap(_ang(knee - hip, sign) - _ang(trunk_down, sign))
        out[f"{side}_arm"] = _wrap(_ang(t[f"{side}_wrist"] - t[f"{side}_shoulder"], sign) - _ang(trunk_down, sign))
    tilt = t["right_hip"] - t["left_hip"]
    out["pelvic_obliquity"] = np.degrees(np.arctan2(tilt[:, 1], np.abs(tilt[:, 0])))  # right hip lower: positive
    out["trunk_lateral"] = np.degrees(np.arctan2(up[:, 0], -up[:, 1]))  # shoulders toward image right: positive
    return out


def _wrap(deg: Array) -> Array:
    return (deg + 180.0) % 360.0 - 180.0


def _at(c: Clean, values: Array, times: Array) -> Array:
    """Values of a per-frame array at (sub-frame) times in seconds; NaN outside the stretch."""
    idx = np.asarray(times) * c.fps - c.start
    good = np.isfinite(values)
    if good.sum() < 2:
        return np.full(np.shape(idx), np.nan)
    frames = np.arange(len(values), dtype=float)
    out = np.interp(idx, frames[good], values[good])
    return np.where((idx < -0.5) | (idx > len(values) - 0.5), np.nan, out)


# ------------------------------------------------------------------ cycles and measures


@dataclass(frozen=True)
class _Cycle:
    side: str
    start: float
    end: float
    toe_off: float
    double_support: float | None  # seconds


def _cycles(events: Sequence[Event]) -> list[_Cycle]:
    out: list[_Cycle] = []
    for side in ge.SIDES:
        other = "right" if side == "left" else "left"
        strikes = [e.time for e in events if e.side == side and e.kind == "heel_strike"]
        offs = [e.time for e in events if e.side == side and e.kind == "toe_off"]
        other_offs = [e.time for e in events if e.side == other and e.kind == "toe_off"]
        other_strikes = [e.time for e in events if e.side == other and e.kind == "heel_strike"]
        for a, b in itertools.pairwise(strikes):
            inside = [o for o in offs if a < o < b]
            if len(inside) != 1 or not ge.MIN_STRIDE_S <= b - a <= 2.5:
                continue
            to = inside[0]
            o_to = [x for x in other_offs if a < x < to]
            o_hs = [x for x in other_strikes if (o_to[0] if o_to else a) < x < to]
            ds = (o_to[0] - a) + (to - o_hs[-1]) if o_to and o_hs else None
            out.append(_Cycle(side, a, b, to, ds))
    return sorted(out, key=lambda c: c.start)


def _steps(events: Sequence[Event]) -> list[tuple[str, float]]:
    """(side of the landing foot, step time) for consecutive heel strikes of alternate feet."""
    strikes = [e for e in events if e.kind == "heel_strike"]
    return [
        (b.side, b.time - a.time)
        for a, b in itertools.pairwise(strikes)
        if a.side != b.side and 0.2 <= b.time - a.time <= 1.5
    ]


def _mean(values: Sequence[float]) -> float | None:
    vals = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(vals)) if vals else None


SHOWN_DECIMALS = 2  # the report prints two decimals; the flag is decided on the value as printed


def _shown(value: float | None) -> float | None:
    """The value as the report shows it, so that two sides printed alike are flagged alike."""
    return None if value is None else round(float(value), SHOWN_DECIMALS)


class _Builder:
    def __init__(self, mv: Movement) -> None:
        self.mv = mv
        self.metrics: list[Metric] = []
        self.skipped: list[Skipped] = []

    def add(
        self,
        metric_id: str,
        name: str,
        unit: str,
        left: Sequence[float] = (),
        right: Sequence[float] = (),
        *,
        both: Sequence[float] | None = None,
        value: float | None = None,
        note: str = "",
    ) -> None:
        lv, rv = _shown(_mean(left)), _shown(_mean(right))
        pooled = list(both) if both is not None else [*left, *right]
        val = _shown(value if value is not None else _mean(pooled))
        if val is None:
            return
        norm = _norm(self.mv, metric_id)
        sided = bool(left) or bool(right)
        self.metrics.append(
            Metric(
                id=metric_id,
                name=name,
                unit=unit,
                value=val,
                left=lv,
                right=rv,
                n=len(pooled),
                normal=_range(norm),
                error=norm.error if norm else None,
                status=_status(val, norm) or "no_norm",
                left_status=_status(lv, norm) if sided else None,
                right_status=_status(rv, norm) if sided else None,
                note=note,
                sources=norm.source_ids if norm else (),
            )
        )

    def skip(self, metric_id: str, reason: str) -> None:
        self.skipped.append(Skipped(metric_id, reason))


def _per_side(cycles: Sequence[_Cycle], fn: Any) -> tuple[list[float], list[float]]:
    left = [float(v) for c in cycles if c.side == "left" and (v := fn(c)) is not None and np.isfinite(v)]
    right = [float(v) for c in cycles if c.side == "right" and (v := fn(c)) is not None and np.isfinite(v)]
    return left, right


def _peak(c: Clean, values: Array, a: float, b: float, *, lowest: bool = False) -> float | None:
    if b <= a:
        return None
    seg = _at(c, values, np.linspace(a, b, 60))
    if not np.isfinite(seg).all():
        return None
    return float(np.min(seg) if lowest else np.max(seg))


def _ratio(left: Sequence[float], right: Sequence[float]) -> float | None:
    lv, rv = _mean(left), _mean(right)
    if lv is None or rv is None or min(lv, rv) <= 0:
        return None
    return max(lv, rv) / min(lv, rv)


def _temporal(b: _Builder, events: Sequence[Event], cycles: Sequence[_Cycle], enough: bool) -> None:
    steps = _steps(events)
    if len(steps) >= 2:
        times = [t for _, t in steps]
        b.add("cadence", "Cadence", "steps/min", value=60.0 / float(np.mean(times)), both=times)
        left = [t for s, t in steps if s == "left"]
        right = [t for s, t in steps if s == "right"]
        b.add("step_time", "Step time", "s", left, right)
        if left and right:
            name = "Step-time symmetry (longer / shorter side)"
            b.add("step_time_symmetry", name, "ratio", value=_ratio(left, right), both=times)
    else:
        b.skip("cadence", "fewer than 2 steps were found; film 6-8 steps.")
    if not enough:
        return
    left, right = _per_side(cycles, lambda c: c.end - c.start)
    b.add("stride_time", "Stride time", "s", left, right)
    left, right = _per_side(cycles, lambda c: 100.0 * (c.toe_off - c.start) / (c.end - c.start))
    b.add("stance_percent", "Stance", "percent", left, right)
    b.add("swing_percent", "Swing", "percent", [100 - v for v in left], [100 - v for v in right])
    sw_l, sw_r = _per_side(cycles, lambda c: c.end - c.toe_off)
    if sw_l and sw_r:
        b.add("swing_time_symmetry", "Swing-time symmetry (longer / shorter side)", "ratio", value=_ratio(sw_l, sw_r),
              both=[*sw_l, *sw_r])  # fmt: skip
    ds_l, ds_r = _per_side(
        cycles, lambda c: None if c.double_support is None else 100 * c.double_support / (c.end - c.start)
    )
    b.add("double_support_percent", "Double support", "percent", ds_l, ds_r)


LOADING_SHARE = 0.15  # the first part of a cycle, from the foot's contact, in which it takes the weight


def _thrust_at_loading(c: Clean, lean: Array, cy: _Cycle) -> float | None:
    """How far (degrees) the trunk leans back behind its cycle mean during the cycle's loading.

    A steady backward posture leaves it near zero; a lurch back as the foot takes the weight
    raises it on that side.
    """
    seg = _at(c, lean, np.linspace(cy.start, cy.end, 101))
    if not np.isfinite(seg).all():
        return None
    loading = seg[: round(LOADING_SHARE * 100) + 1]
    return float(np.mean(seg) - np.min(loading))


def _sagittal(
    b: _Builder, c: Clean, angles: dict[str, Array], cycles: Sequence[_Cycle]
) -> dict[tuple[str, float], tuple[float | None, float | None]]:
    per_cycle: dict[tuple[str, float], tuple[float | None, float | None]] = {}
    for cy in cycles:
        knee = _peak(c, angles[f"{cy.side}_knee"], cy.toe_off, cy.end)
        hip = _peak(c, angles[f"{cy.side}_hip"], cy.start, cy.toe_off, lowest=True)
        per_cycle[(cy.side, cy.start)] = (knee, None if hip is None else -hip)
    left, right = _per_side(cycles, lambda cy: per_cycle[(cy.side, cy.start)][0])
    b.add("knee_flexion_swing_peak", "Peak knee flexion in swing", "degrees", left, right,
          note="Projected on the image plane.")  # fmt: skip
    left, right = _per_side(cycles, lambda cy: per_cycle[(cy.side, cy.start)][1])
    b.add("hip_extension_late_stance", "Peak hip extension in late stance", "degrees", left, right,
          note="The thigh behind the trunk line (shoulders to hips), projected on the image plane.")  # fmt: skip
    span = (min(cy.start for cy in cycles), max(cy.end for cy in cycles))
    lean = _at(c, angles["trunk_lean"], np.linspace(*span, 200))
    if np.isfinite(lean).all():
        b.add("trunk_lean_sagittal", "Trunk lean (forward positive)", "degrees", value=float(np.mean(lean)), both=[1.0])
    left, right = _per_side(cycles, lambda cy: _thrust_at_loading(c, angles["trunk_lean"], cy))
    b.add("trunk_extension_loading", "Backward trunk thrust at loading", "degrees", left, right,
          note="Degrees the trunk goes back behind its cycle mean while that foot takes the weight.")  # fmt: skip
    arms: dict[str, list[float]] = {"left": [], "right": []}
    for cy in cycles:
        seg = _at(c, angles[f"{cy.side}_arm"], np.linspace(cy.start, cy.end, 60))
        if np.isfinite(seg).all():
            arms[cy.side].append(float(np.ptp(seg)))
    if arms["left"] or arms["right"]:
        b.add("arm_swing", "Arm swing (shoulder-wrist excursion)", "degrees", arms["left"], arms["right"],
              note="Excursion of the shoulder-wrist line against the trunk over a cycle; the far arm is often "
              "hidden.")  # fmt: skip
    else:
        b.skip("arm_swing", "the wrists were not seen through whole cycles.")
    return per_cycle


def _frontal(b: _Builder, c: Clean, angles: dict[str, Array], cycles: Sequence[_Cycle]) -> None:
    obliquity = angles["pelvic_obliquity"]
    lateral = angles["trunk_lateral"]
    span = np.linspace(min(cy.start for cy in cycles), max(cy.end for cy in cycles), 400)
    base_ob = float(np.nanmedian(_at(c, obliquity, span)))
    base_lat = float(np.nanmedian(_at(c, lateral, span)))
    # which image side each body side is on (facing the camera, the left hip is on image right)
    left_is_right = float(np.nanmedian(c.tracks["left_hip"][:, 0] - c.tracks["right_hip"][:, 0])) > 0
    drops: dict[str, list[float]] = {"left": [], "right": []}
    leans: dict[str, list[float]] = {"left": [], "right": []}
    for cy in cycles:
        drop = _peak(c, (obliquity - base_ob) * (1 if cy.side == "left" else -1), cy.start, cy.toe_off)
        toward = 1 if (cy.side == "left") == left_is_right else -1
        lean = _peak(c, (lateral - base_lat) * toward, cy.start, cy.toe_off)
        if drop is not None:
            drops[cy.side].append(drop)
        if lean is not None:
            leans[cy.side].append(lean)
    b.add("pelvic_drop", "Contralateral pelvic drop in stance", "degrees", drops["left"], drops["right"],
          note="Per stance side: how far the other side of the pelvis (hip keypoints) drops, against the walk's "
          "average tilt.")  # fmt: skip
    b.add("trunk_lean_frontal", "Lateral trunk lean toward the stance side", "degrees", leans["left"], leans["right"],
          note="Against the walk's average trunk line.")  # fmt: skip
    _frontal_knee(b, c, cycles, left_is_right)
    _step_width(b, c, cycles)
    _arm_asymmetry(b, c, cycles)


def _worse(b: _Builder, metric_id: str, higher_is_worse: bool = True) -> None:
    """Name the worse side in the note of a two-sided measure (the side farther past its range)."""
    m = next((x for x in b.metrics if x.id == metric_id), None)
    if m is None or m.left is None or m.right is None:
        return
    worse = ("left" if m.left > m.right else "right") if higher_is_worse else ("left" if m.left < m.right else "right")
    note = f"{m.note} Worse side: {worse}.".strip()
    b.metrics[b.metrics.index(m)] = Metric(**{**asdict(m), "note": note})


def _frontal_knee(b: _Builder, c: Clean, cycles: Sequence[_Cycle], left_is_right: bool) -> None:
    """Knee frontal-plane projection angle in loading (heel strike to 15 % of the cycle): the
    thigh against the shank in the image, valgus (knee toward the midline) positive."""
    t = c.tracks
    per: dict[str, list[float]] = {"left": [], "right": []}
    for side in ge.SIDES:
        hip, knee, ankle = t[f"{side}_hip"], t[f"{side}_knee"], t[f"{side}_ankle"]
        thigh, shank = knee - hip, ankle - knee
        cross = thigh[:, 0] * shank[:, 1] - thigh[:, 1] * shank[:, 0]
        angle = np.degrees(np.arctan2(np.abs(cross), np.sum(thigh * shank, axis=1)))
        # which way is medial in the image: toward the other hip
        on_image_right = left_is_right == (side == "left")
        medial = -1.0 if on_image_right else 1.0
        # y is down: a knee displaced toward image -x makes thigh x shank negative, toward +x positive
        bend = np.sign(cross) * medial
        signed = angle * bend
        for cy in (cy for cy in cycles if cy.side == side):
            seg = _at(c, signed, np.linspace(cy.start, cy.start + 0.15 * (cy.end - cy.start), 20))
            if np.isfinite(seg).all():
                per[side].append(float(seg[np.argmax(np.abs(seg))]))
    b.add("knee_frontal_loading", "Knee valgus (+) / varus (-) in loading", "degrees", per["left"], per["right"],
          note="Frontal-plane projection angle of the knee (hip-knee-ankle in the image) from heel strike to 15 % "
          "of the cycle; valgus positive.")  # fmt: skip
    _worse(b, "knee_frontal_loading")


def _step_width(b: _Builder, c: Clean, cycles: Sequence[_Cycle]) -> None:
    """Side-to-side distance of the heels at each heel strike, in % of the leg length (hip to ankle)
    measured in the same frame, so a walker near the camera and far from it read the same."""
    t = c.tracks
    leg = np.nanmean(np.stack([np.hypot(*(t[f"{s}_ankle"] - t[f"{s}_hip"]).T) for s in ge.SIDES]), axis=0)
    gap = np.abs(t["left_heel_pt"][:, 0] - t["right_heel_pt"][:, 0]) / leg * 100.0
    widths: dict[str, list[float]] = {"left": [], "right": []}
    for cy in cycles:
        v = float(_at(c, gap, np.array([cy.start + 0.05 * (cy.end - cy.start)]))[0])
        if np.isfinite(v):
            widths[cy.side].append(v)
    b.add("step_width", "Step width (heel to heel, % of leg length)", "percent", widths["left"], widths["right"],
          note="Side-to-side heel distance just after each heel strike, against the hip-to-ankle length in the "
          "same frame.")  # fmt: skip


def _arm_asymmetry(b: _Builder, c: Clean, cycles: Sequence[_Cycle]) -> None:
    """Arm-swing asymmetry from the front: each wrist's image excursion against the shoulder per
    cycle (in trunk lengths, per frame), larger side over smaller side."""
    t = c.tracks
    shoulder = (t["left_shoulder"] + t["right_shoulder"]) / 2
    trunk = np.hypot(*(shoulder - t["pelvis"]).T)
    reach: dict[str, list[float]] = {"left": [], "right": []}
    for side in ge.SIDES:
        rel = (t[f"{side}_wrist"] - t[f"{side}_shoulder"]) / trunk[:, None]
        for cy in cycles:
            xs = _at(c, rel[:, 0], np.linspace(cy.start, cy.end, 60))
            ys = _at(c, rel[:, 1], np.linspace(cy.start, cy.end, 60))
            if np.isfinite(xs).all() and np.isfinite(ys).all():
                reach[side].append(float(np.hypot(np.ptp(xs), np.ptp(ys))))
    ratio = _ratio(reach["left"], reach["right"])
    if ratio is None:
        b.skip("arm_swing_asymmetry", "the wrists were not seen through whole cycles.")
        return
    lv, rv = _mean(reach["left"]), _mean(reach["right"])
    smaller = "left" if (lv or 0.0) < (rv or 0.0) else "right"
    note = f"Wrist excursion in the image against the shoulder, per cycle; the {smaller} arm swings less."
    name = "Arm-swing asymmetry (larger / smaller side)"
    b.add("arm_swing_asymmetry", name, "ratio", value=ratio, both=[*reach["left"], *reach["right"]], note=note)


def _curves(c: Clean, angles: dict[str, Array], cycles: Sequence[_Cycle], mv: Movement) -> list[Curve]:
    out: list[Curve] = []
    pct = np.linspace(0.0, 1.0, CURVE_POINTS)
    for curve_id, key in (("knee_flexion_sagittal", "knee"), ("hip_flexion_sagittal", "hip")):
        entry = mv.curves.get(curve_id)
        normal = tuple((float(p[0]), float(p[1]), float(p[2])) for p in entry.points) if entry else ()
        for side in ge.SIDES:
            rows = [
                _at(c, angles[f"{side}_{key}"], cy.start + pct * (cy.end - cy.start))
                for cy in cycles
                if cy.side == side
            ]
            rows = [r for r in rows if np.isfinite(r).all()]
            if len(rows) < MIN_CYCLES:
                continue
            arr = np.array(rows)
            out.append(
                Curve(
                    id=curve_id,
                    side=side,
                    unit="degrees",
                    cycles=len(rows),
                    mean=tuple(round(float(v), 2) for v in arr.mean(axis=0)),
                    sd=tuple(round(float(v), 2) for v in arr.std(axis=0, ddof=1)),
                    normal=normal,
                )
            )
    return out


def _findings(metrics: Sequence[Metric], mv: Movement) -> list[Finding]:
    out: list[Finding] = []
    for m in metrics:
        norm = _norm(mv, m.id)
        if norm is None or not m.flagged:
            continue
        checks = [("left", m.left_status, m.left), ("right", m.right_status, m.right)]
        flagged = [(side, st, v) for side, st, v in checks if st in ("low", "high") and v is not None]
        if not flagged and m.status in ("low", "high") and m.value is not None:
            flagged = [("both", m.status, m.value)]
        elif len(flagged) == 2 and flagged[0][1] == flagged[1][1] and m.value is not None:
            flagged = [("both", flagged[0][1], m.value)]  # one finding when both sides agree
        for side, status, value in flagged:
            fid = movement_kb.finding_for(norm, str(status))
            f = mv.findings.get(fid or "")
            if fid is None or f is None:
                continue
            out.append(
                Finding(
                    id=fid,
                    name=f.name,
                    metric=m.id,
                    side=side,
                    direction=str(status),
                    value=round(float(value), 2),
                    short=tuple(MuscleRef(i, mv.muscle_names.get(i, i)) for i in f.short),
                    long=tuple(MuscleRef(i, mv.muscle_names.get(i, i)) for i in f.long),
                    note=f.note,
                    sources=f.source_ids,
                )
            )
    return out


# ------------------------------------------------------------------ entry point


def _view(view: WalkView | str) -> WalkView:
    try:
        return WalkView(view)
    except ValueError:
        raise MeasurementError(
            "view",
            f"{view!r} is not a walk view; use 'sagittal' (filmed from the side) or 'frontal' "
            "(from in front or behind).",
        ) from None


def analyse(series: KeypointSeries, view: WalkView | str, *, kb: KnowledgeBase | None = None) -> GaitReport:
    """Gait events, measures, curves and findings of one walk. Raises MeasurementError when nothing can be measured.

    A front-view clip with a walk toward the camera, a turn and a walk away is split into its
    passes (``gait_passes``); the report is the longest pass that can be measured, with a warning
    naming the other (``analyse_passes`` gives every pass).
    """
    walk_view = _view(view)
    if walk_view is WalkView.FRONTAL:
        parts = gait_passes.split(series)
        if len(parts) > 1:
            passes = [p for p in analyse_passes(series, kb=kb) if p.report is not None]
            if passes:
                best = max(passes, key=lambda p: p.last - p.first)
                others = ", ".join(f"{p.facing} (frames {p.first}-{p.last})" for p in passes if p is not best)
                note = (
                    f"the clip holds {len(parts)} passes; this report is the walk {best.facing} the camera "
                    f"(frames {best.first}-{best.last}), the turn left out"
                    + (f"; also measured: {others}." if others else ".")
                )
                assert best.report is not None
                return replace(best.report, warnings=(*best.report.warnings, note))
    return _analyse_one(series, walk_view, mv=movement(kb))


def _analyse_one(series: KeypointSeries, walk_view: WalkView, *, mv: Movement) -> GaitReport:
    c = ge.clean(series, walk_view)
    sign, direction, notes = ge.direction(c, walk_view)
    warnings = [*c.warnings, *notes, *ge.view_check(c, walk_view)]
    if walk_view is WalkView.SAGITTAL:
        events = ge.sagittal_events(c, sign)
    else:
        events = ge.frontal_events(c)
        warnings.append(
            "from the front, events come from when each foot comes to rest and leaves in the image; they are less "
            "exact than from the side (see docs/gait.md: heel strike walking away is the weakest)."
        )
    if not any(e.kind == "heel_strike" for e in events):
        raise MeasurementError(
            "events", "no heel strike was found; film 6-8 steps of steady walking with the feet in view."
        )
    cycles = _cycles(events)
    counts = {s: sum(cy.side == s for cy in cycles) for s in ge.SIDES}
    enough = all(n >= MIN_CYCLES for n in counts.values())
    b = _Builder(mv)
    _temporal(b, events, cycles, enough)
    angles = _angles(c, sign)
    per_cycle: dict[tuple[str, float], tuple[float | None, float | None]] = {}
    curves: list[Curve] = []
    cycle_metrics = ["stride_time", "stance_percent", "swing_percent", "double_support_percent"]
    if enough:
        if walk_view is WalkView.SAGITTAL:
            per_cycle = _sagittal(b, c, angles, cycles)
            curves = _curves(c, angles, cycles, mv)
        else:
            _frontal(b, c, angles, cycles)
    else:
        reason = (
            f"only {counts['left']} full gait cycle(s) of the left foot and {counts['right']} of the right were seen; "
            f"{MIN_CYCLES} per foot are needed. Film 6-8 steps with the whole body in view."
        )
        angle_metrics = (
            [
                "knee_flexion_swing_peak",
                "hip_extension_late_stance",
                "trunk_lean_sagittal",
                "trunk_extension_loading",
                "arm_swing",
            ]
            if walk_view is WalkView.SAGITTAL
            else ["pelvic_drop", "trunk_lean_frontal", "knee_frontal_loading", "step_width", "arm_swing_asymmetry"]
        )
        for mid in cycle_metrics + angle_metrics:
            b.skip(mid, reason)
        warnings.append(reason)
    if walk_view is WalkView.FRONTAL:
        for mid in ("knee_flexion_swing_peak", "hip_extension_late_stance", "arm_swing"):
            b.skip(mid, "sagittal joint angles need a side view.")
    else:
        b.skip("pelvic_drop", "pelvic drop needs a front or back view.")
    if not b.metrics:
        raise MeasurementError("events", "too few gait events to measure anything; film 6-8 steps of steady walking.")
    report_cycles = tuple(
        GaitCycle(
            side=cy.side,
            start=round(cy.start, 4),
            end=round(cy.end, 4),
            toe_off=round(cy.toe_off, 4),
            stance_percent=round(100 * (cy.toe_off - cy.start) / (cy.end - cy.start), 2),
            double_support_percent=None
            if cy.double_support is None
            else round(100 * cy.double_support / (cy.end - cy.start), 2),
            knee_peak_swing=per_cycle.get((cy.side, cy.start), (None, None))[0],
            hip_extension_peak=per_cycle.get((cy.side, cy.start), (None, None))[1],
        )
        for cy in cycles
    )
    return GaitReport(
        view=walk_view.value,
        direction=direction,
        fps=float(series.fps),
        first_frame=c.start,
        last_frame=c.start + c.n - 1,
        events=tuple(GaitEvent(e.side, e.kind, e.frame(c.fps), round(e.time, 4)) for e in events),
        cycles=report_cycles,
        metrics=tuple(b.metrics),
        curves=tuple(curves),
        findings=tuple(_findings(b.metrics, mv)),
        skipped=tuple(b.skipped),
        warnings=tuple(warnings),
        kb_version=mv.version,
        method=(
            "2D keypoints; angles are projections on the image plane; "
            + (
                "events after Zeni et al. 2008 (heel and toe against the pelvis)."
                if walk_view is WalkView.SAGITTAL
                else "front-view events fitted where each foot comes to rest and leaves in the image."
            )
        ),
        extra={"mean_keypoint_score": round(c.mean_score, 3), "filled_frames": float(c.filled)},
    )


# ------------------------------------------------------------------ passes of a front-view clip


@dataclass(frozen=True)
class Pass:
    first: int  # first frame (in the whole clip)
    last: int  # last frame, inclusive
    facing: str  # toward | away (the camera sees the front or the back)
    report: GaitReport | None
    error: str = ""  # why the pass could not be measured

    def to_dict(self) -> dict[str, object]:
        return {
            "first_frame": self.first,
            "last_frame": self.last,
            "facing": self.facing,
            "error": self.error,
            "report": self.report.to_dict() if self.report is not None else None,
        }


def analyse_passes(series: KeypointSeries, *, kb: KnowledgeBase | None = None) -> list[Pass]:
    """Each pass of a front-view clip analysed on its own; raises when no pass is long enough."""
    parts = gait_passes.split(series)
    if not parts:
        raise MeasurementError(
            "passes",
            f"no stretch of at least {max(gait_passes.MIN_PASS_S, ge.MIN_WALK_S):g} s walking toward or away from"
            " the camera was found; film the walk from in front or behind with the hips in view.",
        )
    out: list[Pass] = []
    for a, b, facing in parts:
        part = KeypointSeries(
            fps=series.fps,
            width=series.width,
            height=series.height,
            frames=[None] * a + list(series.frames[a:b]),  # frame numbers stay those of the clip
            source=series.source,
            backend=series.backend,
        )
        try:
            report = _analyse_one(part, WalkView.FRONTAL, mv=movement(kb))
        except MeasurementError as exc:
            out.append(Pass(a, b - 1, facing, None, str(exc)))
            continue
        # the frames before the pass were blanked on purpose: no warning about them
        kept = tuple(w for w in report.warnings if not w.startswith("the person was fully seen"))
        out.append(Pass(a, b - 1, facing, replace(report, warnings=kept)))
    return out
