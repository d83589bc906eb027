"""The prior of each muscle: how often the cited evidence of the knowledge base finds it involved
in the conditions of a body region.

The table is compiled from ``conditions.yaml``, so every figure traces to a source there:

* a study figure (``muscle_evidence`` with a prevalence: the share of patients with active
  trigger points in the muscle) counts as that share;
* a study that found the muscle involved without giving a figure counts as ``W_STUDY``;
* a muscle the condition's textbook sources list (``muscles``) counts as ``W_LISTED``;
* a muscle the condition does not name counts as 0.

A region's rate for a muscle is the mean over the conditions whose zones lie in that region
(each condition weighs the same: the base gives no figure for how common each condition is).
A chart's rate is the mean of its marks' region rates, weighted as the marks are. The prior
that multiplies a candidate's odds is ``PRIOR_FLOOR + rate``: a muscle no source names keeps
a floor, so a chart that fits it well still finds it. When the chart names a condition, that
condition's own figure replaces the regional rate; when it names an onset (mechanism), only
conditions with that onset count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from taut.core.knowledge.schema import KnowledgeBase, Mechanism, Region
from taut.core.reasoning.chart import PainChart

W_STUDY = 0.5  # a study found the muscle involved but gave no figure (set by hand)
W_LISTED = 0.25  # the condition's textbook sources list the muscle (set by hand)
PRIOR_FLOOR = 0.2  # the prior of a muscle no cited source names for the region (see docs/reasoning.md)


@dataclass(frozen=True, slots=True)
class Involvement:
    """How one condition's sources name one muscle."""

    condition: str
    weight: float  # the share of patients (a study figure), W_STUDY or W_LISTED
    basis: str  # study figure | study | textbook list
    sources: tuple[str, ...]  # source ids from sources.yaml


@dataclass(frozen=True, slots=True)
class Prior:
    """A candidate's prior: the rate it was derived from and where that rate came from."""

    rate: float  # 0..1, the cited base rate for this chart
    factor: float  # what multiplies the odds: PRIOR_FLOOR + rate
    basis: str  # in words: over which conditions or which named condition
    conditions: tuple[str, ...]  # the conditions whose sources name the muscle
    sources: tuple[str, ...]  # their source ids

    def describe(self) -> str:
        if not self.conditions:
            return f"prior {self.factor:.2f} (no cited source names it for {self.basis}; floor)"
        return (
            f"prior {self.factor:.2f} (base rate {self.rate:.2f} over {self.basis}; sources {', '.join(self.sources)})"
        )


def involvement(base: KnowledgeBase, condition_id: str) -> dict[str, Involvement]:
    """Muscle -> how the condition's sources name it (a study figure beats a study beats a list)."""
    condition = base.conditions[condition_id]
    # the `muscles` lists come from the condition's books, else its papers (instruments are cited there too)
    cited = [base.sources[ref.source] for ref in condition.sources]
    books = tuple(s.id for s in cited if s.kind == "book")
    listed_sources = books or tuple(s.id for s in cited if s.kind == "paper")
    out: dict[str, Involvement] = {
        m: Involvement(condition.id, W_LISTED, "textbook list", listed_sources) for m in condition.muscles
    }
    for evidence in condition.muscle_evidence:
        weight = W_STUDY if evidence.prevalence is None else evidence.prevalence
        basis = "study" if evidence.prevalence is None else "study figure"
        previous = out.get(evidence.muscle)
        if previous is None or previous.basis == "textbook list" or weight > previous.weight:
            out[evidence.muscle] = Involvement(condition.id, weight, basis, (evidence.source.source,))
    return out


@dataclass(frozen=True, slots=True)
class PriorTable:
    """Per region: the conditions that touch it and each muscle's involvement in them."""

    regions: Mapping[Region, tuple[str, ...]]
    by_condition: Mapping[str, Mapping[str, Involvement]]
    # region -> muscle -> (mean weight over the region's conditions, conditions naming it, their sources)
    rates: Mapping[Region, Mapping[str, tuple[float, tuple[str, ...], tuple[str, ...]]]]


@lru_cache(maxsize=4)
def table(base: KnowledgeBase) -> PriorTable:
    regions: dict[Region, list[str]] = {}
    for condition in base.conditions.values():
        for region in sorted({base.zone_specs[z].region for z in condition.zones if z in base.zone_specs}):
            regions.setdefault(region, []).append(condition.id)
    by_condition = {c: involvement(base, c) for c in base.conditions}
    return PriorTable(
        regions={r: tuple(ids) for r, ids in regions.items()},
        by_condition=by_condition,
        rates={r: _rates(by_condition, ids) for r, ids in regions.items()},
    )


