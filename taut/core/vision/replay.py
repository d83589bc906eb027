"""A pose backend that replays keypoints made elsewhere (an imported series).

It lets the photo and video pipelines run on keypoints from OpenPose, Pose2Sim or OpenCap, and
gives tests a backend that needs no model. Poses are rescaled from the series' frame size to
the size of each image they are replayed onto.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from taut.core.vision.types import LANDMARKS, BackendInfo, Keypoint, KeypointSeries, Point, Pose


class ReplayBackend:
    """Replays ``series``: ``detect`` gives the first pose found in it, ``track`` one pose per frame."""

    def __init__(self, series: KeypointSeries) -> None:
        self._series = series
        self._info = BackendInfo(name="replay", version="1", model=series.backend or "imported", landmarks=LANDMARKS)
        self._closed = False

    @property
    def info(self) -> BackendInfo:
        return self._info

    def _fit(self, pose: Pose, image: object) -> Pose:
        array = np.asarray(image)
        height, width = array.shape[:2]
        sx = width / self._series.width if self._series.width else 1.0
        sy = height / self._series.height if self._series.height else 1.0
        keypoints = {
            name: Keypoint(name, min(k.x * sx, width - 1.0), min(k.y * sy, height - 1.0), k.score)
            for name, k in pose.keypoints.items()
            if name in LANDMARKS
        }
        return Pose(keypoints, score=pose.score)

    def detect(self, rgb: object) -> list[Pose]:
        first = next((p for p in self._series.frames if p is not None), None)
        return [] if first is None else [self._fit(first, rgb)]

    def track(self, frames: Iterator[object], seed: Point | None = None) -> Iterator[Pose | None]:
        for index, frame in enumerate(frames):
            pose = self._series.frames[index] if index < len(self._series.frames) else None
            yield None if pose is None else self._fit(pose, frame)

    def close(self) -> None:
        self._closed = True
