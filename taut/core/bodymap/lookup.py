"""Find zones by id, name or synonym, with laterality words ("left temple", "temple_l")."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from taut.core.errors import UnknownZoneError
from taut.core.knowledge.queries import normalise, score
from taut.core.knowledge.schema import KnowledgeBase, Side

LEFT_WORDS = frozenset({"left", "l", "lt", "lhs", "left sided", "left side", "sinister"})
RIGHT_WORDS = frozenset({"right", "r", "rt", "rhs", "right sided", "right side", "dexter"})
BOTH_WORDS = frozenset({"both", "bilateral", "both sides", "either side", "bilaterally"})
FILLER_WORDS = frozenset({"the", "my", "of", "on", "in", "at", "side", "sided", "area", "region", "pain"})


def parse_side(text: str) -> tuple[Side | None, str]:
    """Split laterality from a zone phrase: "left temple" -> (LEFT, "temple").

    ``Side.MIDLINE`` is returned for "both"/"bilateral"; None when no side is given.
    Also understands id suffixes (``temple_l``) and trailing "(left)".
    """
    raw = text.strip().lower()
    for suffix, suffix_side in (("_l", Side.LEFT), ("_r", Side.RIGHT)):
        if raw.endswith(suffix) and " " not in raw:
            return suffix_side, raw[: -len(suffix)]
    words = normalise(text).split()
    side: Side | None = None
    kept: list[str] = []
    for word in words:
        if word in LEFT_WORDS:
            side = Side.LEFT
        elif word in RIGHT_WORDS:
            side = Side.RIGHT
        elif word in BOTH_WORDS:
            side = Side.MIDLINE
        else:
            kept.append(word)
    return side, " ".join(kept)


@dataclass(frozen=True, slots=True)
class ZoneHit:
    """A zone found by search: base id, the sided ids meant, its name and the match score."""

    base_id: str
    zone_ids: tuple[str, ...]
    name: str
    matched: str
    score: float


@lru_cache(maxsize=8)
def _name_index(base: KnowledgeBase) -> dict[str, str]:
    """Normalised name/synonym/id -> base zone id (first writer wins)."""
    index: dict[str, str] = {}
    for spec in base.zone_specs.values():
        for name in (spec.id, spec.name, *spec.synonyms):
            index.setdefault(normalise(name), spec.id)
    return index


def _ids_for(base: KnowledgeBase, base_id: str, side: Side | None) -> tuple[str, ...]:
    spec = base.zone_specs[base_id]
    if not spec.bilateral:
        return (base_id,)
    if side is Side.LEFT:
        return (f"{base_id}_l",)
    if side is Side.RIGHT:
        return (f"{base_id}_r",)
    return (f"{base_id}_l", f"{base_id}_r")


def _strip_fillers(phrase: str) -> str:
    return " ".join(w for w in phrase.split() if w not in FILLER_WORDS)


def _exact(base: KnowledgeBase, phrase: str) -> str | None:
    index = _name_index(base)
    for candidate in (phrase, phrase.rstrip("s"), _strip_fillers(phrase), _strip_fillers(phrase).rstrip("s")):
        if candidate and candidate in index:
            return index[candidate]
    return None


def resolve_zones(base: KnowledgeBase, text: str) -> tuple[str, ...]:
    """The sided zone ids a phrase means: "left temple" -> ("temple_l",),
    "temple" -> ("temple_l", "temple_r"), "throat" -> ("throat",).

    Raises UnknownZoneError (with suggestions) when nothing matches exactly.
    """
    raw = text.strip()
    if raw in base.zones:
        return (raw,)
    side, phrase = parse_side(raw)
    base_id = _exact(base, phrase)
    if base_id is None:
        raise UnknownZoneError(text, suggest_zones(base, text))
    return _ids_for(base, base_id, side)


def resolve_zone(base: KnowledgeBase, text: str) -> str:
    """Exactly one sided zone id; a bilateral zone without a side is an error asking for one."""
    ids = resolve_zones(base, text)
    if len(ids) != 1:
        raise UnknownZoneError(text, [base.zones[i].label for i in ids])
    return ids[0]


def search_zones(base: KnowledgeBase, text: str, limit: int = 10, threshold: float = 0.55) -> list[ZoneHit]:
    """Zones whose names resemble ``text``, best first; the side, if given, narrows the ids."""
    side, phrase = parse_side(text)
    query = _strip_fillers(phrase) or phrase
    if not query:
        return []
    hits: list[ZoneHit] = []
    for spec in base.zone_specs.values():
        names: Iterable[str] = (spec.id, spec.name, *spec.synonyms)
        best, matched = max(((score(query, normalise(n)), n) for n in names), key=lambda pair: pair[0])
        if best >= threshold:
            hits.append(ZoneHit(spec.id, _ids_for(base, spec.id, side), spec.name, matched, round(best, 3)))
    hits.sort(key=lambda h: (-h.score, h.base_id))
    return hits[:limit]


def suggest_zones(base: KnowledgeBase, text: str, n: int = 5) -> list[str]:
    """Nearest zone names for a phrase that matched nothing (difflib, then substring search)."""
    _, phrase = parse_side(text)
    names = list(_name_index(base))
    close = difflib.get_close_matches(phrase, names, n=n, cutoff=0.6)
    out: list[str] = []
    for name in close:
        label = base.zone_specs[_name_index(base)[name]].name
        if label not in out:
            out.append(label)
    for hit in search_zones(base, text, limit=n):
        if hit.name not in out:
            out.append(hit.name)
    return out[:n]
