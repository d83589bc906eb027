"""The body outline drawn behind the chart's zones: Taut's own drawing, built here from curves.

Each view's outline is a set of overlapping parts (head, neck, trunk, arms, hands, legs, feet),
each a smooth closed curve through a few points. The parts are drawn twice, first with a wide
stroke and then filled on top, so only the outer edge of their union shows: one contour, with
no seams where the parts overlap. The zones are clipped to the same parts, so the coloured marks
follow the body's curves. Parts are given for the viewer's left half of the view and mirrored
about the view's midline; parts named in ``MIDLINE`` are drawn whole.

The points are placed around the knowledge base's zone rectangles (taut/core/knowledge/data/
geometry.yaml) so that every zone lies inside the outline; they copy no published chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from taut.core.knowledge.schema import Point


@dataclass(frozen=True, slots=True)
class Part:
    """One closed part of the outline; ``layer`` 1 is drawn over layer 0 with its own edge."""

    name: str
    points: tuple[Point, ...]
    mirrored: bool = True
    layer: int = 0
    hand: bool = False


def _fmt(value: float) -> str:
    return f"{round(value, 1):g}"


def smooth_closed(points: Sequence[Point]) -> str:
    """A closed SVG path through ``points`` as cubic curves (a Catmull-Rom spline)."""
    n = len(points)
    if n < 3:
        raise ValueError("A closed curve needs at least three points")
    out = [f"M{_fmt(points[0][0])} {_fmt(points[0][1])}"]
    for i in range(n):
        p0, p1, p2, p3 = points[i - 1], points[i], points[(i + 1) % n], points[(i + 2) % n]
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        out.append(f"C{_fmt(c1[0])} {_fmt(c1[1])} {_fmt(c2[0])} {_fmt(c2[1])} {_fmt(p2[0])} {_fmt(p2[1])}")
    return " ".join(out) + " Z"


def sample_closed(points: Sequence[Point], steps: int = 8) -> list[Point]:
    """Points along the closed curve that ``smooth_closed`` draws (for tests and hit checks)."""
    n = len(points)
    out: list[Point] = []
    for i in range(n):
        p0, p1, p2, p3 = points[i - 1], points[i], points[(i + 1) % n], points[(i + 2) % n]
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        for k in range(steps):
            t = k / steps
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
            out.append((a * p1[0] + b * c1[0] + c * c2[0] + d * p2[0], a * p1[1] + b * c1[1] + c * c2[1] + d * p2[1]))
    return out


def outline_polygons(view_id: str, axis: float) -> list[list[Point]]:
    """The view's outline parts as polygons (both sides), sampled from their curves."""
    out: list[list[Point]] = []
    for part in OUTLINES.get(view_id, ()):
        out.append(sample_closed(part.points))
        if part.mirrored:
            out.append(sample_closed(mirror_points(part.points, axis)))
    return out


def capsule(x0: float, x1: float, y0: float, y1: float) -> tuple[Point, ...]:
    """Points of a finger: straight sides from ``y0`` and a rounded tip at ``y1``."""
    mid, r = (x0 + x1) / 2, (x1 - x0) / 2
    return ((x0, y0 - 2), (x0, y0 + (y1 - y0) * 0.5), (x0 + r * 0.05, y1 - r), (mid, y1), (x1 - r * 0.05, y1 - r),
            (x1, y0 + (y1 - y0) * 0.5), (x1, y0 - 2), (mid, y0 - 3))  # fmt: skip


def mirror_points(points: Sequence[Point], axis: float) -> tuple[Point, ...]:
    return tuple((2 * axis - x, y) for x, y in reversed(points))


def _symmetric(half: Sequence[Point], axis: float) -> tuple[Point, ...]:
    """A midline part from its viewer's-left half, top centre to bottom centre."""
    return (*half, *mirror_points(half, axis)[1:-1])


