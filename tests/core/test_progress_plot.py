"""The progress chart: real PNG (and SVG) bytes of the asked size, one point works, no points is an error."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from taut.core.measures.progress import Point, ProgressError, Series
from taut.core.measures.progress_plot import plot_png, plot_svg


def ndi(*values: float) -> Series:
    points = tuple(Point(dt.date(2026, 1, 5) + dt.timedelta(days=14 * i), v) for i, v in enumerate(values))
    return Series("outcome:ndi", "Neck Disability Index", "outcome", "points", points, "lower_better",
                  threshold=5, threshold_kind="mcid")  # fmt: skip


@pytest.mark.parametrize(("width", "height"), [(640, 240), (400, 200)])
def test_png_decodes_at_the_asked_size(width: int, height: int) -> None:
    """The bytes are a PNG Pillow can read, of the width and height asked for."""
    png = plot_png(ndi(30, 22, 14), width=width, height=height)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert (image.format, image.size) == ("PNG", (width, height))


def test_band_is_drawn_around_the_first_value() -> None:
    """The smallest-important-change band shows: the chart has the band's colour, a chart without it has not."""

    def band_pixels(series: Series) -> int:
        image = Image.open(io.BytesIO(plot_png(series))).convert("RGB")
        colours = image.getcolors(maxcolors=1 << 20) or []
        return sum(n for n, (r, g, b) in colours if abs(r - 250) < 8 and abs(g - 233) < 10 and abs(b - 193) < 14)

    with_band = ndi(30, 22)
    without = Series(with_band.id, with_band.name, with_band.kind, with_band.unit, with_band.points, "lower_better")
    assert band_pixels(with_band) > 1000
    assert band_pixels(without) == 0


def test_one_point_works() -> None:
    """A measure recorded once is still drawn."""
    image = Image.open(io.BytesIO(plot_png(ndi(24))))
    assert image.size == (640, 240)


def test_svg_is_a_document() -> None:
    """The SVG form parses as XML with an svg root and names the measure."""
    svg = plot_svg(ndi(30, 20))
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag.endswith("svg")
    assert (root.get("width"), root.get("height")) == ("460.8pt", "172.8pt")  # 640 x 240 px at 100 dpi
    assert svg.count(b"<path") > 5


def test_empty_series_is_a_clear_error() -> None:
    """No points: an error that names the measure and says what to do."""
    with pytest.raises(ProgressError, match=r"Neck Disability Index: the series has no measurements"):
        plot_png(ndi())


def test_bad_size_is_a_clear_error() -> None:
    """A chart size out of range is refused with the range."""
    with pytest.raises(ProgressError, match="120 to 4000"):
        plot_png(ndi(3, 4), width=10)
