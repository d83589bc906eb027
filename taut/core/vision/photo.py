"""One person's pose in a posture photo, or a clear reason why there is none."""

from __future__ import annotations

import threading

from taut.core.errors import MediaError
from taut.core.vision.boxes import blank, mean_colour, padded_box
from taut.core.vision.media import Photo
from taut.core.vision.types import Pose, PoseBackend

# A full-body posture photo shows the person over most of its height; below this share the
# landmarks are too few pixels apart to measure angles from.
MIN_PERSON_HEIGHT = 0.35
# Another person at least this tall, relative to the client, makes the photo ambiguous; someone
# much smaller (far behind) cannot be mistaken for the client and is let be.
OTHER_PERSON_RATIO = 0.5
# The detector sees the whole photo shrunk to a small square, where a second person standing
# further back can be too small to find; it also looks at overlapping tiles of this share.
TILE = 0.6

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
    if _someone_else(photo, pose, model, locked=backend is None):
        raise MediaError(
            "several_people",
            "Another person is in this photo besides the client. Take it again with only the client in view.",
        )
    _, y0, _, y1 = pose.box(min_score=0.3)
    if (y1 - y0) < min_height * photo.height:
        raise MediaError(
            "person_too_small",
            f"The person fills only {100 * (y1 - y0) / photo.height:.0f}% of the photo's height; at least"
            f" {100 * min_height:.0f}% is needed. Step closer, or zoom, so the whole body fills most of the frame.",
        )
    return pose


def _someone_else(photo: Photo, client: Pose, model: PoseBackend, *, locked: bool) -> bool:
    """Whether tiles of the photo, with the client blanked out, show another person of comparable size."""
    import numpy as np

    rgb = np.asarray(photo.rgb)
    height, width = rgb.shape[:2]
    box = client.box(min_score=0.3)
    tall = max(1.0, box[3] - box[1])
    bx0, by0, bx1, by1 = padded_box(box, 0.15, 0.05, width, height)
    blanked = blank(rgb, [(bx0, by0, bx1, by1)], mean_colour(rgb))
    tw, th = int(width * TILE), int(height * TILE)
    for left in (0, width - tw):
        for top in (0, height - th):
            tile = np.ascontiguousarray(blanked[top : top + th, left : left + tw])
            if locked:
                with _lock:
                    found = model.detect(tile)
            else:
                found = model.detect(tile)
            for other in found:
                ox0, oy0, ox1, oy1 = other.box(min_score=0.3)
                centre_x, centre_y = left + (ox0 + ox1) / 2, top + (oy0 + oy1) / 2
                inside = bx0 <= centre_x <= bx1 and by0 <= centre_y <= by1
                if not inside and (oy1 - oy0) >= OTHER_PERSON_RATIO * tall:
                    return True
    return False
