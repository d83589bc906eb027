"""Gait events from a 2D keypoint series: cleaning, walking direction, heel strike and toe off.

Cleaning: keypoints below ``MIN_SCORE`` count as missing; gaps up to ``MAX_GAP_S`` are filled by
linear interpolation; the analysis keeps the longest stretch in which the pelvis and feet are seen
(and, from the side, the pelvis moves); every track is low-pass filtered without phase shift
(4th-order Butterworth, forward and backward, ``CUTOFF_HZ`` kept below the Nyquist frequency).

Sagittal events follow Zeni et al. (2008): heel strike where the heel is farthest ahead of the
pelvis, toe off where the toe is farthest behind it, measured along the walking direction. Peaks
are refined between frames with a parabola through the peak and its neighbours.

Frontal events cannot use that, because forward motion is depth. A foot on the ground is still in
the image (the camera does not move), while a swinging foot moves, mostly up and down in the image
as it lifts and changes depth. Contact is therefore where the foot's image speed (relative to body
size) falls below ``FRONTAL_STILL`` of its swing peak, foot off where it rises above it. This is
less accurate than the sagittal method: the threshold sets the event by a frame or two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.signal import butter, filtfilt, find_peaks

from taut.core.errors import MeasurementError
from taut.core.vision.types import KeypointSeries, WalkView

Array = NDArray[np.float64]

MIN_SCORE = 0.3  # keypoints the model was less sure of are treated as missing
MAX_GAP_S = 0.25  # gaps up to this long are interpolated
CUTOFF_HZ = 6.0  # low-pass cut-off for the keypoint tracks
MIN_WALK_S = 1.0  # less walking than this cannot give a gait cycle
MIN_STRIDE_S = 0.6  # events of one foot closer than this cannot both be real (cadence > 200)
FRONTAL_STILL = 0.2  # share of the swing peak speed under which a frontal foot counts as planted
FRONTAL_MIN_STILL_S = 0.15  # a planted foot stays still at least this long
FRONTAL_STILL_FIT_S = 0.2  # an event is fitted on this much of the still foot
FRONTAL_MOVE_FIT_S = 0.15  # and this much of the moving foot
FRONTAL_DEGREE = 3  # polynomial degree of the moving part
FRONTAL_SEARCH_S = 0.12  # how far from the coarse still-edge the fitted event may move

TRACKS = (
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
SIDES = ("left", "right")


@dataclass(frozen=True)
class Event:
    side: str  # left | right
    kind: str  # heel_strike | toe_off
    time: float  # seconds from the first frame of the series (sub-frame)

    def frame(self, fps: float) -> int:
        return round(self.time * fps)


@dataclass(frozen=True)
class Clean:
    """The cleaned tracks of the analysed stretch: name -> (n, 2) pixels, NaN where unknown."""

    fps: float
    start: int  # first frame of the stretch in the original series
    tracks: dict[str, Array]
    mean_score: float
    filled: int  # frames filled by interpolation (over the pelvis and feet)
    warnings: tuple[str, ...]
    raw: dict[str, Array] = field(default_factory=dict)  # filled but not filtered: for fitting events

    @property
    def n(self) -> int:
        return len(self.tracks["pelvis"])

    def time(self, index: Array | float) -> Array | float:
        return (
            (np.asarray(index) + self.start) / self.fps
            if isinstance(index, np.ndarray)
            else (index + self.start) / self.fps
        )

    def has(self, name: str) -> bool:
        return name in self.tracks and bool(np.isfinite(self.tracks[name][:, 0]).all())


def _raw(series: KeypointSeries) -> tuple[dict[str, Array], dict[str, Array]]:
    xy: dict[str, Array] = {}
    score: dict[str, Array] = {}
    for name in TRACKS:
        arr = np.array(list(series.track(name)), dtype=float).reshape(-1, 3)
        ok = np.isfinite(arr[:, 0]) & np.isfinite(arr[:, 1]) & (arr[:, 2] >= MIN_SCORE)
        pts = arr[:, :2].copy()
        pts[~ok] = np.nan
        xy[name] = pts
        score[name] = np.where(np.isfinite(arr[:, 2]), arr[:, 2], 0.0)
    return xy, score


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Start and end (exclusive) of each run of True."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _bridge(mask: NDArray[np.bool_], max_gap: int) -> NDArray[np.bool_]:
    """``mask`` with interior False runs of at most ``max_gap`` frames set to True."""
    out = mask.copy()
    for a, b in _runs(~mask):
        if a > 0 and b < len(mask) and b - a <= max_gap:
            out[a:b] = True
    return out


def _fill(values: Array, max_gap: int) -> Array:
    """Linear interpolation over interior gaps up to ``max_gap`` frames; longer gaps stay NaN."""
    out = values.copy()
    for col in range(out.shape[1]):
        v = out[:, col]
        good = np.isfinite(v)
        if good.sum() < 2:
            continue
        idx = np.arange(len(v))
        filled = np.interp(idx, idx[good], v[good])
        for a, b in _runs(~good):
            if a > 0 and b < len(v) and b - a <= max_gap:
                v[a:b] = filled[a:b]
    return out


def _lowpass(values: Array, fps: float) -> Array:
    cutoff = min(CUTOFF_HZ, 0.4 * fps)
    b, a = butter(4, cutoff / (fps / 2))
    out = values.copy()
    for col in range(values.shape[1]):
        v = values[:, col]
        for s, e in _runs(np.isfinite(v)):
            if e - s > 15:
                out[s:e, col] = filtfilt(b, a, v[s:e])
    return out


def _foot(xy: dict[str, Array], side: str, part: str) -> Array:
    """Heel (or toe) track, with the ankle standing in where the heel (or toe) is missing."""
    main = xy[f"{side}_{'heel' if part == 'heel' else 'foot_index'}"].copy()
    ankle = xy[f"{side}_ankle"]
    gap = ~np.isfinite(main[:, 0])
    main[gap] = ankle[gap]
    return main


def clean(series: KeypointSeries, view: WalkView) -> Clean:
    """Missing keypoints dropped or filled, the walking stretch kept, every track low-pass filtered."""
    if series.fps <= 0 or not np.isfinite(series.fps):
        raise MeasurementError("fps", f"{series.fps!r} is not a frame rate; give the video's frames per second.")
    fps = float(series.fps)
    warnings: list[str] = []
    if len(series) < MIN_WALK_S * fps:
        raise MeasurementError(
            "series",
            f"the clip is {len(series) / fps:.2f} s long; film at least {MIN_WALK_S:g} s of walking (6-8 steps).",
        )
    xy, score = _raw(series)
    if not any(np.isfinite(xy[f"{s}_{p}"][:, 0]).any() for s in SIDES for p in ("heel", "ankle", "foot_index")):
        raise MeasurementError(
            "keypoints", "no heel, ankle or toe keypoints were found; film the whole body, feet included."
        )
    seen = {name: np.isfinite(v[:, 0]) for name, v in xy.items()}
    feet = {s: seen[f"{s}_heel"] | seen[f"{s}_ankle"] for s in SIDES}
    core = seen["left_hip"] & seen["right_hip"] & feet["left"] & feet["right"]
    max_gap = max(1, round(MAX_GAP_S * fps))
    runs = _runs(_bridge(core, max_gap))
    if not runs:
        raise MeasurementError(
            "keypoints",
            "the hips and both feet are never seen together; film the whole body from the side or the front.",
        )
    start, end = max(runs, key=lambda r: r[1] - r[0])
    if end - start < MIN_WALK_S * fps:
        raise MeasurementError(
            "keypoints",
            f"hips and feet are seen together for only {(end - start) / fps:.2f} s; keep the whole body in the "
            f"frame for at least {MIN_WALK_S:g} s of walking.",
        )
    if end - start < 0.6 * len(series):
        warnings.append(
            f"the person was fully seen for {(end - start) / fps:.1f} s of {len(series) / fps:.1f} s; "
            "only that stretch was analysed."
        )
    filled_frames = int((~core[start:end]).sum())
    tracks: dict[str, Array] = {}
    for name, v in xy.items():
        tracks[name] = _fill(v[start:end], max_gap)
    for side in SIDES:
        tracks[f"{side}_heel_pt"] = _foot(tracks, side, "heel")
        tracks[f"{side}_toe_pt"] = _foot(tracks, side, "toe")
    tracks["pelvis"] = (tracks["left_hip"] + tracks["right_hip"]) / 2
    raw = {name: tracks[name].copy() for name in [f"{s}_{p}_pt" for s in SIDES for p in ("heel", "toe")]}
    tracks = {name: _lowpass(v, fps) for name, v in tracks.items()}
    used = [
        score[n][start:end] for n in ("left_hip", "right_hip", "left_heel", "right_heel", "left_ankle", "right_ankle")
    ]
    mean_score = float(np.mean(used))
    if mean_score < 0.5:
        warnings.append(
            f"keypoint confidence is low (mean {mean_score:.2f}); light the walkway and film against a plain wall."
        )
    clean_ = Clean(fps, start, tracks, mean_score, filled_frames, tuple(warnings), raw)
    if view is WalkView.SAGITTAL:
        clean_ = _walking_part(clean_)
    return clean_


def _walking_part(c: Clean) -> Clean:
    """The longest stretch in which the pelvis moves (standing at either end is cut off)."""
    px = c.tracks["pelvis"][:, 0]
    speed = np.abs(np.gradient(px)) * c.fps
    k = max(3, round(0.5 * c.fps))
    speed = np.convolve(speed, np.ones(k) / k, mode="same")
    moving = speed > 0.3 * float(np.percentile(speed, 75))
    runs = _runs(moving)
    if not runs:
        return c
    a, b = max(runs, key=lambda r: r[1] - r[0])
    if b - a >= c.n - 2 or b - a < MIN_WALK_S * c.fps:
        return c
    note = f"standing still at the start or end was left out ({(c.n - (b - a)) / c.fps:.1f} s)."
    return Clean(
        c.fps,
        c.start + a,
        {n: v[a:b] for n, v in c.tracks.items()},
        c.mean_score,
        c.filled,
        (*c.warnings, note),
        {n: v[a:b] for n, v in c.raw.items()},
    )


def body_height(c: Clean) -> float:
    """Shoulder-to-ankle height in pixels (median), the scale for thresholds."""
    shoulder = (c.tracks["left_shoulder"] + c.tracks["right_shoulder"]) / 2
    ankle = (c.tracks["left_ankle"] + c.tracks["right_ankle"]) / 2
    h = np.hypot(*(shoulder - ankle).T)
    h = h[np.isfinite(h)]
    if len(h) == 0:
        h = np.hypot(*(c.tracks["pelvis"] - ankle).T) * 1.9
        h = h[np.isfinite(h)]
    return float(np.median(h)) if len(h) else float("nan")


def direction(c: Clean, view: WalkView) -> tuple[int, str, list[str]]:
    """+1 / -1 and its name: left_to_right / right_to_left (sagittal), toward / away (frontal)."""
    notes: list[str] = []
    scale = body_height(c)
    if view is WalkView.SAGITTAL:
        px = c.tracks["pelvis"][:, 0]
        travel = float(px[-1] - px[0])
        feet = np.concatenate([c.tracks[f"{s}_foot_index"][:, 0] - c.tracks[f"{s}_heel"][:, 0] for s in SIDES])
        feet = feet[np.isfinite(feet)]
        pointing = float(np.sign(np.median(feet))) if len(feet) else 0.0
        if abs(travel) < 0.3 * scale:
            if pointing == 0:
                raise MeasurementError("direction", "the walking direction is unclear; walk across the whole frame.")
            notes.append("the pelvis hardly moves across the image (treadmill?); the direction comes from the feet.")
            sign = int(pointing)
        else:
            sign = 1 if travel > 0 else -1
            if pointing and pointing != sign:
                notes.append("the toes point against the walking direction: check that left and right are not swapped.")
        return sign, ("left_to_right" if sign > 0 else "right_to_left"), notes
    size = np.abs(c.tracks["left_shoulder"][:, 0] - c.tracks["right_shoulder"][:, 0])
    size = np.where(np.isfinite(size), size, np.abs(c.tracks["left_hip"][:, 0] - c.tracks["right_hip"][:, 0]))
    k = max(1, c.n // 4)
    grow = float(np.nanmedian(size[-k:]) / np.nanmedian(size[:k]))
    if not np.isfinite(grow) or abs(grow - 1.0) < 0.05:
        notes.append("the walker neither clearly comes closer nor goes away; the direction is a guess.")
    sign = 1 if grow >= 1.0 else -1
    facing = float(np.nanmedian(c.tracks["left_hip"][:, 0] - c.tracks["right_hip"][:, 0]))
    if np.isfinite(facing) and (facing > 0) != (sign > 0):
        notes.append("left and right keypoints look swapped for the walking direction (or the direction is wrong).")
    return sign, ("toward" if sign > 0 else "away"), notes


def view_check(c: Clean, view: WalkView) -> list[str]:
    """A warning when the hip width says the camera saw the walk from the other side."""
    width = np.abs(c.tracks["left_hip"][:, 0] - c.tracks["right_hip"][:, 0])
    ratio = float(np.nanmedian(width) / body_height(c))
    if view is WalkView.SAGITTAL and ratio > 0.15:
        return [
            "the hips look wide apart for a side view; was the walk filmed from the front? Choose the frontal view."
        ]
    if view is WalkView.FRONTAL and ratio < 0.06:
        return [
            "the hips look too close together for a front view; was the walk filmed from the side? "
            "Choose the sagittal view."
        ]
    return []


def _refine(signal: Array, i: int) -> float:
    """Sub-frame position of a peak at ``i`` from a parabola through it and its neighbours."""
    if 0 < i < len(signal) - 1:
        a, b, c = signal[i - 1], signal[i], signal[i + 1]
        denom = a - 2 * b + c
        if denom != 0 and np.isfinite(denom):
            return i + float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5))
    return float(i)


def _peaks(signal: Array, fps: float) -> list[float]:
    finite = np.isfinite(signal)
    if finite.sum() < 3:
        return []
    s = np.where(finite, signal, np.nanmin(signal))
    span = float(np.nanpercentile(signal, 95) - np.nanpercentile(signal, 5))
    idx, _ = find_peaks(s, distance=max(1, int(MIN_STRIDE_S * fps)), prominence=0.3 * span)
    return [_refine(s, int(i)) for i in idx if finite[max(0, i - 1) : i + 2].all()]


def sagittal_events(c: Clean, sign: int) -> list[Event]:
    """Zeni et al. (2008): heel farthest ahead of, and toe farthest behind, the pelvis."""
    events: list[Event] = []
    pelvis = c.tracks["pelvis"][:, 0]
    for side in SIDES:
        heel: Array = (c.tracks[f"{side}_heel_pt"][:, 0] - pelvis) * float(sign)
        toe: Array = (c.tracks[f"{side}_toe_pt"][:, 0] - pelvis) * float(sign)
        events += [Event(side, "heel_strike", float(c.time(i))) for i in _peaks(heel, c.fps)]
        events += [Event(side, "toe_off", float(c.time(i))) for i in _peaks(-toe, c.fps)]
    return tidy(events)


def body_length(c: Clean) -> Array:
    """Per-frame body length in pixels: the trunk (mid-shoulder to mid-hip), or 0.9 times hip to ankle
    where the shoulders are not seen. It shrinks and grows with the distance to the camera, so a
    speed divided by it is in body lengths per second whether the walker is near or far."""
    t = c.tracks
    shoulder = (t["left_shoulder"] + t["right_shoulder"]) / 2
    trunk = np.hypot(*(shoulder - t["pelvis"]).T)
    legs = np.nanmean(
        np.stack([np.hypot(*(t[f"{s}_ankle"] - t[f"{s}_hip"]).T) for s in SIDES]), axis=0
    )  # fmt: skip
    length = np.where(np.isfinite(trunk), trunk, 0.9 * legs)
    good = np.isfinite(length) & (length > 0)
    if good.sum() < 2:
        return np.full(c.n, body_height(c) / 3)
    idx = np.arange(c.n, dtype=float)
    return np.asarray(np.interp(idx, idx[good], length[good]), dtype=np.float64)


def _coarse_stance(c: Clean, name: str, length: Array) -> list[tuple[int, int]]:
    """Runs of frames in which a foot point is nearly still (speed in body lengths per second under
    ``FRONTAL_STILL`` of the swing peak around it), at least ``FRONTAL_MIN_STILL_S`` long."""
    track = c.tracks[name]
    speed = np.hypot(*np.gradient(track, axis=0).T) * c.fps / length
    if not np.isfinite(speed).all():
        return []
    win = max(3, round(0.6 * c.fps))
    peak = np.array([np.max(speed[max(0, i - win) : i + win + 1]) for i in range(len(speed))])
    min_run = max(2, round(FRONTAL_MIN_STILL_S * c.fps))
    return [(a, b) for a, b in _runs(speed < FRONTAL_STILL * peak) if b - a >= min_run]


def _hinge(track: Array, guess: float, fps: float, *, landing: bool) -> float | None:
    """The instant a foot point stops (``landing``) or starts moving, fitted on the unfiltered track.

    Model, per image axis: the point is still at P on one side of t0 and moves on the other side
    as a polynomial in d, the time from t0 (a foot slows before it lands and lifts before it moves
    on). The still side is fitted over ``FRONTAL_STILL_FIT_S``, the moving side over
    ``FRONTAL_MOVE_FIT_S``; the least-squares t0 is searched on a 0.05-frame grid within
    ``FRONTAL_SEARCH_S`` of the coarse guess. No threshold in pixels: the fit weighs the motion
    against the noise itself, whatever the walker's distance from the camera.
    """
    n = len(track)
    search = FRONTAL_SEARCH_S * fps
    still, move = FRONTAL_STILL_FIT_S * fps, FRONTAL_MOVE_FIT_S * fps
    lo = max(0, int(np.ceil(guess - search - (move if landing else still))))
    hi = min(n, int(np.floor(guess + search + (still if landing else move))) + 1)
    if hi - lo < 8 or not np.isfinite(track[lo:hi]).all():
        return None
    y = track[lo:hi]
    frames = np.arange(lo, hi, dtype=float)
    best, best_t = np.inf, None
    for t0 in np.arange(max(lo + 2.0, guess - search), min(hi - 3.0, guess + search), 0.05):
        d = np.maximum(t0 - frames, 0.0) if landing else np.maximum(frames - t0, 0.0)
        design = np.stack([d**k for k in range(FRONTAL_DEGREE + 1)], axis=1)
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        sse = float(np.sum((design @ coef - y) ** 2))
        if sse < best:
            best, best_t = sse, float(t0)
    return best_t


def frontal_events(c: Clean) -> list[Event]:
    """Heel strike where the heel comes to rest in the image, toe off where the toe leaves it.

    The camera does not move, so a planted foot is still in the image while a swinging one moves
    (mostly up and down as it changes depth). Still stretches are found on speeds in body lengths
    per second (``body_length``, per frame), then each edge is fitted on the unfiltered track
    (``_hinge``), because the low-pass filter smears the instant a foot stops or starts.
    """
    length = body_length(c)
    events: list[Event] = []
    for side in SIDES:
        for part, kind in (("heel", "heel_strike"), ("toe", "toe_off")):
            name = f"{side}_{part}_pt"
            raw = c.raw.get(name, c.tracks[name])
            for a, b in _coarse_stance(c, name, length):
                if kind == "heel_strike" and a > 0:
                    at = _hinge(raw, a - 0.5, c.fps, landing=True)
                elif kind == "toe_off" and b < c.n:
                    at = _hinge(raw, b - 0.5, c.fps, landing=False)
                else:
                    continue
                if at is not None:
                    events.append(Event(side, kind, float(c.time(at))))
    return tidy(events)


def tidy(events: list[Event]) -> list[Event]:
    """Per foot, heel strikes and toe offs must alternate; a repeat keeps the first of the pair."""
    out: list[Event] = []
    for side in SIDES:
        last: Event | None = None
        for e in sorted((e for e in events if e.side == side), key=lambda e: e.time):
            if last is not None and e.kind == last.kind:
                continue
            if last is not None and e.time - last.time < 0.1:
                continue
            out.append(e)
            last = e
    return sorted(out, key=lambda e: e.time)
