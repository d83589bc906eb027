"""The note form as rows of fields: read a posted draft, check its rows, and lay it out again.

The web form posts flat names (``tp-0-muscle``, ``rom-1-degrees``, ``tech-2-minutes``); the API
sends the same rows as lists. Both go through ``check_rows`` before the service saves anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError

from taut.core.knowledge.loader import load_base
from taut.notes.services import PAIN_FIELDS, TEXT_FIELDS

CHANGES = (
    ("", "Not asked"),
    ("first", "First session"),
    ("better", "Better"),
    ("same", "The same"),
    ("worse", "Worse"),
)
KINDS = (("active", "Active"), ("latent", "Latent"))
SIDES = (("", "Midline or not noted"), ("left", "Left"), ("right", "Right"), ("both", "Both sides"))
PRESSURES = (("light", "Light"), ("moderate", "Moderate"), ("firm", "Firm"))
FLAGS = ("twitch", "referral", "taut_band")
BLANK_ROWS = 2
MAX_ROWS = 60
TEXT_MAX = 5000


@cache
def muscle_choices() -> tuple[tuple[str, str], ...]:
    """Every muscle of the knowledge base as (id, name), sorted by name."""
    base = load_base()
    return tuple(sorted(((m.id, m.name) for m in base.muscles.values()), key=lambda pair: pair[1].lower()))


def muscle_name(muscle_id: str) -> str:
    return dict(muscle_choices()).get(muscle_id, muscle_id)


def _indices(post: Mapping[str, Any], prefix: str) -> list[int]:
    found = set()
    for key in post:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit():
            found.add(int(parts[1]))
    return sorted(found)[:MAX_ROWS]


def data_from_post(post: Mapping[str, Any]) -> dict[str, Any]:
    """The note's fields from a posted form; rows with no muscle (or motion) are left out."""
    data: dict[str, Any] = {k: str(post.get(k, "")) for k in TEXT_FIELDS + PAIN_FIELDS}
    points = []
    for i in _indices(post, "tp"):
        muscle = str(post.get(f"tp-{i}-muscle", "")).strip()
        if not muscle:
            continue
        point: dict[str, Any] = {
            "muscle": muscle,
            "side": str(post.get(f"tp-{i}-side", "")),
            "kind": str(post.get(f"tp-{i}-kind", "active")),
        }
        point.update({flag: post.get(f"tp-{i}-{flag}") == "on" for flag in FLAGS})
        points.append(point)
    retests = []
    for i in _indices(post, "rom"):
        motion = str(post.get(f"rom-{i}-motion", "")).strip()
        if not motion:
            continue
        retests.append(
            {
                "motion": motion,
                "side": str(post.get(f"rom-{i}-side", "")),
                "degrees": str(post.get(f"rom-{i}-degrees", "")).strip(),
                "note": str(post.get(f"rom-{i}-note", "")),
            }
        )
    techniques = []
    for i in _indices(post, "tech"):
        muscle = str(post.get(f"tech-{i}-muscle", "")).strip()
        if not muscle:
            continue
        techniques.append(
            {
                "muscle": muscle,
                "technique": str(post.get(f"tech-{i}-technique", "")),
                "pressure": str(post.get(f"tech-{i}-pressure", "moderate")),
                "minutes": str(post.get(f"tech-{i}-minutes", "")).strip(),
            }
        )
    data.update(trigger_points=points, rom_retests=retests, techniques=techniques)
    return data


