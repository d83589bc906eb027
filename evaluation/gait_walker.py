"""A synthetic walker: 2D keypoints of a stick figure walking, with the truth known exactly.

Segments are in proportion to body height. The hip moves forward at a steady speed per stride and
sits as high as the stance leg allows with a normal stance knee bend.

The feet are placed first and the legs follow them (two-link inverse kinematics), so contact is
a property of the foot motion: initial contact is the instant the heel lands (the foot then rolls
flat about the heel), foot off the instant the toe leaves the ground after rolling about it. Those
instants are the generator's truth events; swing follows the joint-angle templates, blended into
the planted poses. Truth is taken from a 1 kHz grid of the walker's own motion, before projection,
noise or dropouts, and never from the method under test.

The figure is then seen by a pinhole camera, either from the side (``sagittal``) or from in front
or behind (``frontal``, with perspective, so the walker grows or shrinks), and Gaussian pixel noise,
low-confidence keypoints and dropped frames are added.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import CubicSpline

from taut.core.vision.types import LANDMARKS, Keypoint, KeypointSeries, Pose

Array = NDArray[np.float64]
FINE_HZ = 1000.0

# Joint angles over the gait cycle (percent of cycle from initial contact, degrees), shaped like
# normal adult walking. They drive the synthetic figure only; norms live in the knowledge base.
HIP_FLEXION = [(0, 30), (10, 27), (20, 19), (30, 10), (40, 1), (50, -8), (55, -10), (60, -6), (65, 1),
               (70, 11), (75, 19), (80, 26), (85, 31), (90, 33), (95, 31.5), (100, 30)]  # fmt: skip
KNEE_FLEXION = [(0, 5), (5, 11), (12, 18), (16, 19), (22, 16), (30, 10), (40, 5), (45, 5.5), (50, 9),
                (55, 19), (60, 34), (65, 50), (70, 59), (73, 61), (77, 58), (82, 48), (87, 33), (92, 17),
                (96, 8), (100, 5)]  # fmt: skip
ANKLE_DORSIFLEXION = [(0, 0), (5, -5), (10, -2), (20, 4), (30, 8), (40, 10), (47, 9), (52, 4), (57, -5),
                      (62, -14), (65, -15), (70, -9), (75, -3), (80, 0), (90, 1), (100, 0)]  # fmt: skip


def _periodic(points: list[tuple[float, float]]) -> CubicSpline:
    xs = np.array([p[0] for p in points], dtype=float) / 100.0
    ys = np.array([p[1] for p in points], dtype=float)
    return CubicSpline(xs, ys, bc_type="periodic")


_HIP = _periodic(HIP_FLEXION)
_KNEE = _periodic(KNEE_FLEXION)
_ANKLE = _periodic(ANKLE_DORSIFLEXION)
_KNEE_TEMPLATE_PEAK = float(np.max(_KNEE(np.linspace(0.5, 0.9, 2001))))
_HIP_TEMPLATE_EXTENSION = float(-np.min(_HIP(np.linspace(0.3, 0.7, 2001))))


@dataclass(frozen=True)
class Body:
    """Segment lengths in metres, in proportion to height (rounded anthropometric ratios)."""

    height: float = 1.75

    def __getattr__(self, name: str) -> float:
        ratios = {
            "thigh": 0.245, "shank": 0.246, "ankle_h": 0.039, "heel_back": 0.03, "toe_front": 0.115,
            "trunk": 0.30, "neck": 0.06, "head": 0.07, "upper_arm": 0.186, "forearm": 0.146, "hand": 0.06,
            "hip_half_width": 0.05, "shoulder_half_width": 0.11, "eye_half_width": 0.018,
        }  # fmt: skip
        if name in ratios:
            return ratios[name] * self.height
        raise AttributeError(name)


@dataclass(frozen=True)
class TruthEvent:
    side: str  # left | right
    kind: str  # heel_strike | toe_off
    time: float  # seconds from the first frame


@dataclass(frozen=True)
class TruthCycle:
    side: str
    start: float  # initial contact (s)
    end: float  # next initial contact of the same foot (s)
    toe_off: float
    knee_peak_swing: float  # degrees, the largest knee flexion between toe off and the next contact
    hip_extension_peak: float  # degrees, thigh behind the trunk line in stance


@dataclass(frozen=True)
class Truth:
    fps: float
    view: str
    direction: int  # +1: left to right (sagittal) or toward the camera (frontal); -1 the other way
    cadence: float  # steps/min over the whole clip
    events: tuple[TruthEvent, ...]
    cycles: tuple[TruthCycle, ...]
    trunk_lean_deg: float
    arm_swing_deg: float  # excursion of the shoulder-wrist line against the trunk, per cycle
    pelvic_drop_deg: dict[str, float] = field(default_factory=dict)  # stance side -> peak contralateral drop

    def times(self, side: str, kind: str) -> list[float]:
        return [e.time for e in self.events if e.side == side and e.kind == kind]


@dataclass(frozen=True)
class _Motion:
    """The walker's sagittal motion on a time grid (metres; x forward, y up)."""

    t: Array
    hip: Array  # (n, 2) hip joint centre
    phase: dict[str, Array]  # unwrapped gait phase per side
    joints: dict[str, dict[str, Array]]  # side -> {knee, ankle, heel, toe}: (n, 2)
    knee: dict[str, Array]  # knee flexion, degrees
    hip_flexion: dict[str, Array]  # thigh against the trunk line, degrees (extension negative)
    trunk_lean: Array  # degrees, forward positive


