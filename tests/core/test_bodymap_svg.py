"""SVG rendering of the body chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taut.core.bodymap import render_view
from taut.core.bodymap.svg import path_d
from taut.core.errors import UnknownZoneError
from taut.core.knowledge import load_base
from taut.core.knowledge.loader import mirror

NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.mark.parametrize("view_id", ["anterior", "posterior", "face"])
def test_every_zone_of_the_view_is_a_clickable_path(view_id: str) -> None:
    base = load_base()
    root = ET.fromstring(render_view(base, view_id))  # noqa: S314 - our own SVG output
    zones = [p.get("data-zone") for p in root.findall(".//svg:g[@class='zones']/svg:path", NS)]
    expected = [s.zone for s in base.views[view_id].shapes]
    assert zones == expected
    assert len(set(zones)) == len(zones)
    for path in root.findall(".//svg:g[@class='zones']/svg:path", NS):
        assert path.get("tabindex") == "0"
        assert "zone" in (path.get("class") or "").split()


def test_highlight_and_selected_classes() -> None:
    svg = render_view(load_base(), "face", {"temple_l": "essential", "cheek_r": "spillover"}, selected=["ear_l"])
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG output
    classes = {p.get("data-zone"): (p.get("class") or "").split() for p in root.iter(f"{{{NS['svg']}}}path")}
    assert "essential" in classes["temple_l"]
    assert "spillover" in classes["cheek_r"]
    assert "selected" in classes["ear_l"]
    assert "essential" not in classes["temple_r"]


def test_unknown_zone_or_class_is_refused() -> None:
    base = load_base()
    with pytest.raises(UnknownZoneError):
        render_view(base, "face", {"tempel_l": "essential"})
    with pytest.raises(ValueError, match="highlight class"):
        render_view(base, "face", {"temple_l": 'x" onclick="alert(1)'})
    with pytest.raises(KeyError):
        render_view(base, "sideways")


def test_svg_carries_the_knowledge_base_version() -> None:
    base = load_base()
    assert f'data-kb-version="{base.version}"' in render_view(base, "posterior")


def test_left_and_right_shapes_mirror_in_each_view() -> None:
    base = load_base()
    for view in base.views.values():
        shapes = {s.zone: s.points for s in view.shapes}
        for zone_id, points in shapes.items():
            if zone_id.endswith("_l"):
                twin = shapes[zone_id[:-2] + "_r"]
                assert sorted(mirror(points, view.mirror_x)) == sorted(twin)


coords = st.floats(min_value=0, max_value=500, allow_nan=False, allow_infinity=False)
polygons = st.lists(st.tuples(coords, coords), min_size=3, max_size=8)


@given(polygons, st.floats(min_value=1, max_value=400, allow_nan=False))
def test_mirroring_twice_is_identity(points: list[tuple[float, float]], axis: float) -> None:
    twice = mirror(mirror(points, axis), axis)
    assert all(abs(a - c) < 1e-6 and abs(b - d) < 1e-6 for (a, b), (c, d) in zip(twice, points, strict=True))


@given(polygons)
def test_path_d_lists_every_point(points: list[tuple[float, float]]) -> None:
    d = path_d(points)
    assert d.startswith("M")
    assert d.endswith("Z")
    assert len(re.findall(r"[ML]", d)) == len(points)
