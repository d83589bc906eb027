"""Read-only questions asked of a :class:`KnowledgeBase`. All functions are pure."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from taut.core.errors import UnknownEntryError, UnknownZoneError
from taut.core.knowledge.schema import (
    Care,
    Condition,
    Exercise,
    JointMotion,
    KnowledgeBase,
    Mechanism,
    MovementCurve,
    MovementFinding,
    MovementMeasure,
    MovementPattern,
    Muscle,
    Precaution,
    RedFlag,
    Referral,
    ReferralSide,
    Region,
    RomNorm,
    Side,
    SpecialTest,
    Technique,
)

KINDS = ("muscle", "zone", "nerve", "condition", "exercise", "technique", "special_test", "red_flag")
URGENCY_ORDER = ("emergency", "urgent", "soon")
T = TypeVar("T")


def normalise(text: str) -> str:
    """Lower case, punctuation and underscores to spaces, single spaces."""
    text = text.lower().replace("'s", "s")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Hit:
    """One entry found by name: its kind, id, display name, the name matched and a score 0..1."""

    kind: str
    id: str
    name: str
    matched: str
    score: float


def _names(base: KnowledgeBase) -> Iterable[tuple[str, str, str, tuple[str, ...]]]:
    """(kind, id, display name, all names) for every named entry."""
    for m in base.muscles.values():
        yield "muscle", m.id, m.name, (m.id, m.name, *m.synonyms)
    for z in base.zone_specs.values():
        yield "zone", z.id, z.name, (z.id, z.name, *z.synonyms)
    for n in base.nerves.values():
        yield "nerve", n.id, n.name, (n.id, n.name, *n.synonyms)
    for c in base.conditions.values():
        yield "condition", c.id, c.name, (c.id, c.name, *c.synonyms)
    for e in base.exercises.values():
        yield "exercise", e.id, e.name, (e.id, e.name, *e.synonyms)
    for t in base.techniques.values():
        yield "technique", t.id, t.name, (t.id, t.name, *t.synonyms)
    for s in base.special_tests.values():
        yield "special_test", s.id, s.name, (s.id, s.name, *s.synonyms)
    for r in base.red_flags.values():
        yield "red_flag", r.id, r.name, (r.id, r.name, *r.synonyms)


def score(query: str, name: str) -> float:
    """How well a normalised query matches a normalised name (1.0 = the same)."""
    if query == name:
        return 1.0
    if name.startswith(query) or query.startswith(name):
        return 0.9 if min(len(query), len(name)) >= 3 else 0.5
    if f" {query} " in f" {name} ":
        return 0.85
    return difflib.SequenceMatcher(None, query, name).ratio() * 0.8


def find(
    base: KnowledgeBase, text: str, kinds: Iterable[str] = KINDS, limit: int = 10, threshold: float = 0.6
) -> list[Hit]:
    """Entries whose id, name or synonym match ``text``, best first (score >= ``threshold``)."""
    query = normalise(text)
    wanted = set(kinds)
    hits: list[Hit] = []
    for kind, entry_id, display, names in _names(base):
        if kind not in wanted or not query:
            continue
        best = max(((score(query, normalise(n)), n) for n in names), key=lambda pair: pair[0])
        if best[0] >= threshold:
            hits.append(Hit(kind, entry_id, display, best[1], round(best[0], 3)))
    hits.sort(key=lambda h: (-h.score, KINDS.index(h.kind), h.id))
    return hits[:limit]


def lookup(base: KnowledgeBase, kind: str, text: str, accept_close: bool = False) -> tuple[str | None, list[Hit]]:
    """One entry of ``kind`` by id, name or synonym: (its id, []) or (None, up to 3 suggestions).

    With ``accept_close`` a single clear best match is accepted too ("night pain" is the start of
    only one red flag's name).
    """
    hits = find(base, text, kinds=(kind,), limit=3, threshold=0.3)
    if hits and hits[0].score == 1.0:
        return hits[0].id, []
    if accept_close and hits and hits[0].score >= 0.85 and (len(hits) == 1 or hits[1].score < hits[0].score):
        return hits[0].id, []
    return None, hits


def entry(base: KnowledgeBase, kind: str, entry_id: str) -> BaseModel:
    """The validated entry of ``kind`` with ``entry_id``; UnknownEntryError if none."""
    table: Mapping[str, Any] = {
        "muscle": base.muscles,
        "zone": base.zone_specs,
        "nerve": base.nerves,
        "condition": base.conditions,
        "exercise": base.exercises,
        "technique": base.techniques,
        "special_test": base.special_tests,
        "red_flag": base.red_flags,
        "rom_norm": base.rom_norms,
        "source": base.sources,
        "movement_measure": base.movement_measures,
        "movement_finding": base.movement_findings,
        "movement_pattern": base.movement_patterns,
        "movement_curve": base.movement_curves,
    }.get(kind, {})
    if entry_id not in table:
        close = difflib.get_close_matches(entry_id, list(table), n=3)
        raise UnknownEntryError(kind, entry_id, close)
    found: BaseModel = table[entry_id]
    return found


def muscle(base: KnowledgeBase, name: str) -> Muscle:
    """A muscle by id, name or synonym."""
    if name in base.muscles:
        return base.muscles[name]
    hits = find(base, name, kinds=("muscle",), limit=3)
    if hits and hits[0].score >= 0.85:
        return base.muscles[hits[0].id]
    raise UnknownEntryError("muscle", name, [h.name for h in hits])


def base_zone_id(base: KnowledgeBase, zone_id: str) -> str:
    """``temple_l`` -> ``temple``; a base id is returned unchanged."""
    if zone_id in base.zones:
        return base.zones[zone_id].base_id
    if zone_id in base.zone_specs:
        return zone_id
    raise UnknownZoneError(zone_id, difflib.get_close_matches(zone_id, list(base.zones), n=3))


def sided_zone_ids(base: KnowledgeBase, zone: str, side: Side) -> tuple[str, ...]:
    spec = base.zone_specs[zone]
    if not spec.bilateral:
        return (zone,)
    if side is Side.LEFT:
        return (f"{zone}_l",)
    if side is Side.RIGHT:
        return (f"{zone}_r",)
    return (f"{zone}_l", f"{zone}_r")


def _referral_sides(referral: Referral, side: Side) -> Side:
    if referral.side is ReferralSide.BILATERAL or side is Side.MIDLINE:
        return Side.MIDLINE  # both sides
    if referral.side is ReferralSide.CONTRALATERAL:
        return Side.RIGHT if side is Side.LEFT else Side.LEFT
    return side


def referral_map(base: KnowledgeBase, muscle_id: str, side: Side) -> dict[str, str]:
    """Sided zone id -> "essential" or "spillover" for a muscle on ``side``.

    Uses the muscle-level pattern and every trigger point's own pattern; essential wins.
    ``Side.MIDLINE`` means both sides (e.g. a bilateral finding).
    """
    found = base.muscles[muscle_id]
    patterns = [found.referral, *(tp.referral for tp in found.trigger_points if tp.referral is not None)]
    out: dict[str, str] = {}
    for referral in patterns:
        to_side = _referral_sides(referral, side)
        for zone in referral.spillover:
            for sided in sided_zone_ids(base, zone, to_side):
                out.setdefault(sided, "spillover")
        for zone in referral.essential:
            for sided in sided_zone_ids(base, zone, to_side):
                out[sided] = "essential"
    return out


@dataclass(frozen=True, slots=True)
class ReferralHit:
    muscle: str
    zone: str
    level: str


def muscles_referring_to(base: KnowledgeBase, zone_id: str) -> list[ReferralHit]:
    """Muscles whose referral pattern reaches a zone (sided or base id), essential first."""
    zone = base_zone_id(base, zone_id)
    hits: list[ReferralHit] = []
    for m in base.muscles.values():
        patterns = [m.referral, *(tp.referral for tp in m.trigger_points if tp.referral is not None)]
        if any(zone in p.essential for p in patterns):
            hits.append(ReferralHit(m.id, zone, "essential"))
        elif any(zone in p.spillover for p in patterns):
            hits.append(ReferralHit(m.id, zone, "spillover"))
    hits.sort(key=lambda h: (h.level != "essential", h.muscle))
    return hits


def nerves_supplying(base: KnowledgeBase, zone_id: str) -> list[str]:
    """Nerves whose cutaneous territory includes the zone."""
    zone = base_zone_id(base, zone_id)
    return sorted(n.id for n in base.nerves.values() if zone in n.cutaneous_zones)


def dermatomes_for(base: KnowledgeBase, zone_id: str) -> list[str]:
    """Roots whose dermatome includes the zone, in root order as written."""
    zone = base_zone_id(base, zone_id)
    return [d.root for d in base.dermatomes.values() if zone in d.zones]


def entrapments_by_muscle(base: KnowledgeBase, muscle_id: str) -> list[tuple[str, str]]:
    """(nerve id, site name) pairs where the muscle is named as the entrapping structure."""
    out = [(n.id, site.name) for n in base.nerves.values() for site in n.entrapment_sites if site.muscle == muscle_id]
    if muscle_id in base.muscles:
        out += [(nerve, "named in the muscle file") for nerve in base.muscles[muscle_id].entrapped_nerves]
    return out


def pending_references(base: KnowledgeBase) -> dict[str, list[str]]:
    """References allowed to stay open for now: muscles named at entrapment sites without a
    muscle file, self-care exercise ids while exercises.yaml does not list them, and special-test
    sites that match neither a muscle file nor an entrapment site in nerves.yaml."""
    muscles = sorted(
        {s.muscle for n in base.nerves.values() for s in n.entrapment_sites if s.muscle} - set(base.muscles)
    )
    exercises = sorted({e for m in base.muscles.values() for e in m.selfcare_exercises} - set(base.exercises))
    sites = sorted({s for t in base.special_tests.values() for s in t.targets.sites if not site_resolves(base, s)})
    return {"muscles": [m for m in muscles if m], "exercises": exercises, "special_test_sites": sites}


def site_resolves(base: KnowledgeBase, site: str) -> bool:
    """Whether a special-test site is a muscle id or (part of) an entrapment site's name."""
    if site in base.muscles:
        return True
    wanted = normalise(site)
    names = (normalise(s.name) for n in base.nerves.values() for s in n.entrapment_sites)
    return bool(wanted) and any(f" {wanted} " in f" {name} " for name in names)


# ------------------------------------------------ conditions, tests and care


def red_flags_for(base: KnowledgeBase, region: Region | str | None = None) -> list[RedFlag]:
    """Red flags to ask about for a body region (plus those that apply anywhere), most urgent first."""
    wanted = None if region is None else str(region)
    flags = [r for r in base.red_flags.values() if wanted is None or "any" in r.applies_to or wanted in r.applies_to]
    return sorted(flags, key=lambda r: (URGENCY_ORDER.index(r.urgency), r.id))


def condition_red_flags(base: KnowledgeBase, condition_id: str) -> list[RedFlag]:
    """The red flags a condition names, most urgent first."""
    condition = base.conditions[condition_id]
    flags = [base.red_flags[f] for f in condition.red_flags if f in base.red_flags]
    return sorted(flags, key=lambda r: (URGENCY_ORDER.index(r.urgency), r.id))


def special_tests_for(
    base: KnowledgeBase,
    *,
    nerve: str | None = None,
    root: str | None = None,
    site: str | None = None,
    region: Region | str | None = None,
) -> list[SpecialTest]:
    """Special tests that load a nerve (or one of its branches' parents), a root, a site or muscle,
    or belong to a region; every given filter must match."""
    out: list[SpecialTest] = []
    for test in base.special_tests.values():
        targets = test.targets
        if nerve is not None and not any(_nerve_or_parent(base, n, nerve) for n in targets.nerves):
            continue
        if root is not None and root not in targets.roots:
            continue
        if site is not None and not any(normalise(site) in normalise(s) for s in targets.sites):
            continue
        if region is not None and test.region != str(region):
            continue
        out.append(test)
    return sorted(out, key=lambda t: t.id)


def _nerve_or_parent(base: KnowledgeBase, nerve_id: str, wanted: str) -> bool:
    seen: set[str] = set()
    current: str | None = nerve_id
    while current is not None and current not in seen:
        if current == wanted:
            return True
        seen.add(current)
        current = base.nerves[current].parent if current in base.nerves else None
    return False


def rom_norm_for(
    base: KnowledgeBase,
    motion: JointMotion | str,
    *,
    age: int | None = None,
    sex: str | None = None,
    mode: str | None = None,
) -> RomNorm | None:
    """The most specific norm for a motion that fits the client: sex-specific before 'any', the
    narrowest age band first; None when no norm covers the motion."""
    wanted = str(motion)
    fitting = [
        n
        for n in base.rom_norms.values()
        if n.motion == wanted and n.applies_to(age, sex) and (mode is None or n.mode == mode)
    ]
    if not fitting:
        return None

    def specificity(norm: RomNorm) -> tuple[int, int, str]:
        span = (norm.age_max if norm.age_max is not None else 120) - (norm.age_min or 0)
        return (0 if sex is not None and norm.sex == sex else 1, span if age is not None else 0, norm.id)

    return min(fitting, key=specificity)


def rom_deficit(base: KnowledgeBase, motion: JointMotion | str, measured: float, **client: Any) -> float | None:
    """Share (0-1) of the normal range a measurement falls short by; 0 when at or above normal."""
    norm = rom_norm_for(base, motion, **client)
    if norm is None or norm.normal_degrees <= 0:
        return None
    return round(max(0.0, (norm.normal_degrees - measured) / norm.normal_degrees), 3)


def conditions_for_mechanism(base: KnowledgeBase, mechanism: Mechanism | str) -> list[Condition]:
    """Conditions that the mechanism of onset commonly causes."""
    wanted = str(mechanism)
    return sorted((c for c in base.conditions.values() if wanted in c.mechanisms), key=lambda c: c.id)


def exercises_for_muscle(base: KnowledgeBase, muscle_id: str) -> list[Exercise]:
    """Home exercises that target a muscle: the muscle's own self-care list first, then the rest."""
    own = [base.exercises[e] for e in base.muscles[muscle_id].selfcare_exercises if e in base.exercises]
    others = sorted((e for e in base.exercises.values() if muscle_id in e.muscles and e not in own), key=lambda e: e.id)
    return own + others


def _facts(base: KnowledgeBase) -> list[tuple[str, bool]]:
    """(kind, cited?) for every fact: each entry and each nerve entrapment site."""
    facts: list[tuple[str, bool]] = [("zone", bool(z.sources)) for z in base.zone_specs.values()]
    for n in base.nerves.values():
        facts.append(("nerve", bool(n.sources)))
        facts += [("entrapment_site", bool(n.sources))] * len(n.entrapment_sites)
    groups: list[tuple[str, Iterable[Any]]] = [
        ("dermatome", base.dermatomes.values()),
        ("myotome", base.myotomes.values()),
        ("muscle", base.muscles.values()),
        ("condition", base.conditions.values()),
        ("rom_norm", base.rom_norms.values()),
        ("technique", base.techniques.values()),
        ("exercise", base.exercises.values()),
        ("red_flag", base.red_flags.values()),
        ("special_test", base.special_tests.values()),
        ("instrument", base.instruments.values()),
        ("movement_measure", base.movement_measures.values()),
        ("movement_finding", base.movement_findings.values()),
        ("movement_pattern", base.movement_patterns.values()),
        ("movement_curve", base.movement_curves.values()),
    ]
    for c in base.conditions.values():
        facts += [("muscle_evidence", True)] * len(c.muscle_evidence)
    for kind, items in groups:
        facts += [(kind, bool(item.sources)) for item in items]
    return facts


def stats(base: KnowledgeBase) -> dict[str, Any]:
    """Counts of every kind of entry and how many facts carry a citation."""
    facts = _facts(base)
    pending = pending_references(base)
    trigger_points = sum(len(m.trigger_points) for m in base.muscles.values())
    return {
        "version": base.version,
        "sources": len(base.sources),
        "zones_base": len(base.zone_specs),
        "zones_sided": len(base.zones),
        "zones_bilateral": sum(1 for z in base.zone_specs.values() if z.bilateral),
        "zones_midline": sum(1 for z in base.zone_specs.values() if not z.bilateral),
        "views": len(base.views),
        "nerves": len(base.nerves),
        "entrapment_sites": sum(len(n.entrapment_sites) for n in base.nerves.values()),
        "dermatomes": len(base.dermatomes),
        "myotomes": len(base.myotomes),
        "muscles": len(base.muscles),
        "trigger_points": trigger_points,
        "conditions": len(base.conditions),
        "rom_norms": len(base.rom_norms),
        "techniques": len(base.techniques),
        "exercises": len(base.exercises),
        "red_flags": len(base.red_flags),
        "special_tests": len(base.special_tests),
        "instruments": len(base.instruments),
        "wellness_domains": len(base.wellness),
        "movement_measures": len(base.movement_measures),
        "movement_findings": len(base.movement_findings),
        "movement_patterns": len(base.movement_patterns),
        "movement_curves": len(base.movement_curves),
        "muscle_evidence": sum(len(c.muscle_evidence) for c in base.conditions.values()),
        "muscle_evidence_with_prevalence": sum(
            1 for c in base.conditions.values() for e in c.muscle_evidence if e.prevalence is not None
        ),
        "facts": len(facts),
        "facts_cited": sum(1 for _, cited in facts if cited),
        "pending_muscle_references": len(pending["muscles"]),
        "pending_exercise_references": len(pending["exercises"]),
        "pending_special_test_sites": len(pending["special_test_sites"]),
    }


def _dump(items: Mapping[str, BaseModel]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items.values()]


def export(base: KnowledgeBase) -> dict[str, Any]:
    """Everything in the base as plain JSON-ready data, with its version."""
    return {
        "version": base.version,
        "semver": base.semver,
        "content_hash": base.content_hash,
        "sources": _dump(base.sources),
        "zones": _dump(base.zone_specs),
        "sided_zones": [
            {
                "id": z.id,
                "base_id": z.base_id,
                "side": z.side.value,
                "label": z.label,
                "neighbours": list(z.neighbours),
                "views": list(z.views),
            }
            for z in base.zones.values()
        ],
        "views": [
            {
                "id": v.id,
                "label": v.label,
                "width": v.width,
                "height": v.height,
                "shapes": [{"zone": s.zone, "points": [list(p) for p in s.points]} for s in v.shapes],
            }
            for v in base.views.values()
        ],
        "nerves": _dump(base.nerves),
        "dermatomes": _dump(base.dermatomes),
        "myotomes": _dump(base.myotomes),
        "muscles": _dump(base.muscles),
        "conditions": _dump(base.conditions),
        "rom_norms": _dump(base.rom_norms),
        "techniques": _dump(base.techniques),
        "exercises": _dump(base.exercises),
        "red_flags": _dump(base.red_flags),
        "special_tests": _dump(base.special_tests),
        "instruments": _dump(base.instruments),
        "wellness": _dump(base.wellness),
        "movement": {
            "measures": _dump(base.movement_measures),
            "findings": _dump(base.movement_findings),
            "patterns": _dump(base.movement_patterns),
            "curves": _dump(base.movement_curves),
        },
    }


# ------------------------------------------------------------- movement (posture, gait)


def _movement_entry(table: Mapping[str, T], kind: str, entry_id: str) -> T:
    if entry_id not in table:
        raise UnknownEntryError(kind, entry_id, difflib.get_close_matches(entry_id, list(table), n=3))
    return table[entry_id]


def movement_measure(base: KnowledgeBase, measure_id: str) -> MovementMeasure:
    """A posture or gait measure by id; UnknownEntryError (with suggestions) if none."""
    return _movement_entry(base.movement_measures, "movement measure", measure_id)


def movement_measures(base: KnowledgeBase, kind: str, view: str | None = None) -> list[MovementMeasure]:
    """The measures of one kind (``posture`` or ``gait``), optionally only those made from ``view``,
    in file order."""
    return [m for m in base.movement_measures.values() if m.kind == kind and (view is None or view in m.views)]


def movement_finding(base: KnowledgeBase, finding_id: str) -> MovementFinding:
    """A posture or gait finding by id; UnknownEntryError (with suggestions) if none."""
    return _movement_entry(base.movement_findings, "movement finding", finding_id)


def movement_patterns_for(
    base: KnowledgeBase, finding_ids: Iterable[str]
) -> list[tuple[MovementPattern, tuple[str, ...]]]:
    """Patterns suggested by the findings present: each with the findings of it that matched, for
    every pattern where at least ``min_findings`` match. Most matched first, then by id."""
    present = set(finding_ids)
    out: list[tuple[MovementPattern, tuple[str, ...]]] = []
    for pattern in base.movement_patterns.values():
        matched = tuple(f for f in pattern.findings if f in present)
        if len(matched) >= pattern.min_findings:
            out.append((pattern, matched))
    out.sort(key=lambda pair: (-len(pair[1]), pair[0].id))
    return out


def movement_curve(base: KnowledgeBase, curve_id: str) -> MovementCurve:
    """A normative gait curve by id; UnknownEntryError (with suggestions) if none."""
    return _movement_entry(base.movement_curves, "movement curve", curve_id)


# ------------------------------------------------------------ planning queries


def exercises_for_condition(base: KnowledgeBase, condition_id: str) -> tuple[Exercise, ...]:
    """Exercises planned for ``condition_id`` (their ``conditions`` list), in file order."""
    return tuple(e for e in base.exercises.values() if condition_id in e.conditions)


def techniques_for_precaution(base: KnowledgeBase, precaution_id: str) -> tuple[Technique, ...]:
    """Techniques that a precaution changes or stops (their ``precautions`` list)."""
    return tuple(t for t in base.techniques.values() if precaution_id in t.precautions)


def exercise_allowed(exercise: Exercise, precaution_ids: Iterable[str]) -> bool:
    """Whether none of the client's precautions is listed against the exercise."""
    return not set(exercise.precautions) & set(precaution_ids)


def care_for_condition(base: KnowledgeBase, condition_id: str) -> Care | None:
    """The care entry of a condition (care.yaml), or None when the base has none."""
    return base.care.get(condition_id)


def precaution(base: KnowledgeBase, precaution_id: str) -> Precaution:
    """One precaution by id; raises ``UnknownEntryError`` for an unknown id."""
    found = base.precautions.get(precaution_id)
    if found is None:
        raise UnknownEntryError("precaution", precaution_id, sorted(base.precautions))
    return found


def precautions_for_red_flag(base: KnowledgeBase, red_flag_id: str) -> tuple[Precaution, ...]:
    """Precautions that stand for a red flag of red_flags.yaml."""
    return tuple(p for p in base.precautions.values() if p.red_flag == red_flag_id)
