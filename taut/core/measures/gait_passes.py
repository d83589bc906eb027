"""A front-view clip with a walk toward the camera, a turn and a walk away, split into passes.

Facing the camera, the left hip is on the image's right; with the back to the camera it is on the
left. The sign of (left hip x - right hip x) therefore tells the two passes apart, and during the
turn the hips line up (the walker is side-on), so their image distance falls toward zero. A pass
is a run of frames with one facing at least ``MIN_PASS_S`` long; frames where the hip distance is
under ``TURN_WIDTH`` of the pass's typical distance belong to the turn and are left out. Each pass
is analysed on its own (``gait.analyse``); a clip of one direction is one pass.
"""

from __future__ import annotations

import numpy as np

from taut.core.measures.gait_events import MIN_SCORE, Array, _runs
from taut.core.vision.types import KeypointSeries

MIN_PASS_S = 1.5  # a shorter stretch of one facing is not a pass (too few steps to measure)
TURN_WIDTH = 0.5  # hip distance under this share of the pass's median: side-on, turning
SMOOTH_S = 0.3  # the facing signal is smoothed over this long before its sign is read


def _hip_gap(series: KeypointSeries) -> Array:
    gap = np.full(len(series), np.nan)
    for i, pose in enumerate(series.frames):
        if pose is None:
            continue
        left, right = pose.keypoints.get("left_hip"), pose.keypoints.get("right_hip")
        if left is not None and right is not None and min(left.score, right.score) >= MIN_SCORE:
            gap[i] = left.x - right.x
    return gap


def split(series: KeypointSeries) -> list[tuple[int, int, str]]:
    """(first frame, end frame exclusive, facing) of each pass, in order; the turn left out."""
    gap = _hip_gap(series)
    good = np.isfinite(gap)
    if good.sum() < 2:
        return []
    idx = np.arange(len(gap), dtype=float)
    filled = np.interp(idx, idx[good], gap[good])
    k = max(1, round(SMOOTH_S * series.fps))
    smooth = np.convolve(filled, np.ones(k) / k, mode="same")
    out: list[tuple[int, int, str]] = []
    for facing, mask in (("toward", smooth > 0), ("away", smooth < 0)):
        for a, b in _runs(mask):
            typical = float(np.median(np.abs(filled[a:b])))
            wide = np.abs(filled[a:b]) >= TURN_WIDTH * typical
            inner = _runs(wide)
            if not inner:
                continue
            s, e = max(inner, key=lambda r: r[1] - r[0])
            if e - s >= MIN_PASS_S * series.fps:
                out.append((a + s, a + e, facing))
    return sorted(out)
