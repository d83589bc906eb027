"""`taut posture` and `taut gait` on real media, and their clear refusals of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from taut.cli import app
from tests.media_files import media

runner = CliRunner()


def _frame_photo(tmp_path: Path) -> Path:
    from PIL import Image

    from taut.core.vision.media import frame_at

    video = media("pose2sim_cam04")
    if video is None:
        pytest.skip("the Pose2Sim demo video could not be fetched from PyPI (no network?)")
    _, rgb = frame_at(video, 0.25, max_side=4000)
    out = tmp_path / "standing.jpg"
    Image.fromarray(rgb).save(out, quality=90)
    return out


def test_posture_refuses_a_file_that_is_not_a_photo(tmp_path: Path) -> None:
    """A text file named .jpg exits with status 2 and says it is not an image."""
    fake = tmp_path / "photo.jpg"
    fake.write_text("not a photo")
    result = runner.invoke(app, ["posture", str(fake), "--view", "front"])
    assert result.exit_code == 2
    assert "not a photo" in result.output.lower()


def test_posture_refuses_an_unknown_view(tmp_path: Path) -> None:
    """A view other than front, back, left or right is refused before any work."""
    result = runner.invoke(app, ["posture", str(tmp_path / "x.jpg"), "--view", "top"])
    assert result.exit_code == 2
    assert "--view" in result.output


@pytest.mark.slow
def test_posture_measures_a_real_photo_and_writes_the_annotation(tmp_path: Path) -> None:
    """A real full-body frame gives JSON measures and an annotated PNG."""
    photo = _frame_photo(tmp_path)
    out = tmp_path / "annotated.png"
    result = runner.invoke(app, ["posture", str(photo), "--view", "back", "--json", "--annotate", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["view"] == "back"
    ids = {m["id"] for m in report["measures"]}
    assert {"shoulder_tilt", "pelvic_obliquity"} <= ids
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_gait_measures_the_demo_walk(tmp_path: Path) -> None:
    """The Sports2D demo (a woman walking past two bystanders) gives a cadence and gait events."""
    video = media("sports2d_demo")
    if video is None:
        pytest.skip("the Sports2D demo video could not be fetched from PyPI (no network?)")
    plot = tmp_path / "gait.png"
    result = runner.invoke(app, ["gait", str(video), "--view", "sagittal", "--json", "--plot", str(plot)])
    assert result.exit_code == 0, result.output[-2000:]
    report = json.loads(result.output[result.output.index("{") :])
    cadence = next(m for m in report["metrics"] if m["id"] == "cadence")
    assert 70 <= cadence["value"] <= 130
    kinds = {(e["side"], e["kind"]) for e in report["events"]}
    assert {("left", "heel_strike"), ("right", "heel_strike")} <= kinds
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gait_refuses_a_text_file(tmp_path: Path) -> None:
    """A text file named .mp4 exits with status 2 and a reason."""
    fake = tmp_path / "walk.mp4"
    fake.write_text("not a video")
    result = runner.invoke(app, ["gait", str(fake)])
    assert result.exit_code == 2
    assert "video" in result.output.lower()


def test_gait_reads_keypoints_made_elsewhere(tmp_path: Path) -> None:
    """A TRC marker file (as Pose2Sim or OpenCap write) is analysed without any video: the cadence is the walk's."""
    from evaluation.gait_walker import to_trc, walk

    series, truth = walk(seed=3, noise_px=0.0, dropout=0.0)
    trc = tmp_path / "walk.trc"
    trc.write_text(to_trc(series))
    cadence = truth.cadence
    result = runner.invoke(app, ["gait", str(trc), "--json"])
    assert result.exit_code == 0, result.output[-2000:]
    report = json.loads(result.output)
    measured = next(m for m in report["metrics"] if m["id"] == "cadence")["value"]
    assert measured == pytest.approx(cadence, abs=2.0)


def test_gait_asks_for_the_frame_rate_of_openpose_keypoints(tmp_path: Path) -> None:
    """A folder of OpenPose JSON without --fps is refused with the option to give."""
    folder = tmp_path / "openpose"
    folder.mkdir()
    result = runner.invoke(app, ["gait", str(folder)])
    assert result.exit_code == 2
    assert "--fps" in result.output
