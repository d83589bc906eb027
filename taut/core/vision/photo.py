"""One person's pose in a posture photo, or a clear reason why there is none."""

from __future__ import annotations

import threading

from taut.core.errors import MediaError
from taut.core.vision.media import Photo
from taut.core.vision.types import Pose, PoseBackend

# A full-body posture photo shows the person over most of its height; below this share the
# landmarks are too few pixels apart to measure angles from.
MIN_PERSON_HEIGHT = 0.35

_lock = threading.Lock()
_shared: PoseBackend | None = None


def default_backend() -> PoseBackend:
    """The shared pose backend (MediaPipe BlazePose), built on first use."""
    global _shared
    with _lock:
        if _shared is None:
            from taut.core.vision.mediapipe_backend import MediaPipeBackend

            _shared = MediaPipeBackend()
        return _shared


def find_pose(photo: Photo, backend: PoseBackend | None = None, *, min_height: float = MIN_PERSON_HEIGHT) -> Pose:
    """The pose of the one person in ``photo``.

    Raises :class:`MediaError` with code ``no_person``, ``several_people`` or ``person_too_small``.
    """
    model = backend or default_backend()
    if backend is None:
        with _lock:  # the shared graph is not safe to run from two threads at once
            poses = model.detect(photo.rgb)
    else:
        poses = model.detect(photo.rgb)
    if not poses:
        raise MediaError(
            "no_person",
            "No person was found in this photo. Take it again with the whole body in view, standing clear"
            " of the background, in good light.",
        )
    if len(poses) > 1:
        raise MediaError(
            "several_people",
            "More than one person is in this photo. Take it again with only the client in view.",
        )
    pose = poses[0]
    _, y0, _, y1 = pose.box(min_score=0.3)
    if (y1 - y0) < min_height * photo.height:
        raise MediaError(
            "person_too_small",
            f"The person fills only {100 * (y1 - y0) / photo.height:.0f}% of the photo's height; at least"
            f" {100 * min_height:.0f}% is needed. Step closer, or zoom, so the whole body fills most of the frame.",
        )
    return pose