def _rates(
    by_condition: Mapping[str, Mapping[str, Involvement]], ids: tuple[str, ...] | list[str]
) -> dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]]:
    """Muscle -> (mean weight over the conditions ``ids``, the conditions naming it, their sources)."""
    out: dict[str, tuple[float, list[str], list[str]]] = {}
    for condition in ids:
        for muscle, found in by_condition[condition].items():
            total, named, sources = out.setdefault(muscle, (0.0, [], []))
            named.append(condition)
            sources.extend(s for s in found.sources if s not in sources)
            out[muscle] = (total + found.weight, named, sources)
    return {m: (total / len(ids), tuple(named), tuple(src)) for m, (total, named, src) in out.items()}


def _region_label(regions: list[Region]) -> str:
    names = [r.value.replace("_", " ") for r in regions]
    return ("the " + " and ".join(names) if len(names) < 3 else "the " + ", ".join(names)) + " conditions"


@dataclass(frozen=True, slots=True)
class ChartPriors:
    """What the chart makes of the table: the region weights, and the conditions in play."""

    weights: Mapping[Region, float]  # share of the chart's weighted pain in each region
    conditions: Mapping[Region, tuple[str, ...]]
    rates: Mapping[Region, Mapping[str, tuple[float, tuple[str, ...], tuple[str, ...]]]]
    label: str
    named: str | None  # the chart's condition, when it names one


def for_chart(base: KnowledgeBase, chart: PainChart) -> ChartPriors:
    t = table(base)
    total = sum(chart.weight(m) for m in chart.marks) or 1.0
    weights: dict[Region, float] = {}
    for mark in chart.marks:
        region = base.zone_specs[base.zones[mark.zone].base_id].region
        weights[region] = weights.get(region, 0.0) + chart.weight(mark) / total
    conditions: dict[Region, tuple[str, ...]] = {}
    rates: dict[Region, Mapping[str, tuple[float, tuple[str, ...], tuple[str, ...]]]] = {}
    for region in weights:
        ids = t.regions.get(region, ())
        if chart.mechanism is not None:
            onset: Mechanism = chart.mechanism
            narrowed = tuple(c for c in ids if onset in base.conditions[c].mechanisms)
            if narrowed and narrowed != ids:
                ids = narrowed
                rates[region] = _rates(t.by_condition, ids)
        conditions[region] = ids
        if region not in rates and ids:
            rates[region] = t.rates[region]
    label = _region_label(sorted(weights, key=lambda r: (-weights[r], r.value)))
    if chart.mechanism is not None:
        label += f" with the onset {chart.mechanism.value.replace('_', ' ')}"
    return ChartPriors(weights, conditions, rates, label, chart.condition)


def prior(base: KnowledgeBase, chart_priors: ChartPriors, muscle_id: str) -> Prior:
    """The muscle's prior for this chart (see the module's notes)."""
    t = table(base)
    if chart_priors.named is not None:
        found = t.by_condition[chart_priors.named].get(muscle_id)
        name = base.conditions[chart_priors.named].name
        if found is None:
            return Prior(0.0, PRIOR_FLOOR, name, (), ())
        return Prior(
            found.weight, PRIOR_FLOOR + found.weight, f"{name} ({found.basis})", (found.condition,), found.sources
        )
    if len(chart_priors.weights) == 1:  # one region: its rate as it is
        (region,) = chart_priors.weights
        one = chart_priors.rates.get(region, {}).get(muscle_id)
        if one is None:
            return Prior(0.0, PRIOR_FLOOR, chart_priors.label, (), ())
        return Prior(one[0], PRIOR_FLOOR + one[0], chart_priors.label, one[1], one[2])
    rate = 0.0
    named: list[str] = []
    sources: list[str] = []
    for region, weight in chart_priors.weights.items():
        found_rate = chart_priors.rates.get(region, {}).get(muscle_id)
        if found_rate is None:
            continue
        mean, conditions, cited = found_rate
        rate += weight * mean
        named.extend(c for c in conditions if c not in named)
        sources.extend(s for s in cited if s not in sources)
    return Prior(rate, PRIOR_FLOOR + rate, chart_priors.label, tuple(named), tuple(sources))