def _rot(vx: Array, vy: Array, angle: Array) -> tuple[Array, Array]:
    c, s = np.cos(angle), np.sin(angle)
    return vx * c - vy * s, vx * s + vy * c


@dataclass(frozen=True)
class _Gait:
    body: Body
    stride: float  # metres per cycle
    stance: float  # share of the cycle in contact
    knee_scale: float
    hip_ext_scale: float
    lean_deg: float
    lurch_deg: float = 0.0  # extra backward lean while the lurch side's foot takes the weight
    lurch_side: str = "left"


def _template_leg(g: _Gait, p: Array) -> tuple[Array, Array]:
    """Ankle position relative to the hip, and foot pitch, from the joint-angle templates."""
    b = g.body
    hip = _HIP(p)
    hip = np.where(hip < 0, hip * g.hip_ext_scale, hip)
    thigh = np.radians(hip - g.lean_deg)
    shank = thigh - np.radians(_KNEE(p) * g.knee_scale)
    ankle = np.stack([b.thigh * np.sin(thigh) + b.shank * np.sin(shank),
                      -b.thigh * np.cos(thigh) - b.shank * np.cos(shank)], axis=1)  # fmt: skip
    return ankle, shank + np.radians(_ANKLE(p))


def _foot_points(b: Body, ankle: Array, pitch: Array) -> tuple[Array, Array]:
    hx, hy = _rot(np.full(len(pitch), -b.heel_back), np.full(len(pitch), -b.ankle_h), pitch)
    tx, ty = _rot(np.full(len(pitch), b.toe_front), np.full(len(pitch), -b.ankle_h), pitch)
    return ankle + np.stack([hx, hy], axis=1), ankle + np.stack([tx, ty], axis=1)


IC_PITCH = np.radians(20.0)  # toes up as the heel lands
TO_PITCH = np.radians(-50.0)  # toes down as they leave the ground
FOOT_FLAT = 0.08  # share of the cycle when the forefoot comes down
HEEL_OFF = 0.38  # share of the cycle when the heel rises


def _smooth(x: Array) -> Array:
    x = np.clip(x, 0.0, 1.0)
    return x * x * x * (10 - 15 * x + 6 * x * x)  # minimum-jerk blend, 0 -> 1


def _stance_foot(g: _Gait, p: Array, heel_x: Array) -> tuple[Array, Array]:
    """Ankle position (world) and pitch of a planted foot at stance phase ``p`` (0 .. stance)."""
    b = g.body
    length = b.heel_back + b.toe_front
    pitch = np.where(p < FOOT_FLAT, IC_PITCH * (1 - _smooth(p / FOOT_FLAT)), 0.0)
    rising = p > HEEL_OFF
    pitch = np.where(rising, TO_PITCH * _smooth((p - HEEL_OFF) / (g.stance - HEEL_OFF)) ** 1.5, pitch)
    # about the heel (before heel off) or about the toe (after)
    ax, ay = _rot(np.full(len(p), b.heel_back), np.full(len(p), b.ankle_h), pitch)
    bx, by = _rot(np.full(len(p), -b.toe_front), np.full(len(p), b.ankle_h), pitch)
    ankle_x = np.where(rising, heel_x + length + bx, heel_x + ax)
    ankle_y = np.where(rising, by, ay)
    return np.stack([ankle_x, ankle_y], axis=1), pitch


