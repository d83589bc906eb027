"""The range-of-motion form: one row per motion, grouped by joint, a column pair per side.

It is read straight from the POST (names like `cervical_rotation.left.active`), so a page of
about sixty motions stays one plain form that a keyboard can run through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from taut.core.knowledge.schema import JointMotion
from taut.core.measures.rom import EndFeel

# Motions measured once (sagittal, or a single opening); the rest have a left and a right.
SINGLE = {
    "cervical_flexion", "cervical_extension", "jaw_opening", "jaw_closing", "jaw_protrusion",
    "thoracic_flexion", "thoracic_extension", "lumbar_flexion", "lumbar_extension",
}  # fmt: skip
GROUP_ORDER = (
    "cervical", "jaw", "scapular", "shoulder", "elbow", "forearm", "wrist", "finger", "thumb",
    "thoracic", "lumbar", "hip", "knee", "ankle", "foot", "toe",
)  # fmt: skip
FIELDS = ("active", "passive", "end_feel", "painful", "painful_arc")


@dataclass(frozen=True)
class Row:
    motion: str
    label: str
    sides: tuple[str, ...]


def groups() -> list[tuple[str, list[Row]]]:
    rows: dict[str, list[Row]] = {}
    for motion in JointMotion:
        group = motion.value.split("_")[0]
        sides = ("midline",) if motion.value in SINGLE else ("left", "right")
        label = motion.value.split("_", 1)[1].replace("_", " ") if "_" in motion.value else motion.value
        rows.setdefault(group, []).append(Row(motion.value, label, sides))
    return [(g, rows[g]) for g in GROUP_ORDER if g in rows]


def entries_from_post(data: QueryDict) -> list[dict[str, Any]]:
    """The filled rows of the form as entries (a row counts when it has an active or passive value)."""
    out: list[dict[str, Any]] = []
    for _, rows in groups():
        for row in rows:
            for side in row.sides:
                key = f"{row.motion}.{side}"
                active, passive = data.get(f"{key}.active", "").strip(), data.get(f"{key}.passive", "").strip()
                if not active and not passive:
                    continue
                out.append(
                    {
                        "motion": row.motion,
                        "side": side,
                        "active": active or None,
                        "passive": passive or None,
                        "end_feel": data.get(f"{key}.end_feel") or None,
                        "painful": data.get(f"{key}.painful") == "on",
                        "painful_arc": data.get(f"{key}.painful_arc") == "on",
                    }
                )
    return out


def values_from_entries(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Form values (name -> value) to show saved entries again."""
    values: dict[str, Any] = {}
    for e in entries:
        key = f"{e['motion']}.{e['side']}"
        for name in FIELDS:
            if e.get(name) not in (None, False, ""):
                values[f"{key}.{name}"] = "on" if e[name] is True else e[name]
    return values


def error_words(key: str, messages: list[str], entries: list[dict[str, Any]]) -> str:
    """An error on an entry, naming the row of the form that holds it (its motion and side) and the field."""
    parts = key.split(".")
    if parts[0] == "entries" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(entries):
        entry = entries[int(parts[1])]
        motion = str(entry.get("motion", "")).replace("_", " ")
        side = str(entry.get("side", ""))
        where = f"{motion[:1].upper()}{motion[1:]}" + ("" if side == "midline" else f", {side}")
        field = parts[2] if len(parts) > 2 else ""
        text = " ".join(m.removeprefix(f"{field}: ") if field else m for m in messages)
        label = field.replace("_", " ")
        return f"{where}{f' ({label})' if label else ''}: {text}"
    return " ".join(messages)


END_FEELS = [("", "end-feel…"), *((f.value, f.value) for f in EndFeel)]
