"""Gait toward and away from the camera, on synthetic walks with known truth (evaluation.gait_walker).

Seeds here differ from those of ``python -m evaluation.gait`` (0 and 1), so these clips are not the
ones the accuracy table was read from.
"""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.gait import Tally, score
from evaluation.gait_walker import Body, walk
from taut.core.knowledge.loader import load_base
from taut.core.measures.gait import GaitReport, analyse, analyse_passes
from taut.core.measures.gait_passes import split
from taut.core.vision.types import Keypoint, KeypointSeries, Pose

BASE = load_base()


def _tally(fps: int, seeds: tuple[int, ...]) -> Tally:
    tally = Tally()
    for seed in seeds:
        for direction in (1, -1):
            series, truth = walk(fps=fps, cadence=110, direction=direction, seed=seed, view="frontal")
            score(analyse(series, "frontal", kb=BASE), truth, tally)
    return tally


@pytest.mark.parametrize("fps", [30, 60])
def test_frontal_events_mostly_within_two_frames_toward_and_away(fps: int) -> None:
    """The measured level (docs/gait.md, 69-71 % within 2 frames on the table's seeds): at least
    half within 2 frames on other seeds, nine in ten matched within a quarter second."""
    tally = _tally(fps, (7, 8))
    assert tally.events > 50
    assert len(tally.event_err_frames) >= 0.9 * tally.events
    assert tally.within_2 / tally.events >= 0.5
    assert float(np.median(np.abs(tally.event_err_frames))) <= 2.0


@pytest.mark.xfail(strict=True, reason="target of issue 19 not reached: heel strike walking away is early")
def test_frontal_events_within_two_frames_in_95_percent() -> None:
    tally = _tally(30, (7,))
    assert tally.within_2 / tally.events >= 0.95


def _pair(fps: int, seed: int, direction: int) -> tuple[GaitReport, GaitReport]:
    kwargs = {"fps": fps, "cadence": 110, "seed": seed, "noise_px": 2.0}
    side, _ = walk(view="sagittal", direction=1, **kwargs)  # type: ignore[arg-type]
    front, _ = walk(view="frontal", direction=direction, **kwargs)  # type: ignore[arg-type]
    return analyse(side, "sagittal", kb=BASE), analyse(front, "frontal", kb=BASE)


@pytest.mark.parametrize("direction", [1, -1])
def test_front_temporal_measures_agree_with_the_side_view_at_60_fps(direction: int) -> None:
    """Same walk filmed from the side and from the front: step time within the side view's own
    error (0.02 s); cadence and stance within the looser bound the front reaches today."""
    sagittal, frontal = _pair(60, 3, direction)
    diff = {
        k: abs(frontal.metric(k).value - sagittal.metric(k).value)  # type: ignore[union-attr,operator]
        for k in ("cadence", "step_time", "stance_percent")
    }
    assert diff["step_time"] <= BASE.movement_measures["step_time"].error
    assert diff["cadence"] <= 2 * BASE.movement_measures["cadence"].error
    assert diff["stance_percent"] <= 1.5 * BASE.movement_measures["stance_percent"].error


@pytest.mark.xfail(strict=True, reason="target of issue 19 not reached at 30 fps (a wrong heel strike moves cadence)")
def test_front_temporal_measures_within_the_side_view_error_at_30_fps() -> None:
    for seed in (3, 4, 5):
        sagittal, frontal = _pair(30, seed, 1)
        for k in ("cadence", "step_time", "stance_percent"):
            got, want = frontal.metric(k), sagittal.metric(k)
            assert got is not None
            assert want is not None
            assert got.value is not None
            assert want.value is not None
            assert abs(got.value - want.value) <= BASE.movement_measures[k].error


