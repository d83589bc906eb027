"""One call that reasons about a pain chart: red flags first, then ranked trigger points,
a small set that explains the whole chart with a palpation order, and the neural differential."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from taut.core.knowledge.schema import KnowledgeBase
from taut.core.reasoning import findings, redflags
from taut.core.reasoning.chart import PainChart
from taut.core.reasoning.findings import SpecialResult
from taut.core.reasoning.neural import NeuralFinding, differential
from taut.core.reasoning.ranking import Candidate, Row, explain_set, flatten, group_rows, palpation_order, rank
from taut.core.reasoning.redflags import RedFlagHit


@dataclass(frozen=True)
class Analysis:
    """Read it top down: red flags (stop and refer) come before everything else."""

    kb_version: str
    stop: bool
    red_flags: tuple[RedFlagHit, ...]
    ask_about: tuple[str, ...]
    neural: tuple[NeuralFinding, ...]
    chart: PainChart
    candidates: tuple[Candidate, ...]
    explaining: tuple[Candidate, ...]
    coverage: float
    unexplained: tuple[str, ...]
    palpation_order: tuple[str, ...]
    tests: tuple[SpecialResult, ...] = ()  # the special-test results weighed into the neural differential
    rows: tuple[Row, ...] = ()  # the candidates as shown: one row per muscle, or per group of near-identical ones

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record, with the inputs, so the result can be recomputed when the base improves."""
        data = asdict(self)
        data["chart"]["qualities"] = sorted(self.chart.qualities)
        data["chart"]["aggravating"] = sorted(self.chart.aggravating)
        data["chart"]["easing"] = sorted(self.chart.easing)
        data["chart"]["restricted"] = sorted(self.chart.restricted)
        data["chart"]["symptoms"] = sorted(self.chart.symptoms)
        for candidate, record in zip(self.candidates, data["candidates"], strict=True):
            record["why"] = candidate.why
            record["sides"] = list(candidate.sides)
        for candidate, record in zip(self.explaining, data["explaining"], strict=True):
            record["sides"] = list(candidate.sides)
        data["rows"] = [
            {
                "key": row.key,
                "name": row.name,
                "group": row.group,
                "probability": row.probability,
                "sides": list(row.sides),
                "members": [c.muscle for c in row.members],
            }
            for row in self.rows
        ]
        return data


NEURAL_LIMIT = 6


def analyse(
    base: KnowledgeBase,
    chart: PainChart,
    limit: int = 15,
    tests: Iterable[SpecialResult | Mapping[str, Any]] = (),
) -> Analysis:
    """Raises ChartError for a red flag, or a special test, the knowledge base does not know.

    ``tests`` are special-test results ({"test", "side", "result"}); each one aimed at a neural
    finding raises (positive) or lowers (negative) its score by a likelihood ratio.
    """
    flags = redflags.screen(base, chart.red_flags)
    results = findings.read_results(base, tests)
    weighed = findings.weigh(base, differential(base, chart, limit=None), results)
    # the best few, and every finding a test spoke about (a negative test must not hide its finding)
    neural = weighed[:NEURAL_LIMIT] + tuple(f for f in weighed[NEURAL_LIMIT:] if f.evidence)
    rows = tuple(group_rows(base, rank(base, chart))[:limit])
    shown = flatten(rows)
    cover = explain_set(base, chart, shown, rows=rows)
    order = palpation_order(base, cover.members)
    return Analysis(
        kb_version=base.version,
        stop=bool(flags),
        red_flags=flags,
        ask_about=redflags.to_ask(base, tuple(m.zone for m in chart.marks), flags),
        neural=neural,
        chart=chart,
        candidates=tuple(shown),
        explaining=tuple(order),
        coverage=cover.coverage,
        unexplained=cover.unexplained,
        palpation_order=tuple(f"{c.muscle}:{c.side}" for c in order),
        tests=results,
        rows=rows,
    )
