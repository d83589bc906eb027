"""Read pain marks written by people: "left temple", "left posterior neck:6", "temple_l:7:tingling"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taut.core.bodymap.lookup import resolve_zones
from taut.core.knowledge.schema import KnowledgeBase
from taut.core.reasoning.chart import ChartError, PainChart, build_chart

Mark = tuple[str, int | None, str | None]


def parse_mark(base: KnowledgeBase, text: str) -> list[Mark]:
    """One written mark -> sided marks. A zone named without a side means both sides."""
    parts = [p.strip() for p in text.split(":")]
    if not parts[0]:
        raise ChartError("pain", f"{text!r} names no zone; write for example 'left temple:6'.")
    intensity: int | None = None
    quality: str | None = None
    for extra in parts[1:3]:
        if extra.isdigit():
            intensity = int(extra)
        elif extra:
            quality = extra
    if len(parts) > 3:
        raise ChartError("pain", f"{text!r} has too many parts; write ZONE[:INTENSITY][:QUALITY].")
    return [(zone, intensity, quality) for zone in resolve_zones(base, parts[0])]


def _strings(inputs: Mapping[str, Any], key: str) -> list[str]:
    value = inputs.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ChartError(key, "give a list of words.")
    return [v for v in value if v.strip()]


def chart_from_inputs(
    base: KnowledgeBase, inputs: Mapping[str, Any], *, age: int | None = None, sex: str | None = None
) -> PainChart:
    """Build a chart from JSON-like inputs (the web form, the API and stored records all use this shape).

    ``pain`` is a list of {"zone": id or name, "intensity": 0-10, "quality": optional}; a zone
    named without a side means both sides.
    """
    pain = inputs.get("pain")
    if not isinstance(pain, list) or not pain:
        raise ChartError("pain", "mark at least one painful zone.")
    marks: list[Mark] = []
    for i, item in enumerate(pain):
        if not isinstance(item, Mapping) or not isinstance(item.get("zone"), str):
            raise ChartError(f"pain.{i}", 'each mark needs a "zone" (an id such as temple_l, or a name).')
        if "\x00" in item["zone"]:  # normalising would drop it and accept the zone; it cannot be stored
            raise ChartError(f"pain.{i}.zone", "remove the NUL (\\x00) character from the zone.")
        intensity = item.get("intensity")
        if intensity is not None and (not isinstance(intensity, int) or isinstance(intensity, bool)):
            raise ChartError(f"pain.{i}.intensity", "use a whole number from 0 to 10.")
        quality = item.get("quality")
        if quality is not None and not isinstance(quality, str):
            raise ChartError(f"pain.{i}.quality", "use one word, such as aching or tingling.")
        marks += [(zone, intensity, quality or None) for zone in resolve_zones(base, item["zone"])]
    mechanism = inputs.get("mechanism") or None
    condition = inputs.get("condition") or None
    for key, value in (("mechanism", mechanism), ("condition", condition)):
        if value is not None and not isinstance(value, str):
            raise ChartError(key, "use one word.")
    return build_chart(
        base,
        marks,
        qualities=_strings(inputs, "qualities"),
        mechanism=mechanism,
        aggravating=_strings(inputs, "aggravating"),
        easing=_strings(inputs, "easing"),
        restricted=_strings(inputs, "restricted"),
        symptoms=_strings(inputs, "symptoms"),
        condition=condition,
        age=age,
        sex=sex,
        red_flags=_strings(inputs, "red_flags"),
    )
