"""Read pain marks written by people: "left temple", "left posterior neck:6", "temple_l:7:tingling"."""

from __future__ import annotations

from taut.core.bodymap.lookup import resolve_zones
from taut.core.knowledge.schema import KnowledgeBase
from taut.core.reasoning.chart import ChartError

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
