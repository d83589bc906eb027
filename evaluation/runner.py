"""Score the pain-pattern reasoning on the evaluation set, beside a plain lookup baseline.

`python -m evaluation.runner` prints the table; `make bench` includes it in docs/benchmarks.md.
Scoring: a case is a top-k hit when one of its expected muscles is among the first k distinct
muscles ranked; the reciprocal rank is 1 / (rank of the first expected muscle), 0 when absent.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from taut.core.knowledge import queries
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import KnowledgeBase, Side
from taut.core.reasoning.chart import PainChart, build_chart
from taut.core.reasoning.ranking import rank

CASES = Path(__file__).with_name("pain_patterns.yaml")
Ranker = Callable[[KnowledgeBase, PainChart], list[str]]


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    chart: PainChart
    expected: frozenset[str]


def _sided(base: KnowledgeBase, zone: str, side: str) -> list[str]:
    if not base.zone_specs[zone].bilateral:
        return [zone]
    return {"left": [f"{zone}_l"], "right": [f"{zone}_r"]}.get(side, [f"{zone}_l", f"{zone}_r"])


def load_cases(base: KnowledgeBase, path: Path = CASES) -> list[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for item in raw["cases"]:
        chart: dict[str, Any] = item["chart"]
        marks = [
            (zone, mark.get("intensity"), mark.get("quality"))
            for mark in chart["pain"]
            for zone in _sided(base, mark["zone"], mark.get("side", "both"))
        ]
        built = build_chart(
            base,
            marks,
            qualities=chart.get("qualities", []),
            mechanism=chart.get("mechanism"),
            aggravating=chart.get("aggravating", []),
            restricted=chart.get("restricted", []),
            symptoms=chart.get("symptoms", []),
        )
        cases.append(Case(item["id"], item["kind"], built, frozenset(item["expected"])))
    return cases


def taut_ranking(base: KnowledgeBase, chart: PainChart) -> list[str]:
    return _distinct(c.muscle for c in rank(base, chart))


def lookup_baseline(base: KnowledgeBase, chart: PainChart) -> list[str]:
    """What a symptom-lookup index does: count the client's zones each muscle's pattern touches."""
    marked = {m.zone for m in chart.marks}
    counts = []
    for muscle in base.muscles.values():
        touched = max(
            len(marked & set(queries.referral_map(base, muscle.id, side))) for side in (Side.LEFT, Side.RIGHT)
        )
        if touched:
            counts.append((-touched, muscle.id))
    return [muscle for _, muscle in sorted(counts)]


def _distinct(muscles: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for m in muscles:
        if m not in seen:
            seen.append(m)
    return seen


@dataclass(frozen=True)
class Score:
    cases: int
    top1: float
    top3: float
    top5: float
    mrr: float


def score(base: KnowledgeBase, cases: list[Case], ranker: Ranker) -> Score:
    hits = {1: 0, 3: 0, 5: 0}
    reciprocal = 0.0
    for case in cases:
        ranked = ranker(base, case.chart)
        first = next((i for i, m in enumerate(ranked, 1) if m in case.expected), None)
        for k in hits:
            hits[k] += first is not None and first <= k
        reciprocal += 1 / first if first else 0.0
    n = len(cases) or 1
    return Score(len(cases), hits[1] / n, hits[3] / n, hits[5] / n, reciprocal / n)


def calibration(base: KnowledgeBase, cases: list[Case]) -> tuple[float, float, float]:
    """(mean probability Taut gives its first muscle, share of cases where that muscle is expected,
    Brier score of that probability). Well calibrated: the first two are close."""
    predicted, hits, brier = 0.0, 0, 0.0
    for case in cases:
        ranked = rank(base, case.chart)
        if not ranked:
            continue
        hit = ranked[0].muscle in case.expected
        predicted += ranked[0].probability
        hits += hit
        brier += (ranked[0].probability - hit) ** 2
    n = len(cases) or 1
    return predicted / n, hits / n, brier / n


def latency_ms(base: KnowledgeBase, cases: list[Case], repeats: int = 20) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        for case in cases:
            started = time.perf_counter()
            rank(base, case.chart)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p99": samples[int(len(samples) * 0.99) - 1],
        "max": samples[-1],
        "n": float(len(samples)),
    }


def report(repeats: int = 20) -> str:
    base = load_base()
    cases = load_cases(base)
    lines = [
        "### Pain-pattern reasoning on the evaluation set",
        "",
        f"Knowledge base {base.version}; {len(cases)} cases from `evaluation/pain_patterns.yaml`.",
        "",
        "| Cases | Ranker | n | Top-1 | Top-3 | Top-5 | MRR |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    groups = {
        "all": cases,
        "clinical studies": [c for c in cases if c.kind == "clinical_study"],
        "referral patterns": [c for c in cases if c.kind == "referral_pattern"],
    }
    for label, group in groups.items():
        for name, ranker in (("Taut", taut_ranking), ("lookup baseline", lookup_baseline)):
            s = score(base, group, ranker)
            lines.append(f"| {label} | {name} | {s.cases} | {s.top1:.2f} | {s.top3:.2f} | {s.top5:.2f} | {s.mrr:.2f} |")
    lat = latency_ms(base, cases, repeats)
    mean_p, accuracy, brier = calibration(base, cases)
    lines += [
        "",
        f"Calibration of the first-ranked muscle: mean probability {mean_p:.2f} against {accuracy:.2f} of "
        f"cases where it was an expected muscle (Brier score {brier:.3f}; closer means better calibrated).",
        "",
        f"Query latency in process over {int(lat['n'])} rankings: p50 {lat['p50']:.2f} ms, "
        f"p99 {lat['p99']:.2f} ms, max {lat['max']:.2f} ms (target p99 < 5 ms).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(repeats=5))
