"""Which precautions apply to a client, and what each does to a plan.

A precaution applies only when the client has it: answered yes at intake, implied by a
medication (blood thinners), by the condition and its phase (acute whiplash in the first days
of a whiplash), or by an area with a skin condition or recent surgery. A care phase's own list
of precautions is a list of things to screen for: the plan records them as checked, and they
change nothing unless the client has them.
"""

from __future__ import annotations

from dataclasses import dataclass

from taut.core.errors import UnknownEntryError
from taut.core.knowledge.queries import precaution, techniques_for_precaution
from taut.core.knowledge.schema import CarePhase, KnowledgeBase, PrecautionEffect, Region
from taut.core.planning.inputs import PlanInputs

ANTICOAGULANT_WORDS = (
    "warfarin",
    "apixaban",
    "rivaroxaban",
    "dabigatran",
    "edoxaban",
    "heparin",
    "aspirin",
    "clopidogrel",
    "enoxaparin",
)
# A phase precaution the condition itself implies while the phase lasts (the client has it).
IMPLIED_BY_CONDITION: dict[str, tuple[str, ...]] = {"acute_whiplash": ("whiplash",)}
# Areas given at intake, by the precaution they stand for.
AREA_PRECAUTIONS = {"skin_areas": "skin_condition", "surgery_areas": "recent_surgery"}


@dataclass(frozen=True, slots=True)
class Applied:
    """The precautions that apply, where they apply, and what was screened and found absent."""

    ids: tuple[str, ...]
    because: dict[str, str]  # precaution id -> why it applies, in words
    screened: tuple[str, ...]  # phase screen items the client does not have, in words
    avoid: dict[str, tuple[str, ...]]  # precaution id -> regions to leave alone

    def has(self, effect: PrecautionEffect, kb: KnowledgeBase) -> tuple[str, ...]:
        return tuple(p for p in self.ids if effect in kb.precautions[p].effects)


def region_of(kb: KnowledgeBase, area: str) -> str:
    """A region id for an area given as a region or a zone id; a clear error otherwise."""
    if area in {r.value for r in Region}:
        return area
    zone = kb.zones.get(area)
    if zone is not None:
        return zone.region.value
    spec = kb.zone_specs.get(area)
    if spec is not None:
        return spec.region.value
    raise UnknownEntryError("body area (a region or a zone)", area, sorted(r.value for r in Region))


def takes_anticoagulant(medications: tuple[str, ...]) -> str | None:
    for med in medications:
        if any(w in med.lower() for w in ANTICOAGULANT_WORDS):
            return med
    return None


def applicable(inputs: PlanInputs, kb: KnowledgeBase, phase: CarePhase | None) -> Applied:
    found: dict[str, str] = {}
    for pid in inputs.precautions:
        precaution(kb, pid)  # unknown id: a clear error
        found.setdefault(pid, "answered yes at intake")
    med = takes_anticoagulant(inputs.medications)
    if med and "anticoagulants" in kb.precautions:
        found.setdefault("anticoagulants", f"medication: {med}")
    avoid: dict[str, tuple[str, ...]] = {}
    for attr, pid in AREA_PRECAUTIONS.items():
        areas: tuple[str, ...] = getattr(inputs, attr)
        if areas and pid in kb.precautions:
            regions = tuple(dict.fromkeys(region_of(kb, a) for a in areas))
            avoid[pid] = regions
            found[pid] = f"{kb.precautions[pid].name.lower()}: {', '.join(r.replace('_', ' ') for r in regions)}"
    for pid in found:
        if PrecautionEffect.AVOID_AREA in kb.precautions[pid].effects and pid not in avoid:
            regions = tuple(r.value for r in kb.precautions[pid].regions)
            if regions:
                avoid[pid] = regions
    screened: list[str] = []
    if phase is not None:
        for pid in phase.precautions:
            if pid in found:
                continue
            if inputs.condition in IMPLIED_BY_CONDITION.get(pid, ()):
                found[pid] = f"{phase.name.lower()} ({phase.when})"
                continue
            name = kb.precautions[pid].name if pid in kb.precautions else pid
            screened.append(f"{name}: screened, not reported")
    return Applied(tuple(found), found, tuple(screened), avoid)


def technique_allowed(kb: KnowledgeBase, technique: str, precautions: tuple[str, ...]) -> bool:
    """Whether none of ``precautions`` changes or stops the technique (techniques_for_precaution)."""
    return all(kb.techniques[technique] not in techniques_for_precaution(kb, p) for p in precautions)


def precautions_for_region(kb: KnowledgeBase, applied: Applied, region: str) -> tuple[str, ...]:
    """The applied precautions that bear on work in ``region``: those without regions (everywhere),
    those listing the region, and area precautions for the areas given."""
    out = []
    for pid in applied.ids:
        p = kb.precautions[pid]
        if pid in applied.avoid:
            if region in applied.avoid[pid]:
                out.append(pid)
        elif not p.regions or region in {r.value for r in p.regions}:
            out.append(pid)
    return tuple(out)


def modifications(kb: KnowledgeBase, applied: Applied) -> tuple[str, ...]:
    """What the precautions with a 'modify' or 'position' effect change, in words."""
    return tuple(
        f"{kb.precautions[p].name}: {kb.precautions[p].advice}"
        for p in applied.ids
        if {PrecautionEffect.MODIFY, PrecautionEffect.POSITION} & set(kb.precautions[p].effects)
    )
