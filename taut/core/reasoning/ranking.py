"""Rank the trigger points whose referral patterns explain a pain chart.

The model is a small naive-Bayes one, written out so a practitioner can follow it:

* Each candidate is one muscle on one side. Its referral map says, for every zone, whether
  the zone is in the muscle's essential pattern (nearly always painful when the trigger point
  is active), its spillover pattern (sometimes painful), next to an essential zone (pain
  drawings are imprecise), or outside the pattern.
* Each marked zone multiplies the candidate's likelihood by P(zone painful | level) divided
  by the background rate of that zone being painful, raised to the mark's weight (stronger
  pain counts more). Each essential zone left unmarked multiplies it by a mild penalty, so a
  muscle whose pattern is much wider than the pain ranks below one that fits it.
* Supporting findings multiply by likelihood ratios: associated symptoms, aggravating
  movements and restricted motions that the muscle is known for, and, when the mechanism
  or condition names the muscle, a higher prior.
* The posterior is normalised over all candidates: the probability that each is the best
  single explanation, under this model. Several trigger points are often active together,
  so `explain_set` also finds a small set that covers the whole chart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from taut.core.knowledge import queries
from taut.core.knowledge.schema import KnowledgeBase, Muscle, Side
from taut.core.reasoning.chart import PainChart

# P(a zone is marked | it is in this part of the candidate's pattern)
P_ESSENTIAL = 0.85
P_SPILLOVER = 0.45
P_NEIGHBOUR = 0.12
P_OUTSIDE = 0.02
P_BACKGROUND = 0.08  # the same probability under "some other source"
P_ESSENTIAL_UNMARKED = 0.55  # an essential zone left blank: mild evidence against
LR_SYMPTOM = 2.5
LR_MOTION = 1.8
PRIOR_NAMED = 3.0  # the condition or mechanism names this muscle
EMISSION = {"essential": P_ESSENTIAL, "spillover": P_SPILLOVER, "neighbour": P_NEIGHBOUR}
LEVEL_CREDIT = {"essential": 1.0, "spillover": 0.5, "neighbour": 0.25}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of supporting evidence and how much it moved the score."""

    kind: str  # symptom | aggravating | restricted | condition | mechanism
    value: str
    factor: float


@dataclass(frozen=True, slots=True)
class Candidate:
    muscle: str
    name: str
    side: str  # left | right | both
    probability: float
    log_score: float
    explained: tuple[tuple[str, str], ...]  # (client zone, essential|spillover|neighbour)
    unexplained: tuple[str, ...]
    unmarked_essential: tuple[str, ...]
    findings: tuple[Finding, ...]
    coverage: float  # share of the chart's weighted pain this candidate explains

    @property
    def why(self) -> str:
        return self.describe({})

    def describe(self, labels: Mapping[str, str]) -> str:
        """The explanation in words, with zone names from ``labels`` (ids where a name is missing)."""

        def names(zones: Iterable[str]) -> str:
            return ", ".join(labels.get(z, z) for z in zones)

        parts = [f"explains {len(self.explained)} of {len(self.explained) + len(self.unexplained)} marked zones"]
        essential = [z for z, level in self.explained if level == "essential"]
        spill = [z for z, level in self.explained if level == "spillover"]
        if essential:
            parts.append("essential pattern covers " + names(essential))
        if spill:
            parts.append("spillover reaches " + names(spill))
        if self.unexplained:
            parts.append("leaves " + names(self.unexplained) + " unexplained")
        parts.extend(f"{f.kind} {f.value.replace('_', ' ')} (x{f.factor:g})" for f in self.findings)
        return "; ".join(parts)


def _neighbours(base: KnowledgeBase, zones: Mapping[str, str]) -> set[str]:
    out: set[str] = set()
    for zone, level in zones.items():
        if level == "essential":
            out.update(base.zones[zone].neighbours)
    return out - set(zones)


def levels_for(base: KnowledgeBase, muscle_id: str, side: Side) -> dict[str, str]:
    """Sided zone -> essential | spillover | neighbour for one muscle on one side."""
    levels = dict(queries.referral_map(base, muscle_id, side))
    for zone in _neighbours(base, levels):
        levels[zone] = "neighbour"
    return levels


def _prior(base: KnowledgeBase, chart: PainChart, muscle: Muscle) -> tuple[float, list[Finding]]:
    findings: list[Finding] = []
    named: set[str] = set()
    if chart.condition:
        named.update(base.conditions[chart.condition].muscles)
        if muscle.id in named:
            findings.append(Finding("condition", chart.condition, PRIOR_NAMED))
            return PRIOR_NAMED, findings
    if chart.mechanism:
        for condition in base.conditions.values():
            if chart.mechanism.value in getattr(condition, "mechanisms", ()) and muscle.id in condition.muscles:
                findings.append(Finding("mechanism", f"{chart.mechanism.value} ({condition.id})", PRIOR_NAMED))
                return PRIOR_NAMED, findings
    return 1.0, findings


def _support(chart: PainChart, muscle: Muscle) -> list[Finding]:
    findings = [Finding("symptom", s.value, LR_SYMPTOM) for s in sorted(chart.symptoms & set(muscle.symptoms))]
    provoking = set(muscle.provoking_motions) | set(muscle.restricted_motions)
    findings += [Finding("aggravating", m.value, LR_MOTION) for m in sorted(chart.aggravating & provoking)]
    restricted = chart.restricted & set(muscle.restricted_motions)
    findings += [Finding("restricted", m.value, LR_MOTION) for m in sorted(restricted)]
    return findings


