"""Render one view of the body chart as an SVG string with clickable zones."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape

from taut.core.bodymap.outline import DETAILS, OUTLINES, mirror_points, parts_for, smooth_closed
from taut.core.errors import UnknownZoneError
from taut.core.knowledge.schema import KnowledgeBase, Point, Shape, View

HIGHLIGHT_CLASSES = frozenset(
    {"essential", "spillover", "selected", "pain", "numbness", "tingling", "primary", "secondary"}
)
_CLASS = re.compile(r"^[a-z][a-z0-9_-]*$")


def path_d(points: Iterable[Point]) -> str:
    """An SVG path ``d`` for a closed polygon: ``M x y L x y ... Z``."""
    parts = [f"{x:g} {y:g}" for x, y in points]
    return "M" + " L".join(parts) + " Z"


def _check(base: KnowledgeBase, view_id: str, marks: Mapping[str, str], chosen: set[str]) -> View:
    if view_id not in base.views:
        raise KeyError(f"No chart view {view_id!r}; use one of: {', '.join(base.views)}")
    for zone_id in (*marks, *chosen):
        if zone_id not in base.zones:
            raise UnknownZoneError(zone_id)
    for cls in marks.values():
        if cls not in HIGHLIGHT_CLASSES or not _CLASS.match(cls):
            raise ValueError(f"Unknown highlight class {cls!r}; use one of: {', '.join(sorted(HIGHLIGHT_CLASSES))}")
    return base.views[view_id]


def viewer_left_side(base: KnowledgeBase, view: View) -> str:
    """Which of the client's sides the view draws on the viewer's left: "right" or "left".

    Seen from the front the client's right is on the viewer's left; from the back, their left.
    The side view puts the right side, seen from the right, on the viewer's left.
    """
    for shape in view.shapes:
        side = base.zones[shape.zone].side.value
        if side in {"left", "right"}:
            xs = [x for x, _ in shape.points]
            return side if max(xs) <= view.mirror_x else ("left" if side == "right" else "right")
    return "right"


def _side_labels(base: KnowledgeBase, view: View) -> list[str]:
    """Visible words saying whose side is where (the client's left and right)."""
    near = viewer_left_side(base, view)
    far = "left" if near == "right" else "right"
    if view.id == "lateral":
        y = view.height - 22
        words = [(view.mirror_x / 2, "middle", f"{near.capitalize()} side"),
                 (view.mirror_x * 1.5, "middle", f"{far.capitalize()} side")]  # fmt: skip
    else:
        y = 24 if view.height > 300 else 18
        words = [(6.0, "start", near.capitalize()), (view.width - 6, "end", far.capitalize())]
    return [
        '<g class="side-labels" aria-hidden="true">',
        *(f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}">{escape(word)}</text>' for x, anchor, word in words),
        "</g>",
    ]


def _outline(view: View, clip_id: str) -> list[str]:
    """The body outline (stroke under fill, one layer over the other) and the zones' clip path."""
    parts = [(layer, d) for layer, d, _ in parts_for(view.id, view.mirror_x)]
    if not parts:
        return []
    silhouette = [path_d(poly) for poly in view.silhouette]
    out = [f'<defs><clipPath id="{escape(clip_id)}">']
    out += [f'<path d="{d}"/>' for d in silhouette]
    out += [f'<path d="{d}"/>' for _, d in parts]
    out.append("</clipPath></defs>")
    out.append('<g class="silhouette body-outline" aria-hidden="true">')
    for layer in sorted({layer for layer, _ in parts}):
        ds = [d for lay, d in parts if lay == layer] + (silhouette if layer == 0 else [])
        out += [f'<path class="edge" d="{d}"/>' for d in ds]
        out += [f'<path class="body" d="{d}"/>' for d in ds]
    out.append("</g>")
    return out


def _zone_path(base: KnowledgeBase, view: View, shape: Shape, marks: Mapping[str, str], chosen: set[str],
               id_prefix: str) -> str:  # fmt: skip
    zone = base.zones[shape.zone]
    classes = ["zone", f"region-{zone.region.value}"]
    if shape.zone in marks:
        classes.append(marks[shape.zone])
    if shape.zone in chosen and "selected" not in classes:
        classes.append("selected")
    label = escape(zone.label)
    return (
        f'<path id="{escape(id_prefix)}-{escape(zone.id)}" class="{" ".join(classes)}"'
        f' data-zone="{escape(zone.id)}" data-side="{zone.side.value}" tabindex="0" role="button"'
        f' aria-label="{label}" d="{path_d(shape.points)}"><title>{label}</title></path>'
    )


def render_view(
    base: KnowledgeBase,
    view_id: str,
    highlight: Mapping[str, str] | None = None,
    selected: Iterable[str] = (),
) -> str:
    """SVG for ``view_id``: each zone is a ``<path data-zone="...">`` with class ``zone``.

    ``highlight`` maps sided zone ids to one class from HIGHLIGHT_CLASSES (for example
    ``{"temple_l": "essential"}``); ``selected`` adds the ``selected`` class. Behind the zones
    is the body's outline, and the words "Left" and "Right" (the client's sides) label the view.
    """
    marks = dict(highlight or {})
    chosen = set(selected)
    view = _check(base, view_id, marks, chosen)
    title = escape(f"Body chart: {view.label}")
    clip_id = f"{view.id}-body"
    outline = _outline(view, clip_id)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {view.width:g} {view.height:g}"'
            f' class="taut-bodymap" data-view="{escape(view.id)}"'
            f' data-kb-version="{escape(base.version)}" role="group" aria-label="{title}">'
        ),
        f"<title>{title}</title>",
        *outline,
        '<g class="zones"' + (f' clip-path="url(#{escape(clip_id)})"' if outline else "") + ">",
        *(_zone_path(base, view, shape, marks, chosen, view.id) for shape in view.shapes),
        "</g>",
    ]
    if DETAILS.get(view.id):
        out += ['<g class="details" aria-hidden="true">', *(f'<path d="{d}"/>' for d in DETAILS[view.id]), "</g>"]
    out += [*_side_labels(base, view), "</svg>"]
    return "\n".join(out)