def _motion(g: _Gait, t: Array, phase_left: Array, right_offset: float) -> _Motion:
    b = g.body
    reach = b.thigh + b.shank
    lean = np.full(len(t), g.lean_deg) + 1.0 * np.sin(4 * np.pi * phase_left)
    phases = {"left": phase_left, "right": phase_left + right_offset}
    if g.lurch_deg:
        p = np.mod(phases[g.lurch_side], 1.0)
        lean = lean - g.lurch_deg * np.where(p < 0.15, np.sin(np.pi * p / 0.15), 0.0)
    hip_x = g.stride * phase_left
    ahead = 0.16 * b.height  # the heel lands this far ahead of the hip

    def time_of(side: str, ph: Array) -> Array:
        return np.interp(ph, phases[side], t)

    stance_pose: dict[str, tuple[Array, Array, Array]] = {}
    for side, ph in phases.items():
        k = np.floor(ph)
        p = ph - k
        heel_x = g.stride * (k - (ph - phase_left)) + ahead
        ankle, pitch = _stance_foot(g, np.minimum(p, g.stance), heel_x)
        stance_pose[side] = (ankle, pitch, p < g.stance)
    # the hip sits as high as the stance leg(s) allow with the template's knee flexion
    hip_y = np.full(len(t), 2 * reach)
    for side, ph in phases.items():
        ankle, _, on = stance_pose[side]
        knee = np.radians(_KNEE(np.mod(ph, 1.0)) * g.knee_scale)
        want = np.sqrt(b.thigh**2 + b.shank**2 + 2 * b.thigh * b.shank * np.cos(knee)) * 0.999
        dx = hip_x - ankle[:, 0]
        height = ankle[:, 1] + np.sqrt(np.maximum(want**2 - dx**2, 0.01))
        hip_y = np.where(on, np.minimum(hip_y, height), hip_y)
    hip = np.stack([hip_x, hip_y], axis=1)
    joints: dict[str, dict[str, Array]] = {}
    knees: dict[str, Array] = {}
    hips: dict[str, Array] = {}
    for side, ph in phases.items():
        ankle_st, pitch_st, on = stance_pose[side]
        k = np.floor(ph)
        p = ph - k
        rel, pitch_sw = _template_leg(g, p)
        # blend the template swing into the planted poses at foot off and at the next contact
        t_off = time_of(side, k + g.stance)
        t_on = time_of(side, k + 1.0)
        hip_off = np.stack([np.interp(t_off, t, hip_x), np.interp(t_off, t, hip_y)], axis=1)
        rel_off, pitch_off = _template_leg(g, np.full(len(t), g.stance))
        rel_on, pitch_on = _template_leg(g, np.zeros(len(t)))
        hip_on = np.stack([np.interp(t_on, t, hip_x), np.interp(t_on, t, hip_y)], axis=1)
        heel_next = g.stride * (k + 1 - (ph - phase_left)) + ahead
        ankle_on, pitch_land = _stance_foot(g, np.zeros(len(t)), heel_next)
        ankle_leave, pitch_leave = _stance_foot(g, np.full(len(t), g.stance), heel_next - g.stride)
        c_off = ankle_leave - (hip_off + rel_off)
        c_on = ankle_on - (hip_on + rel_on)
        u = (p - g.stance) / (1 - g.stance)
        w_off = 1 - _smooth(u / 0.6)
        w_on = _smooth((u - 0.4) / 0.6)
        ankle_sw = hip + rel + w_off[:, None] * c_off + w_on[:, None] * c_on
        pitch_sw = pitch_sw + w_off * (pitch_leave - pitch_off) + w_on * (pitch_land - pitch_on)
        # keep the swinging foot above the ground (a little clearance mid-swing, none at the ends)
        # a foot that would scuff the ground is lifted with its whole leg (hip hiking), knee unchanged
        heel_sw, toe_sw = _foot_points(b, ankle_sw, pitch_sw)
        floor = 0.015 * np.sin(np.pi * np.clip(u, 0.0, 1.0))
        hike = np.where(on, 0.0, np.maximum(floor - np.minimum(heel_sw[:, 1], toe_sw[:, 1]), 0.0))
        ankle_target = np.where(on[:, None], ankle_st, ankle_sw)
        ankle_target[:, 1] += hike
        pitch = np.where(on, pitch_st, pitch_sw)
        leg_hip = hip + np.stack([np.zeros(len(t)), hike], axis=1)
        # two-link inverse kinematics, knee forward
        d_vec = ankle_target - leg_hip
        d = np.clip(np.hypot(d_vec[:, 0], d_vec[:, 1]), abs(b.thigh - b.shank) + 1e-6, reach - 1e-6)
        beta = np.arctan2(d_vec[:, 0], -d_vec[:, 1])
        gamma = np.arccos(np.clip((b.thigh**2 + d**2 - b.shank**2) / (2 * b.thigh * d), -1, 1))
        inner = np.arccos(np.clip((b.thigh**2 + b.shank**2 - d**2) / (2 * b.thigh * b.shank), -1, 1))
        thigh = beta + gamma
        knee_xy = leg_hip + b.thigh * np.stack([np.sin(thigh), -np.cos(thigh)], axis=1)
        ankle_xy = leg_hip + d[:, None] * np.stack([np.sin(beta), -np.cos(beta)], axis=1)
        heel, toe = _foot_points(b, ankle_xy, pitch)
        joints[side] = {"hip": leg_hip, "knee": knee_xy, "ankle": ankle_xy, "heel": heel, "toe": toe}
        knees[side] = 180.0 - np.degrees(inner)
        hips[side] = np.degrees(thigh) + lean
    return _Motion(t=t, hip=hip, phase=phases, joints=joints, knee=knees, hip_flexion=hips, trunk_lean=lean)


