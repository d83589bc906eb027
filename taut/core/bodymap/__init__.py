"""The body chart: zone lookup by name or synonym, and SVG rendering of each view."""

from taut.core.bodymap.lookup import (
    ZoneHit,
    parse_side,
    resolve_zone,
    resolve_zones,
    search_zones,
    suggest_zones,
)
from taut.core.bodymap.svg import HIGHLIGHT_CLASSES, render_view

__all__ = [
    "HIGHLIGHT_CLASSES",
    "ZoneHit",
    "parse_side",
    "render_view",
    "resolve_zone",
    "resolve_zones",
    "search_zones",
    "suggest_zones",
]