# The hands in the front and back views, enlarged: each finger is 7 units wide there, so drawn at
# HAND_SCALE CSS pixels a unit (see taut.css) every finger is a target of at least 24 x 24 px.
HAND_BOX = (38.0, 78.0, 276.0, 358.0)  # x0, x1, y0, y1 of the viewer's-left hand
HAND_SCALE = 3.5
_HAND_GAP = 6.0


def hand_shapes(view: View) -> tuple[list[Shape], list[Shape]]:
    """The view's zones inside the hand box: those of the viewer's-left hand, then the other's."""
    x0, x1, y0, y1 = HAND_BOX
    near, far = [], []
    for shape in view.shapes:
        xs = [x for x, _ in shape.points]
        ys = [y for _, y in shape.points]
        if not (min(ys) >= y0 and max(ys) <= y1):
            continue
        if min(xs) >= x0 and max(xs) <= x1:
            near.append(shape)
        elif min(xs) >= 2 * view.mirror_x - x1 and max(xs) <= 2 * view.mirror_x - x0:
            far.append(shape)
    return near, far


def render_hands(
    base: KnowledgeBase,
    view_id: str,
    highlight: Mapping[str, str] | None = None,
    selected: Iterable[str] = (),
) -> str:
    """The view's two hands drawn large, side by side: the same zones as in ``render_view``
    (same ``data-zone``), as targets big enough for a finger. Empty for a view without hands."""
    marks = dict(highlight or {})
    chosen = set(selected)
    view = _check(base, view_id, marks, chosen)
    near, far = hand_shapes(view)
    if not near:
        return ""
    x0, x1, y0, y1 = HAND_BOX
    shift = (x1 + _HAND_GAP) - (2 * view.mirror_x - x1)  # moves the far hand beside the near one
    width, top = 2 * (x1 - x0) + _HAND_GAP, y0
    height = y1 + 16 - top
    near_side = viewer_left_side(base, view)
    far_side = "left" if near_side == "right" else "right"
    face = "palms" if view_id == "anterior" else "backs of the hands"
    title = escape(f"Hands, enlarged: {view.label} ({face})")
    clip_id = f"{view.id}-hands-body"
    near_parts = [smooth_closed(p.points) for p in OUTLINES[view.id] if p.hand]
    far_parts = [smooth_closed(mirror_points(p.points, view.mirror_x)) for p in OUTLINES[view.id] if p.hand]
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x0:g} {top:g} {width:g} {height:g}"'
            f' class="taut-bodymap hand-inset" data-view="{escape(view.id)}" data-inset="hands"'
            f' data-kb-version="{escape(base.version)}" role="group" aria-label="{title}">'
        ),
        f"<title>{title}</title>",
    ]
    clip = [f'<defs><clipPath id="{escape(clip_id)}">', *(f'<path d="{d}"/>' for d in near_parts + far_parts)]
    clip.append("</clipPath></defs>")
    edges = [
        f'<g transform="translate({dx:g} 0)">'
        + "".join(f'<path class="edge" d="{d}"/>' for d in ds)
        + "".join(f'<path class="body" d="{d}"/>' for d in ds)
        + "</g>"
        for dx, ds in ((0.0, near_parts), (shift, far_parts))
    ]
    out += [
        *clip,
        '<g class="silhouette body-outline" aria-hidden="true">',
        *edges,
        "</g>",
        f'<g class="zones hand-zones" clip-path="url(#{escape(clip_id)})">',
        *(_zone_path(base, view, s, marks, chosen, f"{view.id}-hand") for s in near),
        "</g>",
        f'<g transform="translate({shift:g} 0)">',
        f'<g class="zones hand-zones" clip-path="url(#{escape(clip_id)})">',
        *(_zone_path(base, view, s, marks, chosen, f"{view.id}-hand") for s in far),
        "</g></g>",
        '<g class="side-labels" aria-hidden="true">',
        f'<text x="{(x0 + x1) / 2:g}" y="{y1 + 12:g}" text-anchor="middle">{near_side.capitalize()} hand</text>',
        f'<text x="{x1 + _HAND_GAP + (x1 - x0) / 2:g}" y="{y1 + 12:g}" text-anchor="middle">'
        f"{far_side.capitalize()} hand</text>",
        "</g>",
        "</svg>",
    ]
    return "\n".join(out)
