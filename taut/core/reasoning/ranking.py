"""Rank the trigger points whose referral patterns explain a pain chart.

The model is a small naive-Bayes one, written out so a practitioner can follow it:

* Each candidate is one muscle, with the sides it applies to. For a muscle with sided
  patterns three hypotheses are scored (active on the left, on the right, on both sides, each
  with a third of the muscle's prior) and the muscle's probability is their sum; the row
  shows the sides of the best one. Its referral map says, for every zone, whether the zone is
  in the muscle's essential pattern (nearly always painful when the trigger point is active),
  its spillover pattern (sometimes painful), next to an essential zone (pain drawings are
  imprecise), or outside the pattern.
* Each marked zone multiplies the candidate's likelihood by P(zone painful | level) divided
  by the background rate of that zone being painful, raised to the mark's weight (stronger
  pain counts more). Each essential zone left unmarked multiplies it by a mild penalty, so a
  muscle whose pattern is much wider than the pain ranks below one that fits it.
* The prior is a cited base rate (``priors.py``): how often the knowledge base's sources
  find the muscle involved in the conditions of the chart's regions, or of the condition the
  chart names.
* Supporting findings multiply by likelihood ratios: associated symptoms, aggravating
  movements and restricted motions that the muscle is known for.
* The posterior is normalised over all candidates: the probability that each is the best
  single explanation, under this model. Muscles clinicians name together (``muscle_groups.yaml``)
  share one row when their patterns are near-identical (``group_rows``). Several trigger points
  are often active together, so ``explain_set`` also finds a small set that covers the chart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from taut.core.knowledge import queries
from taut.core.knowledge.schema import KnowledgeBase, Muscle, Side
from taut.core.reasoning import priors
from taut.core.reasoning.chart import PainChart
from taut.core.reasoning.priors import Prior

# P(a zone is marked | it is in this part of the candidate's pattern)
P_ESSENTIAL = 0.85
P_SPILLOVER = 0.45
P_SITE = P_SPILLOVER  # the zone over one of the muscle's own trigger points: local pain, like spillover
P_NEIGHBOUR = 0.12
P_OUTSIDE = 0.04
P_BACKGROUND = 0.08  # the same probability under "some other source"
P_ESSENTIAL_UNMARKED = 0.7  # an essential zone left blank: mild evidence against
LR_SYMPTOM = 2.5
LR_MOTION = 1.8
MIRROR_SHARE = 0.5  # a zone marked on both sides counts half on each
POOLING = 0.25  # a patch of n contiguous marks counts n ** (1 - POOLING) findings (0: independent, 1: one)
TEMPERATURE = 0.5  # the scores are divided by this before normalising (calibration; order unchanged)
GROUP_SIMILARITY = 0.6  # members share a row when their patterns overlap this much (Jaccard)
EMISSION = {"essential": P_ESSENTIAL, "spillover": P_SPILLOVER, "site": P_SITE, "neighbour": P_NEIGHBOUR}
LEVEL_CREDIT = {"essential": 1.0, "spillover": 0.5, "site": 0.5, "neighbour": 0.25}
_LOG = {level: math.log(p / P_BACKGROUND) for level, p in EMISSION.items()}
_LOG_OUTSIDE = math.log(P_OUTSIDE / P_BACKGROUND)
_LOG_UNMARKED = math.log(P_ESSENTIAL_UNMARKED / (1 - P_BACKGROUND))
TIE = 1e-9
CONTENDER = 0.25  # a candidate this probable is always in the explaining set (palpated)


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of supporting evidence and how much it moved the score."""

    kind: str  # symptom | aggravating | restricted
    value: str
    factor: float


def percent(probability: float) -> str:
    """A probability for people: whole percent, "<1%" rather than a misleading 0%."""
    if 0 < probability < 0.005:
        return "<1%"
    return f"{probability:.0%}"


