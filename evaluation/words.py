"""From plain words to zones, for the evaluation: the same phrase resolver the CLI, the API and
the pain-chart form use (``taut.core.bodymap.phrases.resolve_phrase``, lenient reading)."""

from __future__ import annotations

from collections.abc import Iterable

from taut.core.bodymap.phrases import resolve_phrase
from taut.core.knowledge.schema import KnowledgeBase, Side

SIDES = {"left": Side.LEFT, "right": Side.RIGHT, "both": None}


def zones_for(base: KnowledgeBase, phrases: Iterable[str], side: str = "both") -> tuple[str, ...]:
    """The union of the zones the phrases mean, in phrase order, no repeats."""
    default = SIDES.get(side)
    out: list[str] = []
    for phrase in phrases:
        out.extend(z for z in resolve_phrase(base, phrase, default_side=default).zone_ids if z not in out)
    return tuple(out)
