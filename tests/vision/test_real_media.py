"""The pose pipeline on real videos shipped by sports2d and pose2sim (fetched, not committed)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from taut.core.errors import MediaError
from taut.core.vision.boxes import hip_centre
from taut.core.vision.media import load_image, probe_video
from taut.core.vision.photo import default_backend, find_pose
from taut.core.vision.types import KeypointSeries, Point
from taut.core.vision.video import extract_series, preview_people

pytestmark = pytest.mark.slow  # decodes and tracks whole videos


@pytest.fixture(scope="module")
def walker(media_file: Callable[[str], Path]) -> KeypointSeries:
    progress: list[float] = []
    series = extract_series(media_file("sports2d_demo"), progress=progress.append)
    assert progress[-1] == 1.0
    assert progress == sorted(progress)
    return series


def _hip_xs(series: KeypointSeries) -> list[float]:
    return [hip_centre(p).x for p in series.frames if p is not None]


def test_walker_is_tracked_across_the_frame(walker: KeypointSeries) -> None:
    """On sports2d's demo (a woman walking past two bystanders), the hips travel across most of the width."""
    xs = _hip_xs(walker)
    assert (walker.width, walker.height) == (1768, 994)  # original pixels, not the decoded 960 wide
    assert max(xs) - min(xs) >= 0.5 * walker.width
    # She walks right to left: the hips keep moving the same way.
    assert xs[0] - xs[-1] >= 0.5 * walker.width


def test_walker_is_found_in_nearly_every_frame_while_visible(walker: KeypointSeries) -> None:
    """Between the first and last frame where the walker is tracked, at least 90% of frames have her pose."""
    seen = [i for i, p in enumerate(walker.frames) if p is not None]
    span = seen[-1] - seen[0] + 1
    assert len(seen) >= 0.9 * span
    assert span >= 0.4 * len(walker.frames)


def test_walker_keypoints_stay_inside_the_original_frame(walker: KeypointSeries) -> None:
    """Confident keypoints lie inside the original frame and the series keeps the video's rate."""
    assert walker.fps == pytest.approx(30.0)
    assert len(walker) == probe_video_frames(walker)
    for pose in walker.frames:
        if pose is None:
            continue
        for k in pose.keypoints.values():
            if k.score > 0.7:  # the model extrapolates a little past the edges (a toe leaving the frame)
                assert -0.03 * walker.width <= k.x <= 1.03 * walker.width
                assert -0.03 * walker.height <= k.y <= 1.03 * walker.height


def probe_video_frames(series: KeypointSeries) -> int:
    return round(series.duration * series.fps)


def test_preview_offers_the_walker_and_a_bystander(media_file: Callable[[str], Path]) -> None:
    """At 3.5 s the preview finds the walker (right) and the man on the box (left), in original pixels."""
    people = preview_people(media_file("sports2d_demo"), at_seconds=3.5)
    assert len(people) >= 2
    xs = sorted(hip_centre(p).x for p in people)
    assert xs[0] < 0.35 * 1768 < 0.45 * 1768 < xs[-1]


def test_seed_picks_the_bystander_on_the_box(media_file: Callable[[str], Path], walker: KeypointSeries) -> None:
    """With a seed on the man standing on the box, he is followed instead of the walker."""
    path = media_file("sports2d_demo")
    people = preview_people(path, at_seconds=0.2)  # before the walker comes in
    assert people
    centre = hip_centre(people[0])
    series = extract_series(path, seed=Point(centre.x, centre.y))
    xs = _hip_xs(series)
    assert xs
    assert max(xs) - min(xs) < max(_hip_xs(walker)) - min(_hip_xs(walker))
    assert np.median(xs) < 0.45 * series.width


def test_subject_frame_gives_one_pose(person_frame: np.ndarray) -> None:
    """A pose2sim cam04 frame (the subject full body, from behind) gives one pose: the subject's, in the
    middle of the frame."""
    poses = default_backend().detect(person_frame)
    assert len(poses) == 1
    assert poses[0].score > 0.5
    assert 0.25 * person_frame.shape[1] < hip_centre(poses[0]).x < 0.75 * person_frame.shape[1]


def test_photo_pipeline_returns_the_pose(gps_photo: bytes) -> None:
    """The sideways GPS-tagged photo is made upright and its person found, standing (head above feet)."""
    photo = load_image(gps_photo)
    pose = find_pose(photo)
    keypoints = pose.keypoints
    assert keypoints["nose"].y < keypoints["left_hip"].y < keypoints["left_ankle"].y
    _, y0, _, y1 = pose.box()
    assert y1 - y0 > 0.35 * photo.height


def test_an_onlooker_standing_in_the_room_is_several_people(media_file: Any) -> None:
    """In pose2sim's cam01 a second person stands at the side of the room, about half the client's
    height in the picture: the photo is refused as several_people, not measured on the wrong person."""
    from taut.core.vision.media import frame_at

    _, rgb = frame_at(media_file("pose2sim_cam01"), 1.0, max_side=4096)
    with pytest.raises(MediaError) as caught:
        find_pose(load_image(_jpeg(rgb)))
    assert caught.value.code == "several_people"


def _jpeg(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=92)
    return out.getvalue()


def test_two_people_side_by_side_are_several_people(person_frame: np.ndarray) -> None:
    """Two pose2sim frames composed side by side are refused as several_people."""
    both = np.concatenate([person_frame, person_frame[:, ::-1]], axis=1)
    with pytest.raises(MediaError) as caught:
        find_pose(load_image(_jpeg(both)))
    assert caught.value.code == "several_people"


def test_photo_without_a_person_is_no_person(person_frame: np.ndarray) -> None:
    """The bottom of the frame (the walkway, nobody on it) is refused as no_person."""
    corner = np.ascontiguousarray(person_frame[1300:, :])
    with pytest.raises(MediaError) as caught:
        find_pose(load_image(_jpeg(corner)))
    assert caught.value.code == "no_person"


def test_small_person_is_person_too_small(person_frame: np.ndarray) -> None:
    """The same person shrunk into a large empty canvas is refused as person_too_small."""
    height, width = person_frame.shape[:2]
    small = np.asarray(Image.fromarray(person_frame).resize((width // 4, height // 4)))
    canvas = np.full((height, width, 3), person_frame.reshape(-1, 3).mean(axis=0), dtype=np.uint8)
    canvas[height // 2 : height // 2 + small.shape[0], width // 3 : width // 3 + small.shape[1]] = small
    with pytest.raises(MediaError) as caught:
        find_pose(load_image(_jpeg(canvas)))
    assert caught.value.code in {"person_too_small", "no_person"}


@pytest.mark.parametrize("camera", ["pose2sim_cam01", "pose2sim_cam02", "pose2sim_cam03", "pose2sim_cam04"])
def test_single_person_videos_are_tracked_throughout(media_file: Callable[[str], Path], camera: str) -> None:
    """Each pose2sim camera (one person, a bystander in some views) gives a pose in at least 90% of frames."""
    path = media_file(camera)
    info = probe_video(path)
    series = extract_series(path)
    assert (series.width, series.height) == (info.width, info.height)
    found = sum(p is not None for p in series.frames)
    assert found >= 0.9 * len(series)