def test_frontal_measures_step_width_knee_and_arms() -> None:
    """The walker's heels are two hip half-widths apart, its knees stay on the hip-ankle line and
    its arms swing alike: step width reads the truth within its error, the rest reads normal."""
    series, _ = walk(view="frontal", direction=1, seed=9)
    report = analyse(series, "frontal", kb=BASE)
    body = Body()
    truth = 100 * 2 * body.hip_half_width / (body.thigh + body.shank)
    width = report.metric("step_width")
    assert width is not None
    assert width.value is not None
    assert abs(width.value - truth) <= BASE.movement_measures["step_width"].error
    knee = report.metric("knee_frontal_loading")
    assert knee is not None
    assert knee.status == "normal"
    assert "Worse side" in knee.note
    arms = report.metric("arm_swing_asymmetry")
    assert arms is not None
    assert arms.value is not None
    assert arms.value < 1.2
    assert {m.id for m in report.metrics} >= {"pelvic_drop", "trunk_lean_frontal"}
    assert report.to_dict()["metrics"]  # JSON-ready with the new measures


def test_knee_valgus_is_read_with_its_sign_and_muscles() -> None:
    """Knees pushed toward the midline in the image read as valgus and name the hip abductors."""
    series, _ = walk(view="frontal", direction=1, seed=9, noise_px=0.0, dropout=0.0)
    frames = []
    for pose in series.frames:
        assert pose is not None
        kps = dict(pose.keypoints)
        mid = (kps["left_hip"].x + kps["right_hip"].x) / 2
        for side in ("left", "right"):
            k = kps[f"{side}_knee"]
            width = abs(kps["left_hip"].x - kps["right_hip"].x)
            kps[f"{side}_knee"] = Keypoint(k.name, k.x + (mid - k.x) * 0.9 * min(1.0, 0.6 * width / abs(mid - k.x)),
                                           k.y, k.score)  # fmt: skip
        frames.append(Pose(kps, pose.score))
    bent = KeypointSeries(series.fps, series.width, series.height, frames, "synthetic", "walker")
    report = analyse(bent, "frontal", kb=BASE)
    knee = report.metric("knee_frontal_loading")
    assert knee is not None
    assert knee.value is not None
    assert knee.value > 5
    assert knee.status == "high"
    finding = next(f for f in report.findings if f.metric == "knee_frontal_loading")
    assert {m.id for m in finding.long} >= {"gluteus_medius", "gluteus_minimus", "tibialis_posterior"}


def _toward_turn_away() -> KeypointSeries:
    a, _ = walk(view="frontal", direction=1, seed=2, seconds=5.0)
    b, _ = walk(view="frontal", direction=-1, seed=3, seconds=5.0)
    last = next(p for p in reversed(a.frames) if p is not None)
    mid = float(np.mean([k.x for k in last.keypoints.values()]))
    n = round(a.fps)  # a one-second turn: the body narrows to side-on and opens the other way
    turn = [
        Pose({k: Keypoint(k, mid + (v.x - mid) * float(np.cos(np.pi * (i + 1) / (n + 1))), v.y, v.score)
              for k, v in last.keypoints.items()}, 0.9)
        for i in range(n)
    ]  # fmt: skip
    return KeypointSeries(a.fps, a.width, a.height, [*a.frames, *turn, *b.frames], "synthetic", "walker")


def test_toward_turn_away_is_two_passes_without_the_turn() -> None:
    clip = _toward_turn_away()
    parts = split(clip)
    assert [p[2] for p in parts] == ["toward", "away"]
    assert parts[0][1] <= 150 + 15
    assert parts[1][0] >= 150 + 15
    passes = analyse_passes(clip, kb=BASE)
    assert [p.report.direction for p in passes if p.report] == ["toward", "away"]
    for p in passes:
        assert p.report is not None
        cadence = p.report.metric("cadence")
        assert cadence is not None
        assert cadence.value is not None
        assert abs(cadence.value - 110) < 8
        assert all(p.first <= e.frame <= p.last for e in p.report.events)
    whole = analyse(clip, "frontal", kb=BASE)
    assert "2 passes" in whole.warnings[-1]
    assert "turn left out" in whole.warnings[-1]


def test_one_direction_is_one_pass() -> None:
    series, _ = walk(view="frontal", direction=-1, seed=4)
    assert [p[2] for p in split(series)] == ["away"]
    assert not any("passes" in w for w in analyse(series, "frontal", kb=BASE).warnings)
