"""Render one view of the body chart as an SVG string with clickable zones."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape

from taut.core.errors import UnknownZoneError
from taut.core.knowledge.schema import KnowledgeBase, Point

HIGHLIGHT_CLASSES = frozenset(
    {"essential", "spillover", "selected", "pain", "numbness", "tingling", "primary", "secondary"}
)
_CLASS = re.compile(r"^[a-z][a-z0-9_-]*$")


def path_d(points: Iterable[Point]) -> str:
    """An SVG path ``d`` for a closed polygon: ``M x y L x y ... Z``."""
    parts = [f"{x:g} {y:g}" for x, y in points]
    return "M" + " L".join(parts) + " Z"


def render_view(
    base: KnowledgeBase,
    view_id: str,
    highlight: Mapping[str, str] | None = None,
    selected: Iterable[str] = (),
) -> str:
    """SVG for ``view_id``: each zone is a ``<path data-zone="...">`` with class ``zone``.

    ``highlight`` maps sided zone ids to one class from HIGHLIGHT_CLASSES (for example
    ``{"temple_l": "essential"}``); ``selected`` adds the ``selected`` class.
    """
    if view_id not in base.views:
        raise KeyError(f"No chart view {view_id!r}; use one of: {', '.join(base.views)}")
    marks = dict(highlight or {})
    chosen = set(selected)
    for zone_id in (*marks, *chosen):
        if zone_id not in base.zones:
            raise UnknownZoneError(zone_id)
    for cls in marks.values():
        if cls not in HIGHLIGHT_CLASSES or not _CLASS.match(cls):
            raise ValueError(f"Unknown highlight class {cls!r}; use one of: {', '.join(sorted(HIGHLIGHT_CLASSES))}")
    view = base.views[view_id]
    title = escape(f"Body chart: {view.label}")
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {view.width:g} {view.height:g}"'
            f' class="taut-bodymap" data-view="{escape(view.id)}"'
            f' data-kb-version="{escape(base.version)}" role="group" aria-label="{title}">'
        ),
        f"<title>{title}</title>",
        '<g class="silhouette" aria-hidden="true">',
        *(f'<path d="{path_d(poly)}"/>' for poly in view.silhouette),
        "</g>",
        '<g class="zones">',
    ]
    for shape in view.shapes:
        zone = base.zones[shape.zone]
        classes = ["zone", f"region-{zone.region.value}"]
        if shape.zone in marks:
            classes.append(marks[shape.zone])
        if shape.zone in chosen and "selected" not in classes:
            classes.append("selected")
        label = escape(zone.label)
        out.append(
            f'<path id="{escape(view.id)}-{escape(zone.id)}" class="{" ".join(classes)}"'
            f' data-zone="{escape(zone.id)}" data-side="{zone.side.value}" tabindex="0" role="button"'
            f' aria-label="{label}" d="{path_d(shape.points)}"><title>{label}</title></path>'
        )
    out += ["</g>", "</svg>"]
    return "\n".join(out)
