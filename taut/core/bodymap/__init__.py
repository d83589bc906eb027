"""The body chart: plain words to zones, zone lookup, and SVG rendering of each view."""

from taut.core.bodymap.lookup import (
    ZoneHit,
    parse_side,
    resolve_zone,
    resolve_zones,
    search_zones,
    suggest_zones,
)
from taut.core.bodymap.phrases import CloseZone, PhrasePart, PhraseResolution, close_zones, resolve_phrase
from taut.core.bodymap.svg import HIGHLIGHT_CLASSES, render_view

__all__ = [
    "HIGHLIGHT_CLASSES",
    "CloseZone",
    "PhrasePart",
    "PhraseResolution",
    "ZoneHit",
    "close_zones",
    "parse_side",
    "render_view",
    "resolve_phrase",
    "resolve_zone",
    "resolve_zones",
    "search_zones",
    "suggest_zones",
]