def _phase(t: Array, stride_times: Array, start_phase: float) -> Array:
    """Unwrapped left-leg phase at times ``t`` for a sequence of stride durations."""
    bounds = np.concatenate([[0.0], np.cumsum(stride_times)])
    return np.interp(t, bounds, np.arange(len(bounds), dtype=float)) + start_phase


def walk(
    *,
    fps: float = 30.0,
    seconds: float = 6.0,
    cadence: float = 110.0,
    direction: int = 1,
    view: str = "sagittal",
    noise_px: float = 2.0,
    dropout: float = 0.02,
    seed: int = 0,
    pelvic_drop_deg: float = 0.0,
    drop_side: str = "both",
    knee_peak_deg: float = 60.0,
    hip_extension_deg: float = 10.0,
    trunk_lean_deg: float = 3.0,
    lurch_deg: float = 0.0,
    lurch_side: str = "left",
    arm_swing_deg: float = 30.0,
    stride_cv: float = 0.015,
    stance_percent: float = 61.0,
    right_offset: float = 0.5,
    height_m: float = 1.75,
    width: int = 1920,
    height: int = 1080,
    distance_m: float = 4.0,
    fov_deg: float | None = None,
    start_phase: float | None = None,
) -> tuple[KeypointSeries, Truth]:
    """A walk of ``seconds`` at ``cadence`` steps/min, seen from the side or the front.

    ``direction``: +1 walks image left to right (sagittal) or toward the camera (frontal).
    ``pelvic_drop_deg`` adds to the normal 4-degree contralateral pelvic drop during the stance of
    ``drop_side`` (left, right or both). ``lurch_deg`` throws the trunk back by up to that many
    degrees in the first 15% of each ``lurch_side`` cycle (a gluteus maximus lurch).
    ``fov_deg`` None zooms the camera so the whole walk fits;
    a number (e.g. 65, a phone) keeps the camera fixed, so the walker enters and leaves the frame.
    ``right_offset`` 0.5 is a symmetric gait; other values make the right step shorter or longer.
    """
    if view not in ("sagittal", "frontal"):
        raise ValueError(f"view must be 'sagittal' or 'frontal', not {view!r}")
    if direction not in (1, -1):
        raise ValueError("direction must be +1 or -1")
    rng = np.random.default_rng(seed)
    body = Body(height_m)
    mean_stride = 120.0 / cadence
    n_strides = int(seconds / mean_stride) + 4
    stride_times = mean_stride * (1.0 + stride_cv * rng.standard_normal(n_strides))
    phase0 = float(rng.uniform(0.0, 1.0)) if start_phase is None else start_phase
    gait = _Gait(
        body=body,
        stride=height_m * float(np.clip(0.86 + 0.005 * (cadence - 110.0), 0.6, 1.05)),
        stance=stance_percent / 100.0,
        knee_scale=knee_peak_deg / _KNEE_TEMPLATE_PEAK,
        hip_ext_scale=hip_extension_deg / _HIP_TEMPLATE_EXTENSION,
        lean_deg=trunk_lean_deg,
        lurch_deg=lurch_deg,
        lurch_side=lurch_side,
    )
    fine_t = np.arange(0.0, seconds, 1.0 / FINE_HZ)
    fine = _motion(gait, fine_t, _phase(fine_t, stride_times, phase0), right_offset)
    events: list[TruthEvent] = []
    for side in ("left", "right"):
        ph = fine.phase[side]
        for k in range(math.floor(ph[0]), math.ceil(ph[-1]) + 1):
            for kind, at in (("heel_strike", float(k)), ("toe_off", k + gait.stance)):
                if ph[0] < at < ph[-1]:
                    events.append(TruthEvent(side, kind, float(np.interp(at, ph, fine_t))))
    events.sort(key=lambda e: e.time)
    cycles = _truth_cycles(events, fine)
    n_frames = round(seconds * fps)
    t = np.arange(n_frames) / fps
    motion = _motion(gait, t, _phase(t, stride_times, phase0), right_offset)
    drops = _pelvic_drop(motion, pelvic_drop_deg, drop_side)
    world = _world(body, motion, arm_swing_deg, drops)
    frames = _render(world, motion, view, direction, body, width, height, distance_m, fov_deg, noise_px, dropout, rng)
    series = KeypointSeries(fps=fps, width=width, height=height, frames=frames, source="synthetic", backend="walker")
    total_strides = float(np.interp(seconds, np.concatenate([[0.0], np.cumsum(stride_times)]),
                                    np.arange(n_strides + 1, dtype=float)))  # fmt: skip
    truth = Truth(
        fps=fps,
        view=view,
        direction=direction,
        cadence=2.0 * total_strides / seconds * 60.0,
        events=tuple(events),
        cycles=cycles,
        trunk_lean_deg=trunk_lean_deg,
        arm_swing_deg=arm_swing_deg,
        pelvic_drop_deg={
            side: 4.0 + (pelvic_drop_deg if drop_side in (side, "both") else 0.0) for side in ("left", "right")
        },
    )
    return series, truth