def _score(
    base: KnowledgeBase, chart: PainChart, muscle: Muscle, side: Side, levels: Mapping[str, str]
) -> Candidate | None:
    marked = {m.zone: m for m in chart.marks}
    explained = [(z, levels[z]) for z in marked if z in levels]
    if not any(level != "neighbour" for _, level in explained):
        return None
    log_l = 0.0
    for zone, mark in marked.items():
        p = EMISSION.get(levels.get(zone, ""), P_OUTSIDE)
        log_l += chart.weight(mark) * math.log(p / P_BACKGROUND)
    unmarked = sorted(z for z, level in levels.items() if level == "essential" and z not in marked)
    log_l += len(unmarked) * math.log(P_ESSENTIAL_UNMARKED / (1 - P_BACKGROUND))
    prior, findings = _prior(base, chart, muscle)
    findings += _support(chart, muscle)
    log_l += math.log(prior) + sum(math.log(f.factor) for f in findings if f.kind not in ("condition", "mechanism"))
    total = sum(chart.weight(m) for m in chart.marks)
    covered = sum(chart.weight(marked[z]) * LEVEL_CREDIT[level] for z, level in explained)
    return Candidate(
        muscle=muscle.id,
        name=muscle.name,
        side={Side.LEFT: "left", Side.RIGHT: "right"}.get(side, "both"),
        probability=0.0,
        log_score=log_l,
        explained=tuple(sorted(explained)),
        unexplained=tuple(sorted(z for z in marked if z not in levels)),
        unmarked_essential=tuple(unmarked),
        findings=tuple(findings),
        coverage=covered / total,
    )


@dataclass(frozen=True, slots=True)
class Pattern:
    """One muscle on one side, with its zone levels precomputed."""

    muscle: Muscle
    side: Side
    levels: Mapping[str, str]


@lru_cache(maxsize=4)
def patterns(base: KnowledgeBase) -> tuple[tuple[Pattern, ...], Mapping[str, tuple[int, ...]]]:
    """Every distinct muscle-and-side pattern, and an index: zone -> the patterns that reach it."""
    found: list[Pattern] = []
    for muscle in base.muscles.values():
        seen: set[frozenset[tuple[str, str]]] = set()
        for side in (Side.LEFT, Side.RIGHT):
            levels = levels_for(base, muscle.id, side)
            key = frozenset(levels.items())
            if key not in seen:
                seen.add(key)
                found.append(Pattern(muscle, side, levels))
    index: dict[str, list[int]] = {}
    for i, pattern in enumerate(found):
        for zone, level in pattern.levels.items():
            if level != "neighbour":
                index.setdefault(zone, []).append(i)
    return tuple(found), {zone: tuple(ids) for zone, ids in index.items()}


def rank(base: KnowledgeBase, chart: PainChart, limit: int | None = None) -> list[Candidate]:
    """Every muscle-and-side whose pattern reaches the chart, most probable first (deterministic)."""
    found, index = patterns(base)
    reached = sorted({i for mark in chart.marks for i in index.get(mark.zone, ())})
    candidates = [
        c
        for c in (_score(base, chart, found[i].muscle, found[i].side, found[i].levels) for i in reached)
        if c is not None
    ]
    if not candidates:
        return []
    top = max(c.log_score for c in candidates)
    weights = [math.exp(c.log_score - top) for c in candidates]
    total = sum(weights)
    ranked = [replace(c, probability=w / total) for c, w in zip(candidates, weights, strict=True)]
    ranked.sort(key=lambda c: (-c.log_score, c.muscle, c.side))
    return ranked[:limit] if limit else ranked


@dataclass(frozen=True, slots=True)
class ExplainingSet:
    members: tuple[Candidate, ...]
    coverage: float
    unexplained: tuple[str, ...]


def explain_set(
    base: KnowledgeBase, chart: PainChart, ranked: list[Candidate], max_size: int = 4, target: float = 0.9
) -> ExplainingSet:
    """A few candidates that together explain the chart: greedy weighted cover, best-ranked on ties."""
    weights = {m.zone: chart.weight(m) for m in chart.marks}
    total = sum(weights.values())
    credit: dict[str, float] = dict.fromkeys(weights, 0.0)
    chosen: list[Candidate] = []
    pool = [c for c in ranked if c.probability > 1e-6][:40]
    while len(chosen) < max_size and sum(weights[z] * credit[z] for z in weights) / total < target:
        best, best_gain = None, 1e-9
        for c in pool:
            if any(c.muscle == x.muscle for x in chosen):
                continue
            gain = sum(weights[z] * max(0.0, LEVEL_CREDIT[level] - credit[z]) for z, level in c.explained)
            if gain > best_gain + 1e-9:
                best, best_gain = c, gain
        if best is None:
            break
        chosen.append(best)
        for zone, level in best.explained:
            credit[zone] = max(credit[zone], LEVEL_CREDIT[level])
    coverage = sum(weights[z] * credit[z] for z in weights) / total
    return ExplainingSet(tuple(chosen), coverage, tuple(sorted(z for z, c in credit.items() if c == 0)))


POSITION_ORDER = ("supine", "side", "prone", "seated", "standing")


def palpation_order(base: KnowledgeBase, members: tuple[Candidate, ...]) -> list[Candidate]:
    """Order for palpation: grouped by the client's position (fewer turns), most probable first within a group."""

    def position(c: Candidate) -> int:
        text = base.muscles[c.muscle].palpation.client_position.lower()
        found = [text.find(p) for p in POSITION_ORDER]
        firsts = [(i, idx) for idx, i in enumerate(found) if i >= 0]
        return min(firsts)[1] if firsts else len(POSITION_ORDER)

    return sorted(members, key=lambda c: (position(c), -c.probability, c.muscle))
