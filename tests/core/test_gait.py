"""Gait analysis on synthetic walks whose events and angles are known exactly."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import numpy as np
import pytest
import yaml
from PIL import Image

from evaluation.gait import Tally, score
from evaluation.gait_walker import walk
from taut.core.errors import MeasurementError
from taut.core.knowledge import DATA_DIR
from taut.core.knowledge.loader import load_base
from taut.core.measures.gait import analyse
from taut.core.measures.gait_plot import plot
from taut.core.vision.types import KeypointSeries

BASE = load_base()


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize("cadence", [95, 110, 125])
def test_sagittal_events_land_within_two_frames_and_temporal_measures_within_0_02_s(
    direction: int, cadence: int
) -> None:
    """At 30 fps and 2 px noise, >= 98 % of events are within 2 frames; step and stride time within 0.02 s."""
    tally = Tally()
    for seed in (0, 1, 2):
        series, truth = walk(fps=30, cadence=cadence, direction=direction, noise_px=2.0, seed=seed)
        score(analyse(series, "sagittal", kb=BASE), truth, tally)
    result = tally.summary()
    assert result["events"] >= 40
    assert result["share_within_2_frames"] >= 0.98
    assert result["step_time_error_s"]["mean"] <= 0.02
    assert result["stride_time_error_s"]["mean"] <= 0.02
    assert result["knee_peak_error_deg"]["mean"] <= 6.0


def test_cadence_and_knee_peak_match_the_truth() -> None:
    """Cadence within 2 steps/min and the mean swing knee peak within 6 degrees of the walker's."""
    series, truth = walk(fps=30, cadence=104, noise_px=2.0, seed=5)
    report = analyse(series, "sagittal", kb=BASE)
    cadence = report.metric("cadence")
    knee = report.metric("knee_flexion_swing_peak")
    assert cadence is not None
    assert cadence.value is not None
    assert abs(cadence.value - truth.cadence) <= 2.0
    assert knee is not None
    assert knee.value is not None
    assert abs(knee.value - np.mean([c.knee_peak_swing for c in truth.cycles])) <= 6.0


@pytest.mark.parametrize(("direction", "name"), [(1, "left_to_right"), (-1, "right_to_left")])
def test_walking_direction_is_reported(direction: int, name: str) -> None:
    """The sagittal direction comes from the pelvis motion across the image."""
    series, _ = walk(direction=direction, seed=2)
    assert analyse(series, "sagittal", kb=BASE).direction == name


@pytest.mark.parametrize(("direction", "name"), [(1, "toward"), (-1, "away")])
def test_frontal_direction_is_toward_or_away(direction: int, name: str) -> None:
    """From the front the direction comes from the body growing or shrinking in the image."""
    series, _ = walk(view="frontal", direction=direction, seed=2)
    assert analyse(series, "frontal", kb=BASE).direction == name


def test_injected_pelvic_drop_is_flagged_and_names_gluteus_medius() -> None:
    """A 10-degree extra pelvic drop in left stance is flagged on the left and points to gluteus medius."""
    series, _ = walk(view="frontal", pelvic_drop_deg=10.0, drop_side="left", seed=4)
    report = analyse(series, "frontal", kb=BASE)
    drop = report.metric("pelvic_drop")
    assert drop is not None
    assert drop.left_status == "high"
    assert drop.right_status == "normal"
    found = [f for f in report.findings if f.id == "pelvic_drop"]
    assert found
    assert found[0].side == "left"
    assert "gluteus_medius" in [m.id for m in found[0].long]


def test_normal_walk_has_no_knee_finding() -> None:
    """A normal walker's swing knee reads as normal."""
    series, _ = walk(seed=6)
    knee = analyse(series, "sagittal", kb=BASE).metric("knee_flexion_swing_peak")
    assert knee is not None
    assert knee.status == "normal"


def test_normal_pelvic_drop_is_not_flagged() -> None:
    """The walker's normal 4-degree drop reads as normal on both sides."""
    series, _ = walk(view="frontal", seed=4)
    report = analyse(series, "frontal", kb=BASE)
    drop = report.metric("pelvic_drop")
    assert drop is not None
    assert not drop.flagged
    assert not [f for f in report.findings if f.id == "pelvic_drop"]


def test_stiff_knee_is_flagged_with_rectus_femoris() -> None:
    """A swing knee peak well under 55 degrees is flagged low and the finding names rectus femoris as short."""
    series, truth = walk(knee_peak_deg=30.0, seed=6)
    assert np.mean([c.knee_peak_swing for c in truth.cycles]) < 49.0  # below the normal range minus the error
    report = analyse(series, "sagittal", kb=BASE)
    knee = report.metric("knee_flexion_swing_peak")
    assert knee is not None
    assert knee.status == "low"
    assert any(
        f.id == "reduced_knee_flexion_swing" and "rectus_femoris" in [m.id for m in f.short] for f in report.findings
    )


def test_too_short_clip_raises() -> None:
    """Less than a second of walking cannot be measured, and the error says to film more."""
    series, _ = walk(seconds=0.8, seed=1)
    with pytest.raises(MeasurementError, match="at least 1 s"):
        analyse(series, "sagittal", kb=BASE)