def _names(labels: Mapping[str, str], zones: Iterable[str]) -> str:
    return ", ".join(labels.get(z, z) for z in zones)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One muscle: the sides it applies to, its probability and everything its score used."""

    muscle: str
    name: str
    side: str  # left | right | both | either (the pattern is the same whichever side holds it)
    probability: float
    log_score: float
    explained: tuple[tuple[str, str], ...]  # (marked zone, essential|spillover|site)
    unexplained: tuple[str, ...]  # marked zones outside the pattern and not next to it
    unmarked_essential: tuple[str, ...]
    findings: tuple[Finding, ...]
    coverage: float  # share of the chart's weighted pain this candidate explains
    near: tuple[str, ...] = ()  # marked zones next to an essential zone (weak evidence)
    prior: Prior | None = None
    specificity: int = 0  # how many zones the pattern holds (fewer is more specific)
    tie: str = ""  # why it is placed after a candidate with the same score
    group: str | None = None  # the muscle group it belongs to, if any

    @property
    def sides(self) -> tuple[str, ...]:
        return {"left": ("left",), "right": ("right",)}.get(self.side, ("left", "right"))

    @property
    def marked(self) -> int:
        return len(self.explained) + len(self.near) + len(self.unexplained)

    @property
    def why(self) -> str:
        return self.describe({})

    def describe(self, labels: Mapping[str, str]) -> str:
        """The explanation in words, with zone names from ``labels`` (ids where a name is missing).

        Every number is the one the score used: N of M counts the essential and spillover zones
        named after it, and the prior and factors are the ones multiplied in."""
        essential = [z for z, level in self.explained if level == "essential"]
        spill = [z for z, level in self.explained if level == "spillover"]
        site = [z for z, level in self.explained if level == "site"]
        parts = [f"explains {len(self.explained)} of {self.marked} marked zones"]
        if essential:
            parts.append("essential pattern covers " + _names(labels, essential))
        if spill:
            parts.append("spillover reaches " + _names(labels, spill))
        if site:
            parts.append("its trigger points lie under " + _names(labels, site))
        if self.near:
            parts.append("next to its pattern: " + _names(labels, self.near))
        if self.unexplained:
            parts.append("leaves " + _names(labels, self.unexplained) + " unexplained")
        if self.unmarked_essential:
            parts.append(f"{len(self.unmarked_essential)} essential zones not marked")
        if self.prior is not None:
            parts.append(self.prior.describe())
        parts.extend(f"{f.kind} {f.value.replace('_', ' ')} (x{f.factor:g})" for f in self.findings)
        if self.tie:
            parts.append(self.tie)
        return "; ".join(parts)


def _neighbours(base: KnowledgeBase, zones: Mapping[str, str]) -> set[str]:
    out: set[str] = set()
    for zone, level in zones.items():
        if level == "essential":
            out.update(base.zones[zone].neighbours)
    return out - set(zones)


def _sites(base: KnowledgeBase, muscle_id: str, side: Side) -> set[str]:
    """The sided zones over the muscle's own trigger points, on the side of the hypothesis."""
    out: set[str] = set()
    for tp in base.muscles[muscle_id].trigger_points:
        for zone in tp.zones:
            out.update(queries.sided_zone_ids(base, zone, side))
    return out


def levels_for(base: KnowledgeBase, muscle_id: str, side: Side) -> dict[str, str]:
    """Sided zone -> essential | spillover | site | neighbour for one muscle on one side (MIDLINE: both).

    An active trigger point hurts where it lies as well as where it refers (local pain and spot
    tenderness are part of its definition), so a marked zone over one of the muscle's own trigger
    points counts as ``site``, like spillover, where its referral pattern does not already hold it."""
    levels = dict(queries.referral_map(base, muscle_id, side))
    for zone in _sites(base, muscle_id, side) - set(levels):
        levels[zone] = "site"
    for zone in _neighbours(base, levels):
        levels[zone] = "neighbour"
    return levels