def _whole(value: Any, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    number = int(value)
    if not low <= number <= high or (isinstance(value, float) and value != number):
        raise ValueError
    return number


def check_rows(data: dict[str, Any]) -> dict[str, Any]:
    """Check the rows and text lengths the service leaves open; returns the data with rows normalised.

    Raises a ValidationError naming every row at fault (``trigger_points.0``)."""
    errors: dict[str, str] = {}
    muscles = dict(muscle_choices())
    out = dict(data)
    for key in TEXT_FIELDS:
        if isinstance(data.get(key), str) and len(data[key]) > TEXT_MAX:
            errors[key] = f"Keep this under {TEXT_MAX} characters."
    if isinstance(data.get("change_since_last"), str) and data["change_since_last"] not in dict(CHANGES):
        errors["change_since_last"] = "Choose better, the same, worse or first session."
    rows: dict[str, list[Any]] = {}
    for key in ("trigger_points", "rom_retests", "techniques"):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            errors[key] = "This must be a list of entries."
            continue
        if len(value) > MAX_ROWS:
            errors[key] = f"At most {MAX_ROWS} rows."
            continue
        rows[key] = value
    points = []
    for i, p in enumerate(rows.get("trigger_points", [])):
        if p.get("muscle") not in muscles:
            errors[f"trigger_points.{i}"] = "Choose the muscle from the list."
        elif p.get("kind", "active") not in dict(KINDS):
            errors[f"trigger_points.{i}"] = "A trigger point is either active or latent."
        elif p.get("side", "") not in dict(SIDES):
            errors[f"trigger_points.{i}"] = "The side is left, right, both or none."
        else:
            point = {"muscle": p["muscle"], "side": p.get("side", ""), "kind": p.get("kind", "active")}
            point.update({f: bool(p.get(f, False)) for f in FLAGS})
            points.append(point)
    retests = []
    for i, r in enumerate(rows.get("rom_retests", [])):
        try:
            degrees = _whole(r.get("degrees"), 0, 360)
        except (TypeError, ValueError):
            errors[f"rom_retests.{i}"] = "Degrees are a whole number from 0 to 360."
            continue
        motion, note = r.get("motion", ""), r.get("note", "")
        if not isinstance(motion, str) or not motion.strip() or len(motion) > 100:
            errors[f"rom_retests.{i}"] = "Name the motion re-tested (up to 100 characters)."
        elif r.get("side", "") not in dict(SIDES) or not isinstance(note, str) or len(note) > 500:
            errors[f"rom_retests.{i}"] = "The side is left, right, both or none; the note is up to 500 characters."
        else:
            retests.append({"motion": motion.strip(), "side": r.get("side", ""), "degrees": degrees, "note": note})
    techniques = []
    for i, t in enumerate(rows.get("techniques", [])):
        try:
            minutes = _whole(t.get("minutes"), 0, 180)
        except (TypeError, ValueError):
            errors[f"techniques.{i}"] = "Minutes are a whole number from 0 to 180."
            continue
        technique = t.get("technique", "")
        if t.get("muscle") not in muscles:
            errors[f"techniques.{i}"] = "Choose the muscle from the list."
        elif t.get("pressure", "moderate") not in dict(PRESSURES):
            errors[f"techniques.{i}"] = "Pressure is light, moderate or firm."
        elif not isinstance(technique, str) or len(technique) > 200:
            errors[f"techniques.{i}"] = "Name the technique in up to 200 characters."
        else:
            techniques.append(
                {
                    "muscle": t["muscle"],
                    "technique": technique,
                    "pressure": t.get("pressure", "moderate"),
                    "minutes": minutes,
                }
            )
    if errors:
        raise ValidationError(errors)
    if "trigger_points" in rows:
        out["trigger_points"] = points
    if "rom_retests" in rows:
        out["rom_retests"] = retests
    if "techniques" in rows:
        out["techniques"] = techniques
    return out


def field_errors(exc: ValidationError) -> dict[str, str]:
    """A ValidationError as {field: one message}, with row keys in words ("Trigger point 1")."""
    words = {"trigger_points": "Trigger point", "rom_retests": "Re-test", "techniques": "Technique"}
    out = {}
    for key, messages in exc.message_dict.items():
        head, _, index = key.partition(".")
        label = f"{words[head]} {int(index) + 1}" if head in words and index.isdigit() else key
        out[key] = f"{label}: {' '.join(messages)}" if label != key else " ".join(messages)
    return out


def rows_for_form(note_rows: list[dict[str, Any]], blank: dict[str, Any]) -> list[dict[str, Any]]:
    """The saved rows plus a few blank ones to fill in."""
    return [*note_rows, *([blank] * BLANK_ROWS)]
