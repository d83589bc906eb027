"""Draw what was measured onto the photo: the skeleton, the landmarks, the true vertical, the
plumb line and the measured lines with their values. Also number the people on a video frame."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

BONES: tuple[tuple[str, str], ...] = (
    ("left_ear", "left_shoulder"), ("right_ear", "right_shoulder"), ("left_shoulder", "right_shoulder"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"), ("left_hip", "right_hip"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"), ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"), ("left_ankle", "left_heel"),
    ("right_ankle", "right_heel"), ("left_heel", "left_foot_index"), ("right_heel", "right_foot_index"),
    ("c7", "left_ear"), ("c7", "right_ear"),
)  # fmt: skip
SKELETON = (14, 165, 233)
LANDMARK = (250, 204, 21)
VERTICAL = (34, 197, 94)
PLUMB = (239, 68, 68)
MEASURE = (249, 115, 22)


def _xy(value: Any) -> tuple[float, float] | None:
    try:
        return float(value[0]), float(value[1])
    except (TypeError, ValueError, IndexError, KeyError):
        return None


def annotate(
    image: bytes,
    landmarks: Mapping[str, Sequence[float]],
    report: Mapping[str, Any] | None = None,
) -> bytes:
    """A PNG of the photo with the measurement drawn on it (the true vertical, the plumb line, the
    segments and angles are the report's geometry)."""
    from PIL import Image, ImageDraw, ImageFont

    with Image.open(io.BytesIO(image)) as source:
        canvas = source.convert("RGB")
    draw = ImageDraw.Draw(canvas)
    size = max(canvas.size)
    width = max(2, size // 300)
    radius = max(3, size // 150)
    font = ImageFont.load_default(size=max(12, size // 60))
    points = {name: p for name, raw in landmarks.items() if (p := _xy(raw)) is not None}
    for a, b in BONES:
        if a in points and b in points:
            draw.line([points[a], points[b]], fill=SKELETON, width=width)
    geometry = (report or {}).get("geometry") or {}
    values = {(m.get("id"), m.get("side")): m for m in (report or {}).get("measures", [])}
    for key, colour in (("plumb", PLUMB), ("vertical", VERTICAL)):
        line = geometry.get(key) or {}
        first, last = _xy(line.get("a")), _xy(line.get("b"))
        if first is not None and last is not None:
            draw.line([first, last], fill=colour, width=width)
    for segment in geometry.get("segments", []):
        start, end = _xy(segment.get("a")), _xy(segment.get("b"))
        if start is not None and end is not None:
            draw.line([start, end], fill=MEASURE, width=width)
    for arc in geometry.get("arcs", []):
        centre = _xy(arc.get("centre"))
        if centre is None:
            continue
        r = float(arc.get("radius", size / 20))
        box = [centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r]
        draw.arc(box, float(arc.get("start_deg", 0)), float(arc.get("end_deg", 0)), fill=MEASURE, width=width)
        measure = values.get((arc.get("measure"), arc.get("side")))
        if measure is not None:
            draw.text((centre[0] + r + radius, centre[1] - r), f"{measure.get('value')}{_unit(measure)}",
                      fill=MEASURE, font=font, stroke_width=2, stroke_fill=(0, 0, 0))  # fmt: skip
    for x, y in points.values():
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=LANDMARK, outline=(30, 41, 59))
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _unit(measure: Mapping[str, Any]) -> str:
    unit = str(measure.get("unit", ""))
    return "°" if unit == "degrees" else f" {unit}"


def people_jpeg(rgb: Any, people: Sequence[Any]) -> bytes:
    """A JPEG of one video frame with each person's box (in the frame's pixels) drawn and numbered from 1."""
    from PIL import Image, ImageDraw, ImageFont

    canvas = Image.fromarray(rgb).convert("RGB")
    draw = ImageDraw.Draw(canvas)
    size = max(canvas.size)
    font = ImageFont.load_default(size=max(16, size // 30))
    for number, pose in enumerate(people, start=1):
        x0, y0, x1, y1 = pose.box()
        draw.rectangle([x0, y0, x1, y1], outline=MEASURE, width=max(2, size // 300))
        draw.text((x0, max(0, y0 - size // 25)), str(number), fill=MEASURE, font=font, stroke_width=3,
                  stroke_fill=(0, 0, 0))  # fmt: skip
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=85)
    return out.getvalue()