def test_no_feet_raises() -> None:
    """Without heel, ankle or toe keypoints the analysis refuses with a reason."""
    series, _ = walk(seed=1)
    feet = ("heel", "ankle", "foot_index")
    frames = [
        None if p is None else replace(p, keypoints={k: v for k, v in p.keypoints.items() if not k.endswith(feet)})
        for p in series.frames
    ]
    with pytest.raises(MeasurementError, match="feet"):
        analyse(replace(series, frames=frames), "sagittal", kb=BASE)


def test_bad_view_is_refused() -> None:
    """An unknown view name is an error that lists the valid ones."""
    series, _ = walk(seed=1)
    with pytest.raises(MeasurementError, match="sagittal"):
        analyse(series, "diagonal", kb=BASE)


def test_short_gaps_are_interpolated() -> None:
    """Dropped frames (6 % of them) are filled and the events still land within 2 frames."""
    series, truth = walk(dropout=0.06, seed=7)
    assert sum(p is None for p in series.frames) > 0
    report = analyse(series, "sagittal", kb=BASE)
    tally = Tally()
    score(report, truth, tally)
    assert report.extra["filled_frames"] > 0
    assert tally.summary()["share_within_2_frames"] >= 0.95


def test_half_the_clip_missing_still_measures_the_other_half_and_says_so() -> None:
    """With the walker gone for the first half, the second half is analysed and a warning explains it."""
    series, _ = walk(seconds=8.0, seed=8)
    half = len(series) // 2
    frames = [None] * half + list(series.frames[half:])
    report = analyse(replace(series, frames=frames), "sagittal", kb=BASE)
    assert report.first_frame >= half
    assert any("only that stretch" in w for w in report.warnings)
    assert report.metric("cadence") is not None


def test_too_few_cycles_skip_cycle_measures_with_a_reason() -> None:
    """A clip with fewer than 2 full cycles per foot gives cadence but skips the cycle measures, saying why."""
    series, _ = walk(seconds=2.4, cadence=100, seed=9)
    report = analyse(series, "sagittal", kb=BASE)
    skipped = {s.id: s.reason for s in report.skipped}
    assert "stance_percent" in skipped
    assert "full gait cycle" in skipped["stance_percent"]
    assert report.metric("stance_percent") is None


def test_curves_have_101_samples_per_side() -> None:
    """Knee and hip curves are normalised to 0..100 % of the cycle, for both feet."""
    series, _ = walk(seed=10)
    report = analyse(series, "sagittal", kb=BASE)
    ids = {(c.id, c.side) for c in report.curves}
    assert ids == {(cid, s) for cid in ("knee_flexion_sagittal", "hip_flexion_sagittal") for s in ("left", "right")}
    knee = next(c for c in report.curves if c.id == "knee_flexion_sagittal")
    assert len(knee.mean) == len(knee.sd) == 101
    assert 50 <= max(knee.mean) <= 75  # the swing peak of a normal walker
    assert knee.normal
    assert knee.normal[0][0] == 0


def test_report_is_json_ready() -> None:
    """to_dict gives plain data with events (frame and time), metrics, curves, findings and the KB version."""
    series, _ = walk(seed=11)
    data = analyse(series, "sagittal", kb=BASE).to_dict()
    text = json.dumps(data, allow_nan=False)
    back = json.loads(text)
    assert back["kb_version"] == BASE.version
    assert {"side", "kind", "frame", "time"} <= set(back["events"][0])
    assert any(m["id"] == "cadence" and "flagged" in m for m in back["metrics"])


def test_plot_writes_a_png_that_is_not_blank() -> None:
    """The plot, drawn from the report as stored (its JSON), is a PNG with real content."""
    series, _ = walk(seed=12)
    report = analyse(series, "sagittal", kb=BASE)
    buffer = io.BytesIO()
    plot(json.loads(json.dumps(report.to_dict())), buffer)
    data = buffer.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 0
    image = Image.open(io.BytesIO(data)).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 10


def test_gait_yaml_refers_only_to_known_muscles_sources_and_findings() -> None:
    """Every muscle, source and finding id in movement/gait.yaml exists; curve percents rise 0..100."""
    data = yaml.safe_load((DATA_DIR / "movement" / "gait.yaml").read_text(encoding="utf-8"))
    findings = {f["id"] for f in data["findings"]}
    for m in data["measures"]:
        assert m["normal"]["low"] <= m["normal"]["high"], m["id"]
        for key in ("low", "high"):
            fid = (m.get(key) or {}).get("finding")
            assert fid is None or fid in findings, f"{m['id']}: unknown finding {fid}"
        ids = [s if isinstance(s, str) else s["source"] for s in m["sources"]]  # an id or {source, locator}
        assert all(s in BASE.sources for s in ids), m["id"]
    for f in data["findings"]:
        for muscle in (*f["short"], *f["long"]):
            assert muscle in BASE.muscles, f"{f['id']}: unknown muscle {muscle}"
        assert all(s in BASE.sources for s in f["sources"]), f["id"]
    for c in data["curves"]:
        pct = [p[0] for p in c["points"]]
        assert pct[0] == 0, c["id"]
        assert pct[-1] == 100, c["id"]
        assert pct == sorted(set(pct)), c["id"]


def test_series_type_is_unchanged_by_analysis() -> None:
    """Analysis does not alter its input (frames are the same objects afterwards)."""
    series, _ = walk(seed=13)
    before = list(series.frames)
    analyse(series, "sagittal", kb=BASE)
    assert isinstance(series, KeypointSeries)
    assert list(series.frames) == before
