"""Accuracy of the gait analysis on synthetic walks with known truth.

`python -m evaluation.gait` prints the table; `--json` prints the numbers. Each case is a walk
from ``evaluation.gait_walker`` (truth events are the walker's own contact instants); the analysis
sees only the noisy keypoints. Truth events within 0.25 s of either end of the analysed stretch
are left out (no method can see a peak at the edge of a clip).

Measures: share of truth events with a detected event of the same foot and kind within 2 frames;
per step and per stride, the absolute error of step time and stride time; per cycle, the error
of stance % and of peak knee flexion in swing; per clip, the cadence error.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evaluation.gait_walker import Truth, walk
from taut.core.errors import MeasurementError
from taut.core.measures.gait import GaitReport, analyse

EDGE_S = 0.25


@dataclass
class Tally:
    events: int = 0
    within_1: int = 0
    within_2: int = 0
    extra: int = 0
    event_err_frames: list[float] = field(default_factory=list)
    step_err: list[float] = field(default_factory=list)
    stride_err: list[float] = field(default_factory=list)
    stance_err: list[float] = field(default_factory=list)
    knee_err: list[float] = field(default_factory=list)
    cadence_err: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    cases: int = 0

    def summary(self) -> dict[str, Any]:
        def stats(xs: Sequence[float], digits: int) -> dict[str, float | None]:
            if not xs:
                return {"mean": None, "max": None, "n": 0}
            a = np.abs(np.array(xs))
            return {"mean": round(float(a.mean()), digits), "max": round(float(a.max()), digits), "n": len(xs)}

        return {
            "cases": self.cases,
            "failed_cases": len(self.failures),
            "events": self.events,
            "share_within_1_frame": round(self.within_1 / self.events, 4) if self.events else None,
            "share_within_2_frames": round(self.within_2 / self.events, 4) if self.events else None,
            "extra_events": self.extra,
            "event_error_frames": stats(self.event_err_frames, 2),
            "step_time_error_s": stats(self.step_err, 4),
            "stride_time_error_s": stats(self.stride_err, 4),
            "stance_percent_error": stats(self.stance_err, 2),
            "knee_peak_error_deg": stats(self.knee_err, 2),
            "cadence_error_steps_min": stats(self.cadence_err, 2),
        }


def _detected(report: GaitReport, side: str, kind: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([e.time for e in report.events if e.side == side and e.kind == kind], dtype=float)


def score(report: GaitReport, truth: Truth, tally: Tally) -> None:
    """Add one case's errors to the tally."""
    fps = truth.fps
    lo = report.first_frame / fps + EDGE_S
    hi = report.last_frame / fps - EDGE_S
    matched: dict[tuple[str, str, float], float] = {}
    for side, kind in itertools.product(("left", "right"), ("heel_strike", "toe_off")):
        found = _detected(report, side, kind)
        inside = [t for t in truth.times(side, kind) if lo <= t <= hi]
        used = set()
        for t in inside:
            tally.events += 1
            if len(found) == 0:
                continue
            i = int(np.argmin(np.abs(found - t)))
            err = (found[i] - t) * fps
            if abs(err) <= 0.5 * fps * 0.5:  # the nearest event within a quarter second is its match
                used.add(i)
                matched[(side, kind, t)] = float(found[i])
                tally.event_err_frames.append(float(err))
                tally.within_1 += abs(err) <= 1
                tally.within_2 += abs(err) <= 2
        tally.extra += sum(1 for i, f in enumerate(found) if i not in used and lo <= f <= hi)
    strikes = sorted((e for e in truth.events if e.kind == "heel_strike"), key=lambda e: e.time)
    steps_true: list[float] = []
    for a, b in itertools.pairwise(strikes):
        ka, kb_ = (a.side, a.kind, a.time), (b.side, b.kind, b.time)
        if a.side != b.side and ka in matched and kb_ in matched:
            tally.step_err.append((matched[kb_] - matched[ka]) - (b.time - a.time))
            steps_true.append(b.time - a.time)
    for cy in truth.cycles:
        ks, ke, kt = (
            (cy.side, "heel_strike", cy.start),
            (cy.side, "heel_strike", cy.end),
            (cy.side, "toe_off", cy.toe_off),
        )
        if ks in matched and ke in matched:
            tally.stride_err.append((matched[ke] - matched[ks]) - (cy.end - cy.start))
            if kt in matched:
                det = (matched[kt] - matched[ks]) / (matched[ke] - matched[ks])
                tally.stance_err.append(100 * (det - (cy.toe_off - cy.start) / (cy.end - cy.start)))
        for rc in report.cycles:
            if rc.side == cy.side and abs(rc.start - cy.start) < 0.1 and rc.knee_peak_swing is not None:
                tally.knee_err.append(rc.knee_peak_swing - cy.knee_peak_swing)
    cad = report.metric("cadence")
    if cad is not None and cad.value is not None and steps_true:
        tally.cadence_err.append(cad.value - 60.0 / float(np.mean(steps_true)))


def grid(quick: bool = False) -> Iterable[tuple[str, dict[str, Any]]]:
    """(group, walker arguments) for every case."""
    seeds = (0,) if quick else (0, 1)
    for fps, cadence, noise, direction, seed in itertools.product(
        (30, 60), (90, 110, 130), (0.0, 2.0, 4.0), (1, -1), seeds
    ):
        yield (
            f"sagittal {fps} fps",
            {"fps": fps, "cadence": cadence, "noise_px": noise, "direction": direction, "seed": seed},
        )
    for fps, cadence, direction, seed in itertools.product((30, 60), (90, 110, 130), (1, -1), seeds):
        yield f"frontal {fps} fps", {
            "fps": fps, "cadence": cadence, "noise_px": 2.0, "direction": direction, "seed": seed, "view": "frontal",
        }  # fmt: skip


def run(quick: bool = False) -> dict[str, dict[str, Any]]:
    tallies: dict[str, Tally] = {}
    for group, kwargs in grid(quick):
        tally = tallies.setdefault(group, Tally())
        tally.cases += 1
        series, truth = walk(**kwargs)
        try:
            report = analyse(series, kwargs.get("view", "sagittal"))
        except MeasurementError as exc:
            tally.failures.append(f"{kwargs}: {exc}")
            continue
        score(report, truth, tally)
    return {group: t.summary() for group, t in tallies.items()}


def table(results: dict[str, dict[str, Any]]) -> str:
    def fmt(d: dict[str, Any], unit: str = "") -> str:
        return "–" if d["mean"] is None else f"{d['mean']}{unit} / {d['max']}{unit}"

    lines = [
        "| Case group | Clips | Events | Within 1 frame | Within 2 frames | Extra events "
        "| Step time error (mean / max) | Stride time error | Stance % error | Knee peak error | Cadence error |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for group, r in results.items():
        lines.append(
            f"| {group} | {r['cases']} | {r['events']} | {r['share_within_1_frame']:.1%} "
            f"| {r['share_within_2_frames']:.1%} "
            f"| {r['extra_events']} | {fmt(r['step_time_error_s'], ' s')} | {fmt(r['stride_time_error_s'], ' s')} "
            f"| {fmt(r['stance_percent_error'])} | {fmt(r['knee_peak_error_deg'], '°')} "
            f"| {fmt(r['cadence_error_steps_min'])} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--quick", action="store_true", help="one seed per case instead of two")
    args = parser.parse_args(argv)
    results = run(quick=args.quick)
    sys.stdout.write((json.dumps(results, indent=2) if args.json else table(results)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
