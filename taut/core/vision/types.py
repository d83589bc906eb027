"""The types every pose backend, keypoint importer and measurement shares.

Coordinates are image pixels: x to the right, y *down*, origin at the top-left corner.
Landmark names are the 33 of BlazePose (MediaPipe), which cover what posture and gait need;
importers of other formats map their names onto these. ``c7`` is extra: no model finds it,
but a practitioner can place it on the photo for a true craniovertebral angle.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

LANDMARKS: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
EXTRA_LANDMARKS: tuple[str, ...] = ("c7",)
ALL_LANDMARKS: tuple[str, ...] = LANDMARKS + EXTRA_LANDMARKS


class PhotoView(StrEnum):
    """Which side of the client faces the camera in a posture photo."""

    FRONT = "front"
    BACK = "back"
    LEFT = "left"  # the client's left side faces the camera
    RIGHT = "right"


class WalkView(StrEnum):
    """How the camera sees a walk: from the side, or from in front or behind."""

    SAGITTAL = "sagittal"
    FRONTAL = "frontal"


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float

    def distance(self, other: Point) -> float:
        return math.hypot(self.x - other.x, self.y - other.y)


@dataclass(frozen=True, slots=True)
class Keypoint:
    """One landmark as a model (or a person) placed it; ``score`` is its visibility, 0 to 1."""

    name: str
    x: float
    y: float
    score: float = 1.0

    @property
    def point(self) -> Point:
        return Point(self.x, self.y)


@dataclass(frozen=True, slots=True)
class Pose:
    """One person's keypoints in one image."""

    keypoints: Mapping[str, Keypoint]
    score: float = 1.0

    def box(self, min_score: float = 0.3) -> tuple[float, float, float, float]:
        """The bounding box (x0, y0, x1, y1) of the keypoints seen with at least ``min_score``."""
        seen = [k for k in self.keypoints.values() if k.score >= min_score] or list(self.keypoints.values())
        xs = [k.x for k in seen]
        ys = [k.y for k in seen]
        return (min(xs), min(ys), max(xs), max(ys))

    def points(self, min_score: float = 0.0) -> dict[str, Point]:
        return {name: k.point for name, k in self.keypoints.items() if k.score >= min_score}


@dataclass(frozen=True, slots=True)
class KeypointSeries:
    """One person's keypoints over the frames of a video, at a fixed frame rate.

    ``frames[i]`` is the pose in frame ``i`` (``None`` where nobody was found); time of frame
    ``i`` is ``i / fps`` seconds. ``width`` and ``height`` are the frame size in pixels.
    """

    fps: float
    width: int
    height: int
    frames: Sequence[Pose | None]
    source: str = ""
    backend: str = ""

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def duration(self) -> float:
        return len(self.frames) / self.fps if self.fps > 0 else 0.0

    def track(self, name: str) -> Iterator[tuple[float, float, float]]:
        """(x, y, score) of one landmark per frame; NaN where it is missing."""
        nan = float("nan")
        for pose in self.frames:
            k = pose.keypoints.get(name) if pose is not None else None
            yield (k.x, k.y, k.score) if k is not None else (nan, nan, 0.0)


@dataclass(frozen=True, slots=True)
class BackendInfo:
    """What a pose backend is, for the record kept with every finding."""

    name: str
    version: str
    model: str
    landmarks: tuple[str, ...] = field(default=LANDMARKS)


@runtime_checkable
class PoseBackend(Protocol):
    """A pose estimator. Every backend passes the same contract tests (tests/vision)."""

    @property
    def info(self) -> BackendInfo: ...

    def detect(self, rgb: object) -> list[Pose]:
        """Every person found in one still image (an H x W x 3 uint8 RGB array), best first."""
        ...

    def track(self, frames: Iterator[object], seed: Point | None = None) -> Iterator[Pose | None]:
        """One person followed through video frames (RGB arrays), one result per frame.

        ``seed`` is a point on the person to follow in the first frames (the practitioner's
        pick); without it the backend follows the person who walks the most.
        """
        ...

    def close(self) -> None: ...
