"""Stick-figure pictures of home exercises, drawn by Taut from pose data (our own drawings).

Each exercise in the knowledge base may carry a ``figure``: joint positions in a 100 x 100 box,
straight-line props (a wall, a chair, a band) and arrows for the direction of movement. This
module turns that into a small, self-contained SVG; it copies no picture from anywhere.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from taut.core.knowledge.schema import Figure

# Body segments, drawn as lines between two joints when both are present.
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("neck", "hip"),
    ("neck", "shoulder_l"),
    ("neck", "shoulder_r"),
    ("shoulder_l", "elbow_l"),
    ("elbow_l", "hand_l"),
    ("shoulder_r", "elbow_r"),
    ("elbow_r", "hand_r"),
    ("hip", "hip_l"),
    ("hip", "hip_r"),
    ("hip", "knee_l"),
    ("hip", "knee_r"),
    ("hip_l", "knee_l"),
    ("hip_r", "knee_r"),
    ("knee_l", "foot_l"),
    ("knee_r", "foot_r"),
)


def _fmt(value: float) -> str:
    return f"{value:g}"


def figure_svg(figure: Figure, *, title: str = "", size: int = 160) -> str:
    """The exercise's stick figure as an SVG document string (escaped title, no scripts)."""
    joints: dict[str, tuple[float, float]] = {str(k): v for k, v in figure.joints.items()}
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="{size}" height="{size}"'
        ' role="img" class="exercise-figure">',
        f"<title>{escape(title or figure.caption or 'Exercise figure')}</title>",
    ]
    if figure.floor is not None:
        parts.append(
            f'<line x1="0" y1="{_fmt(figure.floor)}" x2="100" y2="{_fmt(figure.floor)}"'
            ' class="floor" stroke="#999" stroke-width="1"/>'
        )
    for (x1, y1), (x2, y2) in figure.props:
        parts.append(
            f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" class="prop"'
            ' stroke="#8a8a8a" stroke-width="2" stroke-linecap="round"/>'
        )
    for a, b in SEGMENTS:
        if a in joints and b in joints:
            (x1, y1), (x2, y2) = joints[a], joints[b]
            parts.append(
                f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" class="limb"'
                ' stroke="#1f2933" stroke-width="3" stroke-linecap="round"/>'
            )
    if "head" in joints:
        hx, hy = joints["head"]
        parts.append(
            f'<circle cx="{_fmt(hx)}" cy="{_fmt(hy)}" r="6" class="head"'
            ' fill="#fff" stroke="#1f2933" stroke-width="3"/>'
        )
    for (x1, y1), (x2, y2) in figure.arrows:
        parts.append(
            f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" class="arrow"'
            ' stroke="#c2410c" stroke-width="2" marker-end="url(#arrowhead)"/>'
        )
    if figure.arrows:
        parts.insert(
            2,
            '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5"'
            ' markerHeight="5" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#c2410c"/></marker></defs>',
        )
    parts.append("</svg>")
    return "".join(parts)
