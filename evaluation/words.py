"""From plain words to zones, for the evaluation only.

One place, easy to delete: it prefers ``taut.core.bodymap.phrases.resolve_phrase`` (the phrase
resolver) when it is there, and otherwise takes the first hit of ``search_zones`` for each
phrase, which is what a new user of ``taut zones search`` gets today.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from taut.core.bodymap.lookup import parse_side, search_zones
from taut.core.knowledge.schema import KnowledgeBase, Side

SIDES = {"left": Side.LEFT, "right": Side.RIGHT, "both": None}


def _resolver() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("taut.core.bodymap.phrases")
    except ImportError:
        return None
    found = getattr(module, "resolve_phrase", None)
    return found if callable(found) else None


def resolver_name() -> str:
    return "resolve_phrase" if _resolver() is not None else "search_zones first hit (no phrase resolver yet)"


def _search_first(base: KnowledgeBase, phrase: str, side: Side | None) -> tuple[str, ...]:
    hits = search_zones(base, phrase, limit=1)
    if not hits:
        return ()
    hit = hits[0]
    if not base.zone_specs[hit.base_id].bilateral:
        return (hit.base_id,)
    if parse_side(phrase)[0] is not None:  # the phrase names its side (or both)
        return hit.zone_ids
    if side is Side.LEFT:
        return (f"{hit.base_id}_l",)
    if side is Side.RIGHT:
        return (f"{hit.base_id}_r",)
    return hit.zone_ids


def zones_for(base: KnowledgeBase, phrases: Iterable[str], side: str = "both") -> tuple[str, ...]:
    """The union of the zones the phrases mean, in phrase order, no repeats."""
    default = SIDES.get(side)
    resolve = _resolver()
    out: list[str] = []
    for phrase in phrases:
        if resolve is not None:
            ids = tuple(resolve(base, phrase, default_side=default).zone_ids)
        else:
            ids = _search_first(base, phrase, default)
        out.extend(z for z in ids if z not in out)
    return tuple(out)
