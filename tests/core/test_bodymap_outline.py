"""The body outline behind the chart's zones, its side labels and the enlarged hands."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from taut.core.bodymap.outline import OUTLINES, outline_polygons, smooth_closed
from taut.core.bodymap.svg import HAND_SCALE, render_hands, render_view, viewer_left_side
from taut.core.knowledge import load_base
from taut.core.knowledge.schema import Point

NS = {"svg": "http://www.w3.org/2000/svg"}
SIDE_WORDS = {
    "anterior": ["Right", "Left"],
    "posterior": ["Left", "Right"],
    "face": ["Right", "Left"],
    "lateral": ["Right side", "Left side"],
}


def _inside(point: Point, polygon: list[Point]) -> bool:
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


@pytest.mark.parametrize("view_id", sorted(OUTLINES))
def test_every_zone_centre_lies_inside_the_body_outline(view_id: str) -> None:
    """The zones are clipped to the outline, so each zone's centre must be inside it to stay clickable."""
    base = load_base()
    view = base.views[view_id]
    polygons = outline_polygons(view_id, view.mirror_x)
    outside = []
    for shape in view.shapes:
        xs, ys = [p[0] for p in shape.points], [p[1] for p in shape.points]
        centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
        if not any(_inside(centre, poly) for poly in polygons):
            outside.append(shape.zone)
    assert not outside, f"zones of the {view_id} view outside its outline: {outside}"


@pytest.mark.parametrize("view_id", sorted(SIDE_WORDS))
def test_each_view_draws_an_outline_clips_its_zones_and_labels_the_sides(view_id: str) -> None:
    base = load_base()
    root = ET.fromstring(render_view(base, view_id))  # noqa: S314 - our own SVG output
    edges = root.findall(".//svg:g[@class='silhouette body-outline']/svg:path[@class='edge']", NS)
    assert len(edges) >= 3, f"the {view_id} view has {len(edges)} outline parts"
    zones = root.find(".//svg:g[@class='zones']", NS)
    assert zones is not None
    clip = zones.get("clip-path") or ""
    assert clip == f"url(#{view_id}-body)"
    assert root.find(f".//svg:clipPath[@id='{view_id}-body']", NS) is not None
    words = [t.text for t in root.findall(".//svg:g[@class='side-labels']/svg:text", NS)]
    assert words == SIDE_WORDS[view_id]


def test_the_viewers_left_is_the_clients_right_from_the_front_and_left_from_the_back() -> None:
    base = load_base()
    assert viewer_left_side(base, base.views["anterior"]) == "right"
    assert viewer_left_side(base, base.views["posterior"]) == "left"
    assert viewer_left_side(base, base.views["lateral"]) == "right"


def test_smooth_closed_is_a_closed_curve_through_every_point() -> None:
    points = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    d = smooth_closed(points)
    assert d.startswith("M0 0 C")
    assert d.endswith(" Z")
    assert d.count("C") == len(points)
    for x, y in points[1:]:
        assert f" {x:g} {y:g}" in d
    with pytest.raises(ValueError, match="three points"):
        smooth_closed(points[:2])


@pytest.mark.parametrize(("view_id", "suffix"), [("anterior", "palmar"), ("posterior", "dorsal")])
def test_enlarged_hands_hold_every_finger_of_both_hands_at_a_24_px_target(view_id: str, suffix: str) -> None:
    """Drawn at HAND_SCALE px a unit, each finger zone of the enlarged hands is at least 24 x 24 px."""
    base = load_base()
    svg = render_hands(base, view_id, {f"index_{suffix}_r": "pain"})
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG output
    paths = root.findall(".//svg:g[@class='zones hand-zones']/svg:path", NS)
    fingers = {
        p.get("data-zone"): p for p in paths if re.match(r"(thumb|index|middle|ring|little)_", p.get("data-zone") or "")
    }
    assert set(fingers) == {f"{f}_{suffix}_{s}" for f in ("thumb", "index", "middle", "ring", "little") for s in "lr"}
    for zone, path in fingers.items():
        nums = [float(n) for n in re.findall(r"-?[\d.]+", path.get("d") or "")]
        xs, ys = nums[0::2], nums[1::2]
        assert (max(xs) - min(xs)) * HAND_SCALE >= 24, zone
        assert (max(ys) - min(ys)) * HAND_SCALE >= 24, zone
        assert path.get("id") == f"{view_id}-hand-{zone}"
    assert "pain" in (fingers[f"index_{suffix}_r"].get("class") or "").split()
    words = [t.text for t in root.findall(".//svg:g[@class='side-labels']/svg:text", NS)]
    assert words == (["Right hand", "Left hand"] if view_id == "anterior" else ["Left hand", "Right hand"])


def test_views_without_hands_have_no_enlarged_hands() -> None:
    assert render_hands(load_base(), "face") == ""
