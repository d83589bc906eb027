"""A PNG of a gait report: joint-angle curves per cycle against the normal band, and the events.

It draws from the report's JSON form (``GaitReport.to_dict()``), so a stored report is drawn as
it was measured, with the normal band of the knowledge base it was measured against.
Matplotlib's object API with the Agg canvas: no window, no global pyplot state.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

COLOURS = {"left": "#1f6fb4", "right": "#d0582a"}
TITLES = {"knee_flexion_sagittal": "Knee flexion", "hip_flexion_sagittal": "Hip flexion (thigh vs trunk)"}


def plot(report: Mapping[str, Any], out: Path | BinaryIO) -> None:
    """Draw the report's curves (mean ± 1 sd per side) over the normal band, and an event timeline."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    curves: list[Mapping[str, Any]] = list(report.get("curves") or [])
    curve_ids = [cid for cid in TITLES if any(c["id"] == cid for c in curves)]
    rows = max(1, len(curve_ids)) + 1
    fig = Figure(figsize=(8, 2.6 * rows), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    pct = list(range(101))
    for ax, cid in zip(axes, curve_ids, strict=False):
        mine = [c for c in curves if c["id"] == cid]
        band = mine[0].get("normal") or () if mine else ()
        if band:
            xs = [float(p[0]) for p in band]
            lo = [float(p[1]) - float(p[2]) for p in band]
            hi = [float(p[1]) + float(p[2]) for p in band]
            ax.fill_between(xs, lo, hi, color="#bbbbbb", alpha=0.6, label="normal ± 1 sd")
        for c in mine:
            mean = [float("nan") if m is None else m for m in c["mean"]]
            sd = [0.0 if v is None else v for v in c["sd"]]
            lo = [m - v for m, v in zip(mean, sd, strict=True)]
            hi = [m + v for m, v in zip(mean, sd, strict=True)]
            ax.fill_between(pct, lo, hi, color=COLOURS[c["side"]], alpha=0.2)
            ax.plot(pct, mean, color=COLOURS[c["side"]], label=f"{c['side']} ({c['cycles']} cycles)")
        ax.set_title(TITLES[cid])
        ax.set_xlabel("% of gait cycle")
        ax.set_ylabel("degrees")
        ax.set_xlim(0, 100)
        ax.legend(loc="upper left", fontsize=8)
    if not curve_ids:
        axes[0].text(0.5, 0.5, "No joint-angle curves (they need a side view and 2 cycles per foot)",
                     ha="center", va="center", transform=axes[0].transAxes)  # fmt: skip
        axes[0].set_axis_off()
    timeline = axes[-1]
    for row, side in enumerate(("left", "right")):
        y = 1 - row
        for e in report.get("events") or []:
            if e["side"] != side:
                continue
            marker = "v" if e["kind"] == "heel_strike" else "^"
            timeline.plot([e["time"]], [y], marker=marker, color=COLOURS[side], markersize=8, linestyle="none")
        for cy in report.get("cycles") or []:
            if cy["side"] == side and cy.get("toe_off") is not None:
                timeline.plot([cy["start"], cy["toe_off"]], [y, y], color=COLOURS[side], linewidth=4, alpha=0.5)
    timeline.set_yticks([0, 1], labels=["right", "left"])
    timeline.set_ylim(-0.7, 1.7)
    timeline.set_xlabel("time (s); ▼ heel strike, ▲ toe off, bar = stance")
    direction = str(report.get("direction") or "direction unclear").replace("_", " ")
    timeline.set_title(f"Events ({report.get('view')} view, {direction})")
    fig.tight_layout()
    fig.savefig(out, format="png")