# A hand seen from the palm or the back (the same outline): palm, thumb and four fingers.
_HAND: tuple[Part, ...] = (
    Part("wrist", ((47, 250), (62, 248), (77, 250), (77.5, 292), (62, 294), (46.5, 292)), hand=True),
    Part(
        "palm",
        ((46.5, 288), (62, 286), (77.5, 288), (77.5, 304), (77, 316), (62, 318), (47, 316), (46.5, 302)),
        hand=True,
    ),
    Part(
        "thumb",
        ((48.5, 292), (43, 295), (39.5, 306), (39.5, 326), (41, 338), (44.5, 343.5), (48.5, 340), (50, 318)),
        hand=True,
    ),
    Part("index", capsule(48.3, 54.6, 314, 351), hand=True),
    Part("middle", capsule(55.4, 61.6, 314, 355), hand=True),
    Part("ring", capsule(62.4, 68.6, 314, 351), hand=True),
    Part("little", capsule(69.4, 76, 314, 345), hand=True),
)

_ARM: Part = Part(
    "arm",
    ((52, 100), (62, 104), (72, 116), (78, 132), (77.5, 170), (77.5, 214), (77.5, 250), (77.5, 282), (62, 284),
     (46.5, 282), (46.5, 250), (47.5, 214), (48.5, 196), (48.5, 150), (48.5, 118)),
)  # fmt: skip

_LEG_FRONT: Part = Part(
    "leg",
    ((79, 256), (100, 258), (119.3, 262), (119.3, 300), (117.5, 340), (116.5, 372), (115, 420), (113, 460),
     (113, 478), (115.5, 500), (115.5, 520), (110, 524), (100, 521), (88, 520), (82, 514), (81, 496), (85.5, 478),
     (85.5, 460), (83.5, 420), (82, 372), (81, 340), (78.5, 300)),
)  # fmt: skip

_LEG_BACK: Part = Part(
    "leg",
    ((78, 250), (100, 262), (119.3, 290), (119.3, 300), (117.5, 340), (115.5, 372), (115, 410), (111, 450),
     (109, 470), (117.5, 476), (118, 492), (115, 508), (115.5, 522), (100, 524), (88, 522), (87.5, 508), (91, 492),
     (91.5, 478), (93, 460), (86, 430), (85.5, 372), (85.5, 340), (83.5, 300), (77.5, 292)),
)  # fmt: skip

_TRUNK_HALF: tuple[Point, ...] = (
    (120, 60), (103, 62), (97.5, 72), (97.5, 86), (90, 90.5), (66, 91), (54, 94), (48.5, 102), (47.5, 114),
    (56, 124), (72, 127), (78, 131), (80.5, 139), (83.5, 152), (83.5, 178), (83.5, 210), (83, 236), (78.5, 252),
    (78, 266), (100, 272), (120, 268),
)  # fmt: skip

_TRUNK_BACK_HALF: tuple[Point, ...] = (
    (120, 58), (101.5, 60), (101.5, 88), (66, 89.5), (54, 93), (48.5, 100), (47.5, 114), (56, 124), (76, 128),
    (83.5, 150), (83.5, 200), (83.5, 236), (78, 250), (77.5, 280), (85.5, 292), (102, 293), (115.5, 292),
    (120, 278),
)  # fmt: skip

_HEAD_FRONT: tuple[Point, ...] = (
    (120, 9), (105, 13), (97, 26), (96, 40), (99, 54), (108, 65), (120, 69), (132, 65), (141, 54), (144, 40),
    (143, 26), (135, 13),
)  # fmt: skip

_HEAD_BACK: tuple[Point, ...] = (
    (120, 7.5), (104, 10), (95, 22), (93, 38), (93.5, 52), (99, 62), (110, 66), (120, 67), (130, 66), (141, 62),
    (146.5, 52), (147, 38), (145, 22), (136, 10),
)  # fmt: skip

_FACE_HALF: tuple[Point, ...] = (
    (120, 15), (86, 20), (58, 35.5), (44, 58), (38.5, 95), (38.5, 130), (40.5, 160), (44, 190), (60, 201),
    (84, 207), (106, 210), (120, 212),
)  # fmt: skip

