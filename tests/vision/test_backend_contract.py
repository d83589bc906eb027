"""Every pose backend keeps the same contract (one shared suite, parametrized over backends)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from taut.core.vision.importers import read_openpose
from taut.core.vision.mediapipe_backend import MediaPipeBackend, PoseModelError
from taut.core.vision.replay import ReplayBackend
from taut.core.vision.types import LANDMARKS, PoseBackend

Frames = list[np.ndarray]


def _mediapipe(media_file: Callable[[str], Path], tmp_path: Path) -> tuple[PoseBackend, Frames]:
    from taut.core.vision.media import iter_frames

    frames = [rgb for index, _, rgb in iter_frames(media_file("pose2sim_cam01"), max_frames=12)]
    return MediaPipeBackend(), frames


def _replay(media_file: Callable[[str], Path], tmp_path: Path) -> tuple[PoseBackend, Frames]:
    for index in range(12):
        values: list[float] = []
        for point in range(25):
            values += [200.0 + 5 * index + point, 50.0 + 30 * point, 0.8]
        document = {"people": [{"pose_keypoints_2d": values}]}
        (tmp_path / f"w_{index:04d}_keypoints.json").write_text(json.dumps(document))
    series = read_openpose(tmp_path, fps=30.0, width=1080, height=1920)
    frames = [np.full((960, 540, 3), 90, dtype=np.uint8) for _ in range(12)]
    return ReplayBackend(series), frames


BACKENDS = {"mediapipe": _mediapipe, "replay": _replay}


@pytest.fixture(params=sorted(BACKENDS))
def case(
    request: pytest.FixtureRequest, media_file: Callable[[str], Path], tmp_path: Path
) -> Iterator[tuple[PoseBackend, Frames]]:
    backend, frames = BACKENDS[request.param](media_file, tmp_path)
    yield backend, frames
    backend.close()


def _check_pose_in_frame(pose: object, frame: np.ndarray) -> None:
    from taut.core.vision.types import Pose

    assert isinstance(pose, Pose)
    height, width = frame.shape[:2]
    assert pose.keypoints, "a pose has keypoints"
    for name, keypoint in pose.keypoints.items():
        assert name in LANDMARKS
        assert keypoint.name == name
        assert 0.0 <= keypoint.score <= 1.0
        if keypoint.score >= 0.5:
            assert -0.05 * width <= keypoint.x <= 1.05 * width
            assert -0.05 * height <= keypoint.y <= 1.05 * height
    assert 0.0 <= pose.score <= 1.0


def test_backend_is_a_pose_backend_with_info(case: tuple[PoseBackend, Frames]) -> None:
    """A backend satisfies the PoseBackend protocol and names itself and its model."""
    backend, _ = case
    assert isinstance(backend, PoseBackend)
    assert backend.info.name
    assert backend.info.version
    assert backend.info.model
    assert set(backend.info.landmarks) <= set(LANDMARKS)


def test_detect_finds_the_one_person(case: tuple[PoseBackend, Frames]) -> None:
    """detect() on a frame with one person returns exactly one pose, inside the frame."""
    backend, frames = case
    poses = backend.detect(frames[0])
    assert len(poses) == 1
    _check_pose_in_frame(poses[0], frames[0])


def test_track_gives_one_result_per_frame(case: tuple[PoseBackend, Frames]) -> None:
    """track() yields one pose or None per frame, with the person found in most frames."""
    backend, frames = case
    results = list(backend.track(iter(frames)))
    assert len(results) == len(frames)
    found = [(p, f) for p, f in zip(results, frames, strict=True) if p is not None]
    assert len(found) >= 0.8 * len(frames)
    for pose, frame in found:
        _check_pose_in_frame(pose, frame)


def test_close_is_idempotent_and_backend_reusable(case: tuple[PoseBackend, Frames]) -> None:
    """close() can be called twice, and a closed backend still works when used again."""
    backend, frames = case
    backend.close()
    backend.close()
    assert len(backend.detect(frames[0])) == 1


def test_only_the_bundled_model_complexity_is_allowed() -> None:
    """Asking MediaPipe for the lite or heavy model (which download) is refused."""
    for complexity in (0, 2):
        with pytest.raises(PoseModelError, match="model_complexity=1"):
            MediaPipeBackend(model_complexity=complexity)


def test_missing_model_files_are_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """When the model files are not inside the installed package, building the backend says so."""
    import taut.core.vision.mediapipe_backend as module

    monkeypatch.setattr(module, "_mediapipe_dir", lambda: tmp_path)
    with pytest.raises(PoseModelError, match=r"pose_landmark_full\.tflite"):
        MediaPipeBackend()


def test_mediapipe_info_names_the_model_file_and_version() -> None:
    """The backend's info names the BlazePose full model file and the installed mediapipe version."""
    import importlib.metadata

    info = MediaPipeBackend().info
    assert info.model == "pose_landmark_full.tflite"
    assert info.version == importlib.metadata.version("mediapipe")