@dataclass(frozen=True, slots=True)
class Pattern:
    """One muscle on one side (or both), with its zone levels precomputed."""

    muscle: Muscle
    side: str  # left | right | both | either
    levels: Mapping[str, str]
    essential: float  # how many essential zones, a mirrored pair counting as one
    log_side_prior: float  # the share of the muscle's prior this side hypothesis holds
    shares: Mapping[str, float]  # essential zone -> what it counts (MIRROR_SHARE when its mirror is essential too)
    zones: frozenset[str]  # the essential and spillover zones
    group: str | None  # the muscle's group in muscle_groups.yaml
    logs: Mapping[str, float]  # zone -> log(P(marked | level) / P_BACKGROUND)
    essential_zones: tuple[str, ...]  # sorted


def _pattern(
    base: KnowledgeBase, muscle: Muscle, side: str, levels: Mapping[str, str], log_side_prior: float
) -> Pattern:
    shares = _shares(base, levels)
    zones = frozenset(z for z, level in levels.items() if level != "neighbour")
    logs = {z: _LOG[level] for z, level in levels.items()}
    return Pattern(
        muscle,
        side,
        levels,
        sum(shares.values()),
        log_side_prior,
        shares,
        zones,
        group_of(base).get(muscle.id),
        logs,
        tuple(sorted(shares)),
    )


@lru_cache(maxsize=4)
def patterns(base: KnowledgeBase) -> tuple[tuple[Pattern, ...], Mapping[str, tuple[int, ...]]]:
    """Every muscle's side hypotheses, and an index: zone -> the patterns that reach it."""
    found: list[Pattern] = []
    for muscle in base.muscles.values():
        left = levels_for(base, muscle.id, Side.LEFT)
        right = levels_for(base, muscle.id, Side.RIGHT)
        if left == right:
            found.append(_pattern(base, muscle, "either", left, 0.0))
            continue
        both = levels_for(base, muscle.id, Side.MIDLINE)
        third = math.log(1 / 3)
        for side, levels in (("left", left), ("right", right), ("both", both)):
            found.append(_pattern(base, muscle, side, levels, third))
    index: dict[str, list[int]] = {}
    for i, pattern in enumerate(found):
        for zone, level in pattern.levels.items():
            if level != "neighbour":
                index.setdefault(zone, []).append(i)
    return tuple(found), {zone: tuple(ids) for zone, ids in index.items()}


