"""Strict zone lookup for callers that need zones or an error: the pain-chart form's text input,
``taut rank`` zone arguments, written marks ("left temple:6"). All reading of words is done by
:mod:`taut.core.bodymap.phrases`; this module only turns "nothing found" into UnknownZoneError."""

from __future__ import annotations

from taut.core.bodymap.phrases import CloseZone, close_zones, resolve_phrase, side_for, take_side
from taut.core.errors import UnknownZoneError
from taut.core.knowledge.queries import normalise
from taut.core.knowledge.schema import KnowledgeBase, Side

ZoneHit = CloseZone


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
    marker = take_side(words)
    return (side_for(marker, None) if marker is not None else None), " ".join(words)


def resolve_zones(base: KnowledgeBase, text: str, default_side: Side | None = None) -> tuple[str, ...]:
    """The sided zone ids a phrase means: "left temple" -> ("temple_l",),
    "temple" -> ("temple_l", "temple_r"), "hip and thigh" -> every zone of both.

    Strict: a misspelt or unknown word is not guessed at. Raises UnknownZoneError (with the
    nearest names) when any piece of the phrase matches nothing; it names the whole text when
    nothing in it matched, otherwise the pieces that did not.
    """
    resolution = resolve_phrase(base, text, default_side=default_side, strict=True)
    if resolution.unresolved or not resolution.zone_ids:
        missing = ", ".join(resolution.unresolved) if resolution.parts else text
        raise UnknownZoneError(missing, resolution.suggestions)
    return resolution.zone_ids


def resolve_zone(base: KnowledgeBase, text: str) -> str:
    """Exactly one sided zone id; a bilateral zone without a side is an error asking for one."""
    ids = resolve_zones(base, text)
    if len(ids) != 1:
        raise UnknownZoneError(text, [base.zones[i].label for i in ids])
    return ids[0]


def search_zones(base: KnowledgeBase, text: str, limit: int = 10, threshold: float = 0.55) -> list[CloseZone]:
    """Zones whose names resemble ``text``, best first; the side, if given, narrows the ids."""
    return close_zones(base, text, limit=limit, threshold=threshold)


def suggest_zones(base: KnowledgeBase, text: str, n: int = 5) -> list[str]:
    """Nearest zone names for a phrase (those the resolver suggests, then close names)."""
    out = list(resolve_phrase(base, text).suggestions)
    for hit in close_zones(base, text, limit=n, threshold=0.4):
        if hit.name not in out:
            out.append(hit.name)
    return out[:n]