_SIDE_HEAD: tuple[Point, ...] = (
    (122, 12), (138, 15), (148, 25), (151, 36), (156, 45), (151, 50), (151, 57), (146, 66), (131, 70), (118, 68),
    (106, 66), (99, 60), (97, 44), (101, 26), (109, 16),
)  # fmt: skip


OUTLINES: dict[str, tuple[Part, ...]] = {
    "anterior": (
        Part("head", _HEAD_FRONT, mirrored=False),
        Part("trunk", _symmetric(_TRUNK_HALF, 120), mirrored=False),
        _ARM,
        *_HAND,
        _LEG_FRONT,
    ),
    "posterior": (
        Part("head", _HEAD_BACK, mirrored=False),
        Part("trunk", _symmetric(_TRUNK_BACK_HALF, 120), mirrored=False),
        _ARM,
        *_HAND,
        _LEG_BACK,
    ),
    "face": (
        Part("neck", ((86, 196), (154, 196), (156, 240), (84, 240)), mirrored=False),
        Part("face", _symmetric(_FACE_HALF, 120), mirrored=False),
        Part("ear", ((41, 98), (31, 95), (22.5, 101), (20.5, 122), (25, 142), (35, 148.5), (41.5, 142))),
    ),
    "lateral": (
        Part("neck", ((100, 56), (126, 62), (129, 93), (99, 94))),
        Part("head", _SIDE_HEAD),
        Part(
            "trunk",
            (
                (99, 90),
                (131, 90),
                (141, 99),
                (145.5, 126),
                (145.5, 170),
                (147.5, 205),
                (147.5, 236),
                (139.5, 262),
                (99, 268),
                (92.5, 250),
                (92.5, 220),
                (92.5, 190),
                (93.5, 150),
                (96, 112),
            ),
        ),
        Part(
            "leg",
            (
                (99, 258),
                (137.5, 258),
                (137, 300),
                (133.5, 340),
                (133, 370),
                (129, 400),
                (128.5, 440),
                (127, 470),
                (136, 478.5),
                (150.5, 484),
                (151.5, 497),
                (99.5, 497.5),
                (99, 484),
                (106.5, 470),
                (106, 440),
                (103.5, 400),
                (103.5, 370),
                (103.5, 340),
                (99.5, 300),
            ),
        ),
        Part(
            "arm",
            (
                (104, 96),
                (129, 97),
                (129, 130),
                (127, 200),
                (128, 232),
                (130, 272),
                (133, 292),
                (131, 314),
                (121, 318),
                (113, 300),
                (108, 272),
                (105.5, 214),
                (105.5, 150),
                (103.5, 118),
            ),
            layer=1,
        ),
    ),
}

# Small marks drawn over the zones that help the eye (eyes, mouth, navel); they take no clicks.
DETAILS: dict[str, tuple[str, ...]] = {
    "anterior": ("M118 201 a2 2 0 1 0 4 0 a2 2 0 1 0 -4 0 Z",),
    "face": (
        "M76 99 Q89 91 102 99 Q89 106 76 99 Z",
        "M138 99 Q151 91 164 99 Q151 106 138 99 Z",
        "M100 164 Q120 172 140 164",
        "M116 140 Q120 145 124 140",
    ),
    "lateral": ("M140 38 q4 -2 7 0", "M340 38 q-4 -2 -7 0"),
}


def parts_for(view_id: str, axis: float) -> list[tuple[int, str, bool]]:
    """The view's outline as (layer, path d, is a hand part), both sides, in drawing order."""
    out: list[tuple[int, str, bool]] = []
    for part in OUTLINES.get(view_id, ()):
        out.append((part.layer, smooth_closed(part.points), part.hand))
        if part.mirrored:
            out.append((part.layer, smooth_closed(mirror_points(part.points, axis)), part.hand))
    return out
