"""The neural differential: does the numb, tingling or burning part of the chart follow a
nerve root's dermatome (compression at the spine), or a peripheral nerve's territory below a
place where soft tissue can trap it (entrapment), or bone or a tunnel (compression)?

Fit is the share of the neural zones inside the territory; specificity is the share of the
territory the client marked. A small territory that holds the whole pattern beats a large
one, so a pattern confined to the median fingers favours the carpal tunnel over the whole
median nerve, and one confined to the L5 dermatome favours the L5 root over the sciatic nerve.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from taut.core.knowledge import queries
from taut.core.knowledge.schema import EntrapmentSite, KnowledgeBase, Nerve, SiteKind, SpecialTest
from taut.core.reasoning.chart import PainChart

MIN_FIT = 0.5
SPINAL_PAIN_BONUS = 1.15  # pain at the matching level of the spine supports a root over a peripheral nerve
SPINE_REGIONS = {"C": {"neck"}, "T": {"upper_back"}, "L": {"lower_back", "buttock"}, "S": {"lower_back", "buttock"}}
KIND_LABEL = {
    "root": "nerve root compression (disc or bone at the spine)",
    SiteKind.SOFT_TISSUE: "entrapment by soft tissue (muscle or fascia)",
    SiteKind.FIBRO_OSSEOUS: "compression in a fibro-osseous tunnel",
    SiteKind.BONY: "compression by bone",
    SiteKind.DISC: "compression by disc",
}
ADVICE = {
    "root": "Refer for medical assessment of the spine; treat related trigger points only alongside it.",
    SiteKind.SOFT_TISSUE: "Soft-tissue work on the entrapping muscle is in scope; retest after treatment.",
    SiteKind.FIBRO_OSSEOUS: "Refer for assessment (nerve conduction); treat contributing trigger points alongside.",
    SiteKind.BONY: "Refer for medical assessment.",
    SiteKind.DISC: "Refer for medical assessment.",
}


@dataclass(frozen=True, slots=True)
class NeuralFinding:
    kind: str  # root | soft_tissue | fibro_osseous | bony | disc
    structure: str  # a root (C6) or a nerve id (median)
    name: str
    site: str  # where it is caught ("" for a root)
    muscle: str | None  # the entrapping muscle, when soft tissue
    fit: float
    specificity: float
    score: float
    matched: tuple[str, ...]  # base zone ids inside the territory
    tests: tuple[str, ...]  # special test ids that would confirm it
    label: str
    advice: str
    sides: tuple[str, ...] = ()  # sides of the chart's neural marks in the territory
    prior_score: float | None = None  # the score before special tests were weighed (None: none were)
    likelihood: float = 1.0  # product of the likelihood ratios of the tests weighed
    confirmed_by: tuple[str, ...] = ()  # special test ids that were positive
    argued_against_by: tuple[str, ...] = ()  # special test ids that were negative
    evidence: tuple[str, ...] = ()  # one line per test weighed ("Phalen test positive (right): x2")


def _score(neural: set[str], territory: set[str]) -> tuple[float, float, float, tuple[str, ...]]:
    inside = neural & territory
    fit = len(inside) / len(neural)
    specificity = len(inside) / len(territory) if territory else 0.0
    return fit, specificity, fit * (0.6 + 0.4 * specificity), tuple(sorted(inside))


@lru_cache(maxsize=4)
def _territories(base: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Each nerve's skin territory including its branches' (base zone ids)."""
    children: dict[str, list[str]] = {}
    for nerve in base.nerves.values():
        if nerve.parent:
            children.setdefault(nerve.parent, []).append(nerve.id)

    def collect(nerve_id: str) -> set[str]:
        zones = set(base.nerves[nerve_id].cutaneous_zones)
        for child in children.get(nerve_id, []):
            zones |= collect(child)
        return zones

    return {n: frozenset(collect(n)) for n in base.nerves}


def _test_ids(tests: Iterable[object]) -> tuple[str, ...]:
    return tuple(sorted({getattr(t, "id", "") for t in tests} - {""}))


def _site_tests(base: KnowledgeBase, nerve: Nerve, site: EntrapmentSite) -> list[SpecialTest]:
    """Tests aimed at this site (its muscle, or words of its name); else those aimed at the nerve itself."""
    name = f" {queries.normalise(site.name)} "
    aimed = [
        t for t in base.special_tests.values()
        if any(s == site.muscle or f" {queries.normalise(s)} " in name for s in t.targets.sites)
    ]  # fmt: skip
    return aimed or [t for t in base.special_tests.values() if nerve.id in t.targets.nerves]


def _nerve_findings(base: KnowledgeBase, nerve: Nerve, neural: set[str]) -> list[NeuralFinding]:
    whole = _territories(base)[nerve.id]
    out: list[NeuralFinding] = []
    for site in nerve.entrapment_sites:
        if site.kind in (SiteKind.DISC, SiteKind.BONY) and "not a peripheral" in site.name:
            continue  # root-level causes are weighed with the dermatomes
        territory = set(site.territory) or set(whole)
        if not territory:
            continue
        fit, spec, score, matched = _score(neural, territory)
        if fit < MIN_FIT:
            continue
        tests = _site_tests(base, nerve, site)
        out.append(
            NeuralFinding(
                kind=site.kind.value,
                structure=nerve.id,
                name=nerve.name,
                site=site.name,
                muscle=site.muscle,
                fit=round(fit, 3),
                specificity=round(spec, 3),
                score=round(score, 4),
                matched=matched,
                tests=_test_ids(tests),
                label=KIND_LABEL[site.kind],
                advice=ADVICE[site.kind],
            )
        )
    return out


def differential(base: KnowledgeBase, chart: PainChart, limit: int | None = 6) -> tuple[NeuralFinding, ...]:
    """Roots and nerve sites whose territory holds the chart's neural zones, best first
    (all of them when ``limit`` is None).

    Empty when nothing in the chart feels neural (numbness, tingling, burning, shooting, weakness).
    """
    neural = {base.zones[m.zone].base_id for m in chart.neural_marks()}
    sides: dict[str, set[str]] = {}
    for mark in chart.neural_marks():
        sides.setdefault(base.zones[mark.zone].base_id, set()).add(base.zones[mark.zone].side.value)
    if not neural:
        return ()
    regions = {base.zones[m.zone].region.value for m in chart.marks}
    findings: list[NeuralFinding] = []
    for dermatome in base.dermatomes.values():
        fit, spec, score, matched = _score(neural, set(dermatome.zones))
        if regions & SPINE_REGIONS.get(dermatome.root[0], set()):
            score *= SPINAL_PAIN_BONUS
        if fit >= MIN_FIT:
            findings.append(
                NeuralFinding(
                    kind="root",
                    structure=dermatome.root,
                    name=f"{dermatome.root} nerve root",
                    site="",
                    muscle=None,
                    fit=round(fit, 3),
                    specificity=round(spec, 3),
                    score=round(score, 4),
                    matched=matched,
                    tests=_test_ids(queries.special_tests_for(base, root=dermatome.root)),
                    label=KIND_LABEL["root"],
                    advice=ADVICE["root"],
                )
            )
    for nerve in base.nerves.values():
        findings += _nerve_findings(base, nerve, neural)
    findings.sort(key=lambda f: (-f.score, f.kind != "root", f.structure, f.site))
    return tuple(replace(f, sides=tuple(sorted({s for z in f.matched for s in sides[z]}))) for f in findings[:limit])