def _shares(base: KnowledgeBase, levels: Mapping[str, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for zone, level in levels.items():
        if level != "essential":
            continue
        z = base.zones[zone]
        pair = base.sided(z.base_id)
        mirrored = len(pair) == 2 and all(levels.get(p) == "essential" for p in pair)
        out[zone] = MIRROR_SHARE if mirrored else 1.0
    return out


def _support(chart: PainChart, muscle: Muscle) -> list[Finding]:
    if not (chart.symptoms or chart.aggravating or chart.restricted):
        return []
    findings = [Finding("symptom", s.value, LR_SYMPTOM) for s in sorted(chart.symptoms & set(muscle.symptoms))]
    provoking = set(muscle.provoking_motions) | set(muscle.restricted_motions)
    findings += [Finding("aggravating", m.value, LR_MOTION) for m in sorted(chart.aggravating & provoking)]
    restricted = chart.restricted & set(muscle.restricted_motions)
    findings += [Finding("restricted", m.value, LR_MOTION) for m in sorted(restricted)]
    return findings


def patches(base: KnowledgeBase, zones: Iterable[str]) -> list[tuple[str, ...]]:
    """The marked zones as contiguous patches: zones joined when the body map lists them as
    neighbours (either way round), each patch sorted, patches in order of their first zone."""
    marked = sorted(set(zones))
    parent = {z: z for z in marked}

    def root(z: str) -> str:
        while parent[z] != z:
            parent[z] = parent[parent[z]]
            z = parent[z]
        return z

    for z in marked:
        for n in base.zones[z].neighbours:
            if n in parent:
                parent[root(n)] = root(z)
    out: dict[str, list[str]] = {}
    for z in marked:
        out.setdefault(root(z), []).append(z)
    return sorted((tuple(p) for p in out.values()), key=lambda p: p[0])


def evidence_weights(base: KnowledgeBase, chart: PainChart) -> dict[str, float]:
    """How much each mark counts as evidence: its intensity weight, halved when the same zone is
    marked on the other side too (a mirrored drawing is one observation, not two), and pooled
    over its patch of contiguous marks: neighbouring zones of one painful area are one finding
    seen through several zones, not several findings that agree, so each of the n marks of a
    patch counts ``n ** -POOLING`` (the patch as a whole ``n ** (1 - POOLING)`` marks)."""
    marked = {m.zone for m in chart.marks}
    pooled = {z: len(p) ** -POOLING for p in patches(base, marked) for z in p}
    out: dict[str, float] = {}
    for mark in chart.marks:
        zone = base.zones[mark.zone]
        mirrored = zone.side is not Side.MIDLINE and sum(z in marked for z in base.sided(zone.base_id)) == 2
        out[mark.zone] = chart.weight(mark) * (MIRROR_SHARE if mirrored else 1.0) * pooled[mark.zone]
    return out


def _likelihood(weights: tuple[tuple[str, float], ...], pattern: Pattern) -> float:
    """log P(chart | this side hypothesis) / P(chart | some other source)."""
    logs, shares = pattern.logs, pattern.shares
    log_l = 0.0
    unmarked = pattern.essential
    for zone, weight in weights:
        value = logs.get(zone)
        if value is None:
            log_l += weight * _LOG_OUTSIDE
            continue
        log_l += weight * value
        share = shares.get(zone)
        if share is not None:
            unmarked -= share
    return log_l + unmarked * _LOG_UNMARKED


def _candidate(
    marks: tuple[tuple[str, float], ...],
    pattern: Pattern,
    side: str,
    log_score: float,
    probability: float,
    prior: Prior,
    findings: list[Finding],
) -> Candidate:
    levels = pattern.levels
    explained: list[tuple[str, str]] = []
    near: list[str] = []
    unexplained: list[str] = []
    covered = total = 0.0
    for zone, weight in marks:  # sorted by zone
        total += weight
        level = levels.get(zone)
        if level is None:
            unexplained.append(zone)
            continue
        covered += weight * LEVEL_CREDIT[level]
        if level == "neighbour":
            near.append(zone)
        else:
            explained.append((zone, level))
    marked = dict(marks)
    return Candidate(
        muscle=pattern.muscle.id,
        name=pattern.muscle.name,
        side=side,
        probability=probability,
        log_score=log_score,
        explained=tuple(explained),
        unexplained=tuple(unexplained),
        unmarked_essential=tuple(z for z in pattern.essential_zones if z not in marked),
        findings=tuple(findings),
        coverage=covered / total,
        near=tuple(near),
        prior=prior,
        specificity=len(pattern.zones),
        group=pattern.group,
    )


@lru_cache(maxsize=4)
def group_of(base: KnowledgeBase) -> Mapping[str, str]:
    """Muscle id -> the id of its group in muscle_groups.yaml."""
    return {m: g.id for g in base.muscle_groups.values() for m in g.members}


@lru_cache(maxsize=4)
def _contributions(base: KnowledgeBase) -> Mapping[str, tuple[tuple[int, float, float], ...]]:
    """Zone -> (pattern index, log emission minus the outside one, essential share or 0) for
    every pattern whose levels hold the zone: a chart's likelihoods are sums over its marks."""
    found, _ = patterns(base)
    out: dict[str, list[tuple[int, float, float]]] = {}
    for i, pattern in enumerate(found):
        for zone, value in pattern.logs.items():
            out.setdefault(zone, []).append((i, value - _LOG_OUTSIDE, pattern.shares.get(zone, 0.0)))
    return {zone: tuple(items) for zone, items in out.items()}


def _likelihoods(base: KnowledgeBase, weights: tuple[tuple[str, float], ...], reached: list[int]) -> list[float]:
    """``_likelihood`` of every reached pattern at once, summing over the marks' contributions."""
    found, _ = patterns(base)
    contributions = _contributions(base)
    outside = sum(w for _, w in weights) * _LOG_OUTSIDE
    gain: dict[int, float] = {}
    essential: dict[int, float] = {}
    for zone, weight in weights:
        for i, value, share in contributions.get(zone, ()):
            gain[i] = gain.get(i, 0.0) + weight * value
            if share:
                essential[i] = essential.get(i, 0.0) + share
    return [outside + gain.get(i, 0.0) + (found[i].essential - essential.get(i, 0.0)) * _LOG_UNMARKED for i in reached]


def rank(base: KnowledgeBase, chart: PainChart, limit: int | None = None) -> list[Candidate]:
    """Every muscle whose pattern reaches the chart, one per muscle, most probable first (deterministic).

    Exact ties are ordered by the higher prior, then the more specific (smaller) pattern, then
    the muscle id, and the later candidate says so in its ``tie``."""
    found, index = patterns(base)
    reached = sorted({i for mark in chart.marks for i in index.get(mark.zone, ())})
    chart_priors = priors.for_chart(base, chart)
    weights = tuple(evidence_weights(base, chart).items())
    marks = tuple((m.zone, chart.weight(m)) for m in chart.marks)
    by_muscle: dict[str, list[tuple[float, Pattern]]] = {}
    for i, log_l in zip(reached, _likelihoods(base, weights, reached), strict=True):
        pattern = found[i]
        by_muscle.setdefault(pattern.muscle.id, []).append((log_l + pattern.log_side_prior, pattern))
    scored: list[tuple[float, Pattern, str, Prior, list[Finding]]] = []
    for muscle_id, hypotheses in by_muscle.items():
        prior = priors.prior(base, chart_priors, muscle_id)
        findings = _support(chart, base.muscles[muscle_id])
        extra = math.log(prior.factor) + sum(math.log(f.factor) for f in findings)
        best_log, best = max(hypotheses, key=lambda h: (h[0], h[1].side == "both"))
        # the muscle's evidence: the sum over its side hypotheses (log-sum-exp)
        total = best_log + math.log(sum(math.exp(h - best_log) for h, _ in hypotheses))
        side = best.side
        if len(hypotheses) > 1 and side != "both":
            ties = [p.side for h, p in hypotheses if abs(h - best_log) < TIE and p.side in ("left", "right")]
            if len(ties) == 2:
                side = "either"
        scored.append((total + extra, best, side, prior, findings))
    if not scored:
        return []
    top = max(entry[0] for entry in scored)
    odds = [math.exp((entry[0] - top) / TEMPERATURE) for entry in scored]
    norm = sum(odds)
    ranked = [
        _candidate(marks, pattern, side, score, w / norm, prior, findings)
        for (score, pattern, side, prior, findings), w in zip(scored, odds, strict=True)
    ]
    ranked.sort(key=_order)
    ranked = _tie_notes(ranked)
    return ranked[:limit] if limit else ranked


def _order(c: Candidate) -> tuple[float, float, int, str]:
    return (-round(c.log_score, 9), -(c.prior.factor if c.prior else 0.0), c.specificity, c.muscle)


def _tie_notes(ranked: list[Candidate]) -> list[Candidate]:
    out = list(ranked)
    for i in range(1, len(out)):
        above, here = out[i - 1], out[i]
        if abs(above.log_score - here.log_score) >= TIE:
            continue
        pa = above.prior.factor if above.prior else 0.0
        ph = here.prior.factor if here.prior else 0.0
        if pa > ph:
            why = f"higher prior ({pa:.2f} against {ph:.2f})"
        elif above.specificity < here.specificity:
            why = f"more specific pattern ({above.specificity} zones against {here.specificity})"
        else:
            why = "name (same score, prior and pattern size)"
        out[i] = replace(here, tie=f"same score as {above.name}, which is placed first by its {why}")
    return out


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the ranking: a muscle, or a group of muscles whose patterns are near-identical."""

    key: str  # the muscle id, or the group id
    name: str
    group: str | None
    members: tuple[Candidate, ...]  # by their own score, best first

    @property
    def probability(self) -> float:
        return sum(c.probability for c in self.members)

    @property
    def sides(self) -> tuple[str, ...]:
        return tuple(s for s in ("left", "right") if any(s in c.sides for c in self.members))

    @property
    def side(self) -> str:
        sides = {c.side for c in self.members}
        return sides.pop() if len(sides) == 1 else "both"


def _similar(base: KnowledgeBase, a: str, b: str) -> bool:
    return _similarity(base, a, b) >= GROUP_SIMILARITY


@lru_cache(maxsize=4096)
def _similarity(base: KnowledgeBase, a: str, b: str) -> float:
    found, _ = patterns(base)
    zones = {m: frozenset().union(*(p.zones for p in found if p.muscle.id == m)) for m in (a, b)}
    union = zones[a] | zones[b]
    return len(zones[a] & zones[b]) / len(union) if union else 0.0


def group_rows(base: KnowledgeBase, ranked: list[Candidate]) -> list[Row]:
    """The ranked muscles as rows: a group's members whose patterns match the row's first member
    join that row (in their own order); the rows keep the order of their first members."""
    rows: list[list[Candidate]] = []
    open_rows: dict[str, list[list[Candidate]]] = {}
    for c in ranked:
        home = None
        if c.group is not None:
            home = next((r for r in open_rows.get(c.group, []) if _similar(base, r[0].muscle, c.muscle)), None)
        if home is not None:
            home.append(c)
            continue
        row = [c]
        rows.append(row)
        if c.group is not None:
            open_rows.setdefault(c.group, []).append(row)
    out = []
    for members in rows:
        group = members[0].group if len(members) > 1 else None
        if group is not None:
            out.append(Row(group, base.muscle_groups[group].name, group, tuple(members)))
        else:
            out.append(Row(members[0].muscle, members[0].name, None, tuple(members)))
    return out


def flatten(rows: Iterable[Row]) -> list[Candidate]:
    return [c for row in rows for c in row.members]


@dataclass(frozen=True, slots=True)
class ExplainingSet:
    members: tuple[Candidate, ...]
    coverage: float
    unexplained: tuple[str, ...]


def explain_set(
    base: KnowledgeBase,
    chart: PainChart,
    ranked: list[Candidate],
    max_size: int = 4,
    target: float = 0.9,
    rows: Iterable[Row] = (),
) -> ExplainingSet:
    """A few of ``ranked`` that together explain the chart: the first-ranked, any other with a
    probability of at least CONTENDER, and the first member of any row (``rows``) that together
    holds that much, then greedy weighted cover, best-ranked on ties. Only candidates of
    ``ranked`` are used, so pass the shown list."""
    weights = {m.zone: chart.weight(m) for m in chart.marks}
    total = sum(weights.values())
    credit: dict[str, float] = dict.fromkeys(weights, 0.0)
    chosen: list[Candidate] = []

    def levels(c: Candidate) -> list[tuple[str, str]]:
        return [*c.explained, *((z, "neighbour") for z in c.near)]

    def take(c: Candidate) -> None:
        chosen.append(c)
        for zone, level in levels(c):
            credit[zone] = max(credit[zone], LEVEL_CREDIT[level])

    # the first-ranked, and every real contender, are palpated whatever the cover says
    shown = {c.muscle for c in ranked}
    heads = {row.members[0].muscle for row in rows if row.probability >= CONTENDER and row.members[0].muscle in shown}
    contenders = [c for c in ranked[1:] if c.probability >= CONTENDER or c.muscle in heads]
    for c in ranked[:1] + contenders[: max_size - 1]:
        take(c)
    while len(chosen) < max_size and sum(weights[z] * credit[z] for z in weights) / total < target:
        best, best_gain = None, 1e-9
        for c in ranked:
            if any(c.muscle == x.muscle for x in chosen):
                continue
            gain = sum(weights[z] * max(0.0, LEVEL_CREDIT[level] - credit[z]) for z, level in levels(c))
            if gain > best_gain + 1e-9:
                best, best_gain = c, gain
        if best is None:
            break
        take(best)
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
