"""What posture and joint photos share: the hand-placed template, the pose model's landmarks, and the
checks on points placed by hand (known names, finite numbers inside the picture)."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError

from taut.core.vision import media
from taut.core.vision.types import ALL_LANDMARKS
from taut.motion import storage
from taut.motion.models import MediaRecord

# Where a hand-placed figure starts, as fractions of the photo (x from the left, y from the top),
# for a person standing in the middle of the frame. The practitioner drags each point into place.
HAND_TEMPLATE: dict[str, tuple[float, float]] = {
    "nose": (0.50, 0.14),
    "left_eye": (0.52, 0.12),
    "right_eye": (0.48, 0.12),
    "left_ear": (0.54, 0.13),
    "right_ear": (0.46, 0.13),
    "left_shoulder": (0.58, 0.24),
    "right_shoulder": (0.42, 0.24),
    "left_elbow": (0.61, 0.38),
    "right_elbow": (0.39, 0.38),
    "left_wrist": (0.62, 0.50),
    "right_wrist": (0.38, 0.50),
    "left_index": (0.63, 0.54),
    "right_index": (0.37, 0.54),
    "left_hip": (0.55, 0.52),
    "right_hip": (0.45, 0.52),
    "left_knee": (0.55, 0.70),
    "right_knee": (0.45, 0.70),
    "left_ankle": (0.55, 0.88),
    "right_ankle": (0.45, 0.88),
    "left_heel": (0.54, 0.90),
    "right_heel": (0.46, 0.90),
    "left_foot_index": (0.56, 0.92),
    "right_foot_index": (0.44, 0.92),
}


# The landmarks shown for dragging: those the posture and joint-angle measures use (the model's
# other points, around the mouth, eyes and fingers, are kept in `detected` but not shown).
SHOWN_LANDMARKS = frozenset(HAND_TEMPLATE) | {"c7"}


def invalid(field: str, exc: Exception) -> ValidationError:
    return ValidationError({field: str(exc)})


def check_view(view: str, choices: Any) -> str:
    values = [c.value for c in choices]
    if view not in values:
        raise ValidationError({"view": f"Choose the view: one of {', '.join(values)}."})
    return view


def clean_point(value: Any, field: str, width: int, height: int) -> list[float]:
    """One [x, y] from a form or the API: two finite numbers inside the picture (``field`` names it in errors)."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValidationError({field: "Give [x, y] in picture pixels."})
    try:
        x, y = float(value[0]), float(value[1])
    except (TypeError, ValueError):
        raise ValidationError({field: "x and y must be numbers."}) from None
    if not (math.isfinite(x) and math.isfinite(y)) or not (0 <= x <= width and 0 <= y <= height):
        raise ValidationError({field: f"({x}, {y}) is outside the {width}x{height} picture."})
    return [round(x, 1), round(y, 1)]


def clean_landmarks(raw: Any, width: int, height: int) -> dict[str, list[float]]:
    """Landmarks from a form or the API: known names, finite numbers inside the photo."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationError({"landmarks": "Send the landmarks as {name: [x, y]} in photo pixels."})
    out: dict[str, list[float]] = {}
    for name, value in raw.items():
        if name not in ALL_LANDMARKS:
            raise ValidationError({f"landmarks.{name}": f"{name!r} is not a landmark Taut knows."})
        out[name] = clean_point(value, f"landmarks.{name}", width, height)
    return out


def clean_vertical(raw: Any, width: int, height: int) -> list[list[float]] | None:
    if raw in (None, "", []):
        return None
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise ValidationError({"vertical": "Give the true vertical as two points [[x, y], [x, y]]."})
    a, b = (clean_point(p, f"vertical.{i}", width, height) for i, p in enumerate(raw))
    if math.hypot(a[0] - b[0], a[1] - b[1]) < 20:
        raise ValidationError({"vertical": "Place the two ends of the vertical line further apart."})
    if abs(a[0] - b[0]) > abs(a[1] - b[1]):
        raise ValidationError({"vertical": "That line is closer to horizontal; mark a vertical edge (a door frame)."})
    return [a, b]


def detect(photo: media.Photo) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Landmarks the pose model finds (MediaError when there is no single clear person)."""
    from taut.core.vision.photo import default_backend, find_pose

    backend = default_backend()
    pose = find_pose(photo, backend)
    landmarks = {
        n: [round(k.x, 1), round(k.y, 1)] for n, k in pose.keypoints.items() if k.score >= 0.5 and n in SHOWN_LANDMARKS
    }
    info = backend.info
    detected = {
        "model": {"name": info.name, "version": info.version, "file": info.model},
        "keypoints": {n: [round(k.x, 1), round(k.y, 1), round(k.score, 3)] for n, k in pose.keypoints.items()},
    }
    return landmarks, detected


def hand_landmarks(width: int, height: int) -> dict[str, list[float]]:
    return {n: [round(fx * width, 1), round(fy * height, 1)] for n, (fx, fy) in HAND_TEMPLATE.items()}


def read_media(record: MediaRecord) -> bytes:
    return storage.path_of(record.media_name).read_bytes()