def _truth_cycles(events: list[TruthEvent], fine: _Motion) -> tuple[TruthCycle, ...]:
    cycles: list[TruthCycle] = []
    for side in ("left", "right"):
        strikes = [e.time for e in events if e.side == side and e.kind == "heel_strike"]
        offs = [e.time for e in events if e.side == side and e.kind == "toe_off"]
        for a, b in itertools.pairwise(strikes):
            inside = [o for o in offs if a < o < b]
            if len(inside) != 1:
                continue
            swing = (fine.t >= inside[0]) & (fine.t <= b)
            stance = (fine.t >= a) & (fine.t <= inside[0])
            flex = fine.hip_flexion[side]
            cycles.append(
                TruthCycle(
                    side=side,
                    start=a,
                    end=b,
                    toe_off=inside[0],
                    knee_peak_swing=float(np.max(fine.knee[side][swing])),
                    hip_extension_peak=float(-np.min(flex[stance])),
                )
            )
    return tuple(sorted(cycles, key=lambda c: c.start))


def _pelvic_drop(motion: _Motion, extra: float, drop_side: str) -> Array:
    """Pelvic obliquity (degrees, positive = right hip lower) from each side's stance."""
    out = np.zeros_like(motion.t)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        amp = 4.0 + (extra if drop_side in (side, "both") else 0.0)
        p = np.mod(motion.phase[side], 1.0)
        bump = np.where(p < 0.5, np.sin(np.pi * p / 0.5), 0.0)
        out += sign * amp * bump
    return out


