"""Make a plan from a visit's findings: safety first, then treatment and home exercises."""

from __future__ import annotations

from taut.core.errors import UnknownEntryError
from taut.core.knowledge.queries import care_for_condition, exercise_allowed, precaution, precautions_for_red_flag
from taut.core.knowledge.schema import CarePhase, KnowledgeBase, PrecautionEffect
from taut.core.planning.inputs import PlanInputs
from taut.core.planning.model import ExerciseItem, Plan, Referral, SafetyCheck, TreatmentItem

ANTICOAGULANT_WORDS = ("warfarin", "apixaban", "rivaroxaban", "dabigatran", "edoxaban", "heparin", "aspirin")
LIGHT = "Light pressure only, well below discomfort"
GENTLE_TECHNIQUE = "positional_release"


def _phase(phases: tuple[CarePhase, ...], days: int | None) -> CarePhase:
    if days is not None:
        for phase in phases:
            low = phase.days_from or 0
            if low <= days and (phase.days_to is None or days < phase.days_to):
                return phase
    return phases[0]


def active_precautions(inputs: PlanInputs, kb: KnowledgeBase, phase: CarePhase | None) -> tuple[str, ...]:
    """The precaution ids that apply: intake answers, medications, the phase of care."""
    found: list[str] = []
    for pid in inputs.precautions:
        precaution(kb, pid)  # unknown id: a clear error
        found.append(pid)
    if any(w in m.lower() for m in inputs.medications for w in ANTICOAGULANT_WORDS):
        found.append("anticoagulants")
    if phase is not None:
        found += [p for p in phase.precautions if kb.precautions[p].kind == "screen"]
    return tuple(dict.fromkeys(found))


def generate_plan(inputs: PlanInputs, kb: KnowledgeBase) -> Plan:
    care = care_for_condition(kb, inputs.condition) if inputs.condition else None
    phase = _phase(care.phases, inputs.days_since_onset) if care else None
    applied = active_precautions(inputs, kb, phase)
    referrals: list[Referral] = []
    for flag_id in inputs.red_flags:
        if flag_id not in kb.red_flags:
            raise UnknownEntryError("red flag", flag_id)
        flag = kb.red_flags[flag_id]
        linked = precautions_for_red_flag(kb, flag_id)
        advice = linked[0].advice if linked else flag.why
        referrals.append(
            Referral(
                reason=flag.name,
                urgency=flag.urgency,
                instead_of_treatment=flag.urgency in ("emergency", "urgent"),
                advice=advice,
                why=f"red flag reported: {flag.name}",
                sources=tuple(dict.fromkeys(r.source for r in flag.sources)),
            )
        )
    sources = tuple(dict.fromkeys(s.source for p in applied for s in kb.precautions[p].sources))
    safety = SafetyCheck(
        ran=True,
        checked=(
            f"intake precautions: {', '.join(inputs.precautions) or 'none'}",
            f"medications: {', '.join(inputs.medications) or 'none'}",
            f"red flags: {', '.join(inputs.red_flags) or 'none'}",
        ),
        applied=applied,
        why="the contraindication check runs before any plan is made",
        sources=sources,
    )
    if any(r.instead_of_treatment for r in referrals):
        return Plan(kb_version=kb.version, inputs=inputs, safety=safety, referrals=tuple(referrals))
    light = any(PrecautionEffect.LIGHT_PRESSURE in kb.precautions[p].effects for p in applied)
    no_deep = {
        str(r)
        for p in applied
        for r in kb.precautions[p].regions
        if PrecautionEffect.NO_DEEP_WORK in kb.precautions[p].effects
    }
    muscles = [m.muscle for m in sorted(inputs.muscles, key=lambda m: -m.score)]
    if not muscles and care:
        muscles = [m for m in care.muscles_first if m in kb.muscles]
    order = [str(r) for r in care.regions_first] if care else []
    for mid in muscles:
        if mid not in kb.muscles:
            raise UnknownEntryError("muscle", mid)
    muscles.sort(key=lambda m: order.index(str(kb.muscles[m].region)) if str(kb.muscles[m].region) in order else 99)
    items: list[TreatmentItem] = []
    for mid in muscles:
        m = kb.muscles[mid]
        tid = phase.techniques[0] if phase and phase.techniques else "ischemic_compression"
        changes: list[str] = []
        region = str(m.region)
        deep = region in no_deep
        if deep or light:
            swap = [p for p in applied if p in kb.techniques[tid].precautions]
            if swap and tid != GENTLE_TECHNIQUE:
                changes.append(f"{kb.techniques[tid].name} replaced by positional release ({', '.join(swap)})")
                tid = GENTLE_TECHNIQUE
        t = kb.techniques[tid]
        for p in applied:
            pr = kb.precautions[p]
            if PrecautionEffect.LIGHT_PRESSURE in pr.effects or (
                region in no_deep and str(m.region) in {str(r) for r in pr.regions}
            ):
                changes.append(f"{pr.name}: {pr.advice}")
        position = m.palpation.client_position
        for p in applied:
            if kb.precautions[p].positions:
                position = "; ".join(kb.precautions[p].positions)
                changes.append(f"{kb.precautions[p].name}: position changed")
        dose = t.dose.note if t.dose and t.dose.note else "as the tissue allows"
        reason = (
            f"ranked muscle with score {next((r.score for r in inputs.muscles if r.muscle == mid), 0):.2f}"
            if inputs.muscles
            else f"care for {inputs.condition} starts with it"
        )
        items.append(
            TreatmentItem(
                region=region,
                muscle=mid,
                technique=tid,
                position=position,
                pressure=LIGHT if (light or deep) else (t.pressure or "to tolerance"),
                light_pressure=light or deep,
                dose=dose,
                changes=tuple(dict.fromkeys(changes)),
                why=reason,
                sources=tuple(dict.fromkeys([*(s.source for s in m.sources), *(s.source for s in t.sources)])),
            )
        )
    candidates = list(phase.exercises) if phase else []
    for mid in muscles:
        candidates += [e for e in kb.muscles[mid].selfcare_exercises if e in kb.exercises]
    if inputs.condition:
        candidates += [e.id for e in kb.exercises.values() if inputs.condition in e.conditions]
    exercises: list[ExerciseItem] = []
    for eid in dict.fromkeys(candidates):
        if eid not in kb.exercises or not exercise_allowed(kb.exercises[eid], applied) or len(exercises) >= 6:
            continue
        e = kb.exercises[eid]
        d = e.dose
        dose = (
            (
                f"{d.sets or 1} x {d.reps or 1}"
                + (f", hold {d.hold_seconds} s" if d.hold_seconds else "")
                + (" each side" if d.per_side else "")
                + f", {d.frequency}"
            )
            if d
            else "as advised"
        )
        exercises.append(
            ExerciseItem(
                eid,
                e.name,
                dose,
                e.progressions,
                "matched to the condition or a treated muscle",
                tuple(dict.fromkeys(s.source for s in e.sources)),
            )
        )
    return Plan(kb.version, inputs, safety, tuple(referrals), tuple(items), tuple(exercises))
