"""Stick-figure pictures of home exercises, drawn by Taut from pose data (our own drawings).

Each exercise in the knowledge base may carry a ``figure``: joint positions in a 100 x 100 box,
straight-line props (a wall, a chair, a band) and arrows for the direction of movement. This
module turns that into a small, self-contained SVG; it copies no picture from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from taut.core.knowledge.schema import Figure, Point

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


Line = tuple[Point, Point]


@dataclass(frozen=True, slots=True)
class BasePose:
    """A named starting pose: joints, props (a chair, a wall) and the floor line."""

    joints: dict[str, Point]
    props: tuple[Line, ...] = ()
    floor: float | None = None


def _both(**sides: Point) -> dict[str, Point]:
    """Joints seen from the side: the left and right joint of each pair share one place."""
    out: dict[str, Point] = {}
    for name, point in sides.items():
        if name in {"shoulder", "elbow", "hand", "knee", "foot"}:
            out[f"{name}_l"] = point
            out[f"{name}_r"] = point
        else:
            out[name] = point
    return out


_CHAIR: tuple[Line, ...] = (((34, 64), (62, 64)), ((36, 64), (36, 92)), ((34, 64), (34, 34)))
_CHAIR_FRONT: tuple[Line, ...] = (((34, 66), (66, 66)), ((36, 66), (36, 92)), ((64, 66), (64, 92)))

# Side views face right; front views show the client facing the reader.
POSES: dict[str, BasePose] = {
    "standing": BasePose(
        _both(head=(50, 12), neck=(50, 22), shoulder=(50, 26), elbow=(51, 42), hand=(52, 56), hip=(50, 56))
        | {"knee_l": (50, 74), "knee_r": (52, 74), "foot_l": (50, 92), "foot_r": (53, 92)},
        floor=93,
    ),
    "standing_front": BasePose(
        {
            "head": (50, 12),
            "neck": (50, 22),
            "shoulder_l": (40, 25),
            "shoulder_r": (60, 25),
            "elbow_l": (37, 40),
            "elbow_r": (63, 40),
            "hand_l": (36, 54),
            "hand_r": (64, 54),
            "hip": (50, 54),
            "hip_l": (45, 56),
            "hip_r": (55, 56),
            "knee_l": (45, 74),
            "knee_r": (55, 74),
            "foot_l": (44, 92),
            "foot_r": (56, 92),
        },
        floor=93,
    ),
    "standing_wall": BasePose(
        _both(head=(44, 12), neck=(43, 22), shoulder=(42, 26), elbow=(43, 42), hand=(44, 56), hip=(42, 56))
        | {"knee_l": (44, 74), "knee_r": (45, 74), "foot_l": (47, 92), "foot_r": (48, 92)},
        props=(((36, 4), (36, 93)),),
        floor=93,
    ),
    "sitting": BasePose(
        _both(head=(44, 14), neck=(43, 24), shoulder=(43, 28), elbow=(45, 44), hand=(55, 56), hip=(42, 62))
        | {"knee_l": (64, 61), "knee_r": (66, 61), "foot_l": (64, 91), "foot_r": (66, 91)},
        props=_CHAIR,
        floor=92,
    ),
    "sitting_front": BasePose(
        {
            "head": (50, 14),
            "neck": (50, 24),
            "shoulder_l": (40, 28),
            "shoulder_r": (60, 28),
            "elbow_l": (38, 44),
            "elbow_r": (62, 44),
            "hand_l": (40, 58),
            "hand_r": (60, 58),
            "hip": (50, 62),
            "hip_l": (44, 64),
            "hip_r": (56, 64),
            "knee_l": (42, 70),
            "knee_r": (58, 70),
            "foot_l": (42, 91),
            "foot_r": (58, 91),
        },
        props=_CHAIR_FRONT,
        floor=92,
    ),
    "supine": BasePose(
        _both(head=(12, 72), neck=(20, 76), shoulder=(22, 76), elbow=(34, 77), hand=(44, 77), hip=(52, 76))
        | {"knee_l": (70, 76), "knee_r": (70, 75), "foot_l": (88, 76), "foot_r": (88, 74)},
        floor=79,
    ),
    "hooklying": BasePose(
        _both(head=(12, 72), neck=(20, 76), shoulder=(22, 76), elbow=(34, 77), hand=(44, 77), hip=(52, 76))
        | {"knee_l": (66, 60), "knee_r": (67, 60), "foot_l": (80, 77), "foot_r": (81, 77)},
        floor=79,
    ),
    "prone": BasePose(
        _both(head=(14, 73), neck=(22, 76), shoulder=(24, 76), elbow=(14, 78), hand=(8, 77), hip=(54, 76))
        | {"knee_l": (72, 76), "knee_r": (72, 77), "foot_l": (90, 74), "foot_r": (90, 75)},
        floor=79,
    ),
    "side_lying": BasePose(
        _both(head=(12, 64), neck=(20, 68), shoulder=(22, 68), hip=(52, 70))
        | {
            "elbow_l": (14, 76),
            "hand_l": (8, 68),
            "elbow_r": (34, 70),
            "hand_r": (40, 76),
            "knee_l": (66, 60),
            "knee_r": (67, 58),
            "foot_l": (80, 74),
            "foot_r": (80, 72),
        },
        floor=78,
    ),
    "quadruped": BasePose(
        _both(head=(76, 52), neck=(68, 58), shoulder=(66, 60), elbow=(67, 72), hand=(68, 84), hip=(36, 60))
        | {"knee_l": (36, 84), "knee_r": (37, 84), "foot_l": (16, 85), "foot_r": (17, 85)},
        floor=86,
    ),
    # kneeling, sitting back on the heels with the trunk folded over the thighs and the arms
    # reaching forward along the floor (child's pose): shins on the floor, the head low in front
    "kneeling_sit": BasePose(
        _both(head=(66, 80), neck=(59, 73), shoulder=(60, 73), elbow=(76, 76), hand=(92, 84), hip=(28, 71))
        | {"knee_l": (50, 85), "knee_r": (51, 85), "foot_l": (24, 85), "foot_r": (25, 85)},
        floor=86,
    ),
    "half_kneeling": BasePose(
        _both(head=(46, 16), neck=(46, 26), shoulder=(46, 30), elbow=(48, 44), hand=(52, 56), hip=(46, 58))
        | {"knee_l": (38, 84), "knee_r": (66, 60), "foot_l": (20, 85), "foot_r": (66, 85)},
        floor=86,
    ),
}


def resolved(figure: Figure) -> tuple[dict[str, Point], tuple[Line, ...], float | None]:
    """The figure's joints, props and floor with its base pose filled in."""
    base = POSES[figure.pose] if figure.pose else BasePose({})
    joints = dict(base.joints) | {str(k): v for k, v in figure.joints.items()}
    props = (*base.props, *figure.props)
    floor = figure.floor if figure.floor is not None else base.floor
    return joints, props, floor


def _fmt(value: float) -> str:
    return f"{value:g}"


def figure_svg(figure: Figure, *, title: str = "", size: int = 160) -> str:
    """The exercise's stick figure as an SVG document string (escaped title, no scripts)."""
    joints, props, floor = resolved(figure)
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="{size}" height="{size}"'
        ' role="img" class="exercise-figure">',
        f"<title>{escape(title or figure.caption or 'Exercise figure')}</title>",
    ]
    if floor is not None:
        parts.append(
            f'<line x1="0" y1="{_fmt(floor)}" x2="100" y2="{_fmt(floor)}"'
            ' class="floor" stroke="#999" stroke-width="1"/>'
        )
    for (x1, y1), (x2, y2) in props:
        parts.append(
            f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" class="prop"'
            ' stroke="#8a8a8a" stroke-width="2" stroke-linecap="round"/>'
        )
    for a, b in SEGMENTS:
        # A front view with hip joints draws the thigh from the hip joint, not from the pelvis.
        if a == "hip" and b in {"knee_l", "knee_r"} and f"hip_{b[-1]}" in joints:
            continue
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