def _world(body: Body, m: _Motion, arm_swing_deg: float, obliquity: Array) -> dict[str, Array]:
    """3D points (x forward, y up, z to the walker's left) for every landmark, per frame."""
    n = len(m.t)
    zeros = np.zeros(n)
    lean = np.radians(m.trunk_lean)
    sway = 0.02 * np.sin(2 * np.pi * (m.phase["left"] - 0.25))  # toward the stance foot
    pts: dict[str, Array] = {}
    drop = np.radians(obliquity)

    def p3(xy: Array, z: Array | float) -> Array:
        return np.stack([xy[:, 0], xy[:, 1], np.broadcast_to(z, (n,))], axis=1)

    # pelvis rotates about the stance hip: the swing side drops, the stance side stays
    stance_left = np.mod(m.phase["left"], 1.0) < 0.6
    half = body.hip_half_width
    for side, zs in (("left", half), ("right", -half)):
        lift = np.where(stance_left, 0.0 if side == "left" else -2 * half * np.sin(drop),
                        2 * half * np.sin(drop) if side == "left" else 0.0)  # fmt: skip
        offset = np.stack([zeros, lift], axis=1)
        # the pelvis sways over the feet; a planted foot stays where it is (the knee goes half way)
        pts[f"{side}_hip"] = p3(m.joints[side]["hip"] + offset, zs + sway)
        for joint, name in (("knee", "knee"), ("ankle", "ankle"), ("heel", "heel"), ("toe", "foot_index")):
            zz = zs + (sway / 2 if joint == "knee" else 0.0)
            zz = zz + (0.02 * (1 if side == "left" else -1) if joint == "toe" else 0.0)
            share = {"knee": 0.5}.get(joint, 0.0)  # the pelvis tilts over the feet, it does not move them
            pts[f"{side}_{name}"] = p3(m.joints[side][joint] + share * offset, zz)
    mid_hip = (pts["left_hip"] + pts["right_hip"]) / 2
    up = np.stack([np.sin(lean), np.cos(lean), zeros], axis=1)
    shoulder_mid = mid_hip + body.trunk * up
    head = shoulder_mid + (body.neck + body.head) * up
    fwd = np.stack([np.cos(lean), -np.sin(lean), zeros], axis=1)
    lat = np.array([0.0, 0.0, 1.0])
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        shoulder = shoulder_mid + sgn * body.shoulder_half_width * lat - sgn * sway[:, None] * lat * 0.5
        pts[f"{side}_shoulder"] = shoulder
        # the arm swings opposite to the leg of its own side: forward when that leg is back
        swing = np.radians(arm_swing_deg / 2 * np.cos(2 * np.pi * (m.phase[side] - 0.5)) - 3.0)
        elbow_flex = np.radians(15.0 + 10.0 * np.maximum(np.cos(2 * np.pi * (m.phase[side] - 0.5)), 0.0))
        a_up = lean + swing  # upper arm from the downward trunk line, forward positive
        upper = np.stack([np.sin(a_up), -np.cos(a_up), zeros], axis=1)
        elbow = shoulder + body.upper_arm * upper + sgn * 0.03 * lat
        a_fore = a_up + elbow_flex
        fore = np.stack([np.sin(a_fore), -np.cos(a_fore), zeros], axis=1)
        wrist = elbow + body.forearm * fore + sgn * 0.01 * lat
        pts[f"{side}_elbow"] = elbow
        pts[f"{side}_wrist"] = wrist
        for name, extra in (("pinky", -0.01), ("index", 0.0), ("thumb", 0.015)):
            pts[f"{side}_{name}"] = wrist + body.hand * fore + extra * fwd + sgn * 0.01 * lat
        pts[f"{side}_ear"] = head + sgn * 0.07 * lat
        pts[f"{side}_eye"] = head + 0.08 * fwd + 0.02 * up + sgn * body.eye_half_width * 1.8 * lat
        pts[f"{side}_eye_inner"] = head + 0.085 * fwd + 0.02 * up + sgn * body.eye_half_width * lat
        pts[f"{side}_eye_outer"] = head + 0.075 * fwd + 0.02 * up + sgn * body.eye_half_width * 2.6 * lat
        pts[f"mouth_{side}"] = head + 0.085 * fwd - 0.05 * up + sgn * 0.025 * lat
    pts["nose"] = head + 0.11 * fwd - 0.01 * up
    return pts


