"""Small line charts of one progress series, as PNG or SVG bytes.

The shaded band around the first value is the series' threshold (the smallest important change,
or the measurement's error): a later point inside it is no change that matters. A dashed line
marks the norm of a range of motion; a grey band the normal range of a posture or gait measure.
Matplotlib's object API with the Agg canvas: no window, no pyplot state, no fonts fetched (the
DejaVu fonts ship with matplotlib).
"""

from __future__ import annotations

import io
import math
from typing import Literal

from taut.core.measures.progress import ProgressError, Series, check

WIDTH, HEIGHT, DPI = 640, 240, 100
LINE = "#1f6fb4"
BAND = "#f2c14e"
NORMAL = "#bbbbbb"


def plot_png(series: Series, *, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The series as a PNG of ``width`` x ``height`` pixels."""
    return _draw(series, width, height, "png")


def plot_svg(series: Series, *, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The series as an SVG document (UTF-8 bytes) of ``width`` x ``height`` pixels at 100 dpi."""
    return _draw(series, width, height, "svg")


def _draw(series: Series, width: int, height: int, fmt: Literal["png", "svg"]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not (120 <= width <= 4000 and 80 <= height <= 4000):
        raise ProgressError(series.name, "the chart size is out of range", "use 120 to 4000 by 80 to 4000 pixels")
    points = check(series)
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    xs = [float(p.when.toordinal()) for p in points]
    ys = [p.value for p in points]
    first = points[0]
    if series.normal_range is not None:
        ax.axhspan(series.normal_range[0], series.normal_range[1], color=NORMAL, alpha=0.35, label="normal range")
    if series.norm is not None:
        ax.axhline(series.norm, color="#555555", linestyle="--", linewidth=1, label="norm")
    if series.threshold is not None:
        label = "measurement error" if series.threshold_kind == "error" else "smallest important change"
        ax.axhspan(
            first.value - series.threshold,
            first.value + series.threshold,
            color=BAND,
            alpha=0.35,
            label=f"{label} (±{series.threshold:g}) around the first",
        )
    ax.plot(xs, ys, color=LINE, marker="o", markersize=5, linewidth=1.8)
    if len({p.when for p in points}) == 1:
        ax.set_xlim(xs[0] - 7, xs[0] + 7)
    ax.set_title(series.name, fontsize=10, loc="left")
    ax.set_ylabel(series.unit, fontsize=8)
    ax.tick_params(labelsize=7)
    days = sorted({p.when for p in points})
    step = max(1, math.ceil(len(days) / 6))
    shown = days[::step] if days[-1] in days[::step] else [*days[::step], days[-1]]
    ax.set_xticks([float(d.toordinal()) for d in shown], labels=[d.isoformat() for d in shown])
    ax.grid(True, axis="y", alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=7, framealpha=0.8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else None)
    return out.getvalue()