def _render(
    world: dict[str, Array],
    m: _Motion,
    view: str,
    direction: int,
    body: Body,
    width: int,
    height: int,
    distance: float,
    fov_deg: float | None,
    noise_px: float,
    dropout: float,
    rng: np.random.Generator,
) -> list[Pose | None]:
    """Project to the image through a pinhole camera at 1 m height; add noise and dropouts."""
    n = len(m.t)
    cam_h = 1.0
    travel = float(m.hip[-1, 0] - m.hip[0, 0])
    screen: dict[str, tuple[Array, Array, Array]] = {}
    if view == "sagittal":
        # camera on the walker's right when walking image left to right (+x), on the left otherwise
        centre_x = float(m.hip[0, 0]) + travel / 2
        f = _focal(width, fov_deg, (travel + 1.2) / distance)
        for name, p in world.items():
            fwd = p[:, 0] - centre_x
            depth = distance + (p[:, 2] if direction == 1 else -p[:, 2])
            u = width / 2 + direction * f * fwd / depth
            v = height / 2 - f * (p[:, 1] - cam_h) / depth
            near = (name.startswith("right") or name.endswith("right")) == (direction == 1)
            screen[name] = (u, v, np.full(n, 0.95 if near else 0.8))
    else:
        near_z = max(distance, 3.0)
        f = _focal(width, fov_deg, 1.0 / near_z) if fov_deg is not None else 0.8 * height * near_z / body.height
        for name, p in world.items():
            progress = p[:, 0] - float(m.hip[0, 0])
            depth = near_z + travel - progress if direction == 1 else near_z + progress
            lateral = -p[:, 2] if direction == 1 else p[:, 2]  # facing the camera, the left side is on image right
            u = width / 2 - f * lateral / depth
            v = height * 0.45 - f * (p[:, 1] - cam_h) / depth
            screen[name] = (u, v, np.full(n, 0.9))
    frames: list[Pose | None] = []
    for i in range(n):
        if rng.random() < dropout:
            frames.append(None)
            continue
        kps: dict[str, Keypoint] = {}
        for name in LANDMARKS:
            u, v, s = screen[name]
            x = float(u[i] + noise_px * rng.standard_normal())
            y = float(v[i] + noise_px * rng.standard_normal())
            score = float(s[i])
            if rng.random() < dropout:  # a keypoint the model was unsure of, placed badly
                x += float(rng.normal(0, 25))
                y += float(rng.normal(0, 25))
                score = 0.1
            if 0 <= x < width and 0 <= y < height:
                kps[name] = Keypoint(name, x, y, score)
        frames.append(Pose(kps, 0.9) if len(kps) >= len(LANDMARKS) // 2 else None)
    return frames


def _focal(width: int, fov_deg: float | None, span_over_depth: float) -> float:
    if fov_deg is not None:
        return width / 2 / math.tan(math.radians(fov_deg) / 2)
    return 0.95 * width / span_over_depth


TRC_PARTS = {"hip": "Hip", "knee": "Knee", "ankle": "Ankle", "heel": "Heel", "foot_index": "BigToe",
             "shoulder": "Shoulder", "elbow": "Elbow", "wrist": "Wrist"}  # fmt: skip


def to_trc(series: KeypointSeries, *, pixels_per_metre: float = 1000.0) -> str:
    """A walk written as a TRC marker file (as Pose2Sim or OpenCap write them): metres, Y up, Z zero."""
    names = [(f"{side}_{part}", f"{side[0].upper()}{marker}") for side in ("left", "right")
             for part, marker in TRC_PARTS.items()]  # fmt: skip
    markers = [m for _, m in names]
    rows = []
    for i, pose in enumerate(series.frames):
        values: list[str] = []
        for landmark, _ in names:
            k = pose.keypoints.get(landmark) if pose is not None else None
            if k is None:
                values += ["", "", ""]
            else:
                up = (series.height - k.y) / pixels_per_metre
                values += [f"{k.x / pixels_per_metre:.5f}", f"{up:.5f}", "0.00000"]
        rows.append("\t".join([str(i + 1), f"{i / series.fps:.5f}", *values]))
    fps = f"{series.fps:.2f}"
    head = [
        "PathFileType\t4\t(X/Y/Z)\twalk.trc",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{fps}\t{fps}\t{len(rows)}\t{len(markers)}\tm\t{fps}\t1\t{len(rows)}",
        "Frame#\tTime\t" + "\t\t\t".join(markers) + "\t\t\t",
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(markers))),
        "",
    ]
    return "\n".join(head + rows) + "\n"
