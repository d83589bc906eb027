"""Make a plan from a visit's findings: safety first, then treatment and home exercises.

Order of work: the precautions that apply (precautions.py) and the referrals (red flags, a
suspected root or bony compression); then the muscles (ranked trigger points, then the
muscles that posture, gait and range-of-motion findings name, then an entrapping muscle),
each with a technique the precautions allow and its dose; then exercises, goals, wellness
advice, perpetuating factors and the schedule of sessions and re-assessments.
"""

from __future__ import annotations

from dataclasses import dataclass

from taut.core.errors import UnknownEntryError
from taut.core.knowledge.queries import (
    care_for_condition,
    exercise_allowed,
    exercises_for_muscle,
    movement_finding,
    precautions_for_red_flag,
)
from taut.core.knowledge.schema import (
    Care,
    CarePhase,
    Exercise,
    KnowledgeBase,
    PrecautionEffect,
    Technique,
)
from taut.core.measures.wellness import evaluate
from taut.core.planning.inputs import PlanInputs
from taut.core.planning.model import (
    AvoidedArea,
    ExerciseItem,
    Goal,
    PerpetuatingFactor,
    Plan,
    Reassessment,
    Referral,
    SafetyCheck,
    Schedule,
    TreatmentItem,
    WellnessItem,
)
from taut.core.planning.precautions import (
    ANTICOAGULANT_WORDS,
    Applied,
    applicable,
    modifications,
    precautions_for_region,
    technique_allowed,
)

__all__ = ["ANTICOAGULANT_WORDS", "active_precautions", "generate_plan"]

LIGHT = "Light pressure only, well below discomfort"
GENTLE_TECHNIQUE = "positional_release"
DEFAULT_TECHNIQUES = ("ischemic_compression", "gliding_strokes", "muscle_energy_technique")
SHORT_MUSCLE_TECHNIQUES = ("muscle_energy_technique", "stretching", "ischemic_compression")
REFERRING_NEURAL_KINDS = {"root", "bony", "disc", "fibro_osseous"}
NEURAL_ADVICE = {
    "root": "Refer for medical assessment of the spine; treat related trigger points only alongside it.",
    "bony": "Refer for medical assessment.",
    "disc": "Refer for medical assessment.",
    "fibro_osseous": "Refer for assessment (nerve conduction); treat contributing trigger points alongside.",
}
MAX_EXERCISES = 8
DEFAULT_FREQUENCY = "once a week"
DEFAULT_COURSE = "review progress after four weeks and decide with the client whether to continue"
DEFAULT_WHY = (
    "the knowledge base has no care entry for this condition, so the plan uses a weekly session"
    " and a four-week review, the shortest span over which change in the outcome measures is usually read"
)


@dataclass(frozen=True, slots=True)
class _Pick:
    muscle: str
    why: str
    finding: str
    short: bool  # named as short by posture, gait or range of motion


def _phase(phases: tuple[CarePhase, ...], days: int | None) -> CarePhase:
    if days is not None:
        for phase in phases:
            low = phase.days_from or 0
            if low <= days and (phase.days_to is None or days < phase.days_to):
                return phase
        if days >= max((p.days_from or 0) for p in phases):
            return max(phases, key=lambda p: p.days_from or 0)  # past the last phase: still the latest one
    return phases[0]


def active_precautions(inputs: PlanInputs, kb: KnowledgeBase, phase: CarePhase | None) -> tuple[str, ...]:
    """The precaution ids that apply: intake answers, medications, areas, the phase of care."""
    return applicable(inputs, kb, phase).ids


def _referrals(inputs: PlanInputs, kb: KnowledgeBase) -> list[Referral]:
    out: list[Referral] = []
    for flag_id in inputs.red_flags:
        if flag_id not in kb.red_flags:
            raise UnknownEntryError("red flag", flag_id, sorted(kb.red_flags))
        flag = kb.red_flags[flag_id]
        linked = precautions_for_red_flag(kb, flag_id)
        out.append(
            Referral(
                reason=flag.name,
                urgency=flag.urgency,
                instead_of_treatment=flag.urgency in ("emergency", "urgent"),
                advice=linked[0].advice if linked else flag.why,
                why=f"red flag reported: {flag.name}",
                sources=tuple(dict.fromkeys(r.source for r in flag.sources)),
            )
        )
    for suspect in inputs.neural:
        if suspect.kind not in REFERRING_NEURAL_KINDS:
            continue
        if suspect.kind == "root":
            dermatome = kb.dermatomes.get(suspect.structure)
            sources = tuple(dict.fromkeys(s.source for s in dermatome.sources)) if dermatome else ()
        else:
            nerve = kb.nerves.get(suspect.structure)
            sources = tuple(dict.fromkeys(s.source for s in nerve.sources)) if nerve else ()
        label = suspect.label or suspect.kind.replace("_", " ")
        out.append(
            Referral(
                reason=f"Suspected {label}: {suspect.name}",
                urgency="soon",
                instead_of_treatment=False,
                advice=NEURAL_ADVICE[suspect.kind],
                why=f"the neural differential points to {suspect.name} ({label})",
                sources=sources,
            )
        )
    return out


def _picks(inputs: PlanInputs, kb: KnowledgeBase, care: Care | None) -> list[_Pick]:
    """Muscles in the order they enter the plan: ranked ones (by region order), then findings."""
    ranked = [m.muscle for m in sorted(inputs.muscles, key=lambda m: -m.score)]
    scores = {m.muscle: m.score for m in inputs.muscles}
    picks: list[_Pick] = []
    if ranked:
        for mid in ranked:
            if mid not in kb.muscles:
                raise UnknownEntryError("muscle", mid)
            picks.append(_Pick(mid, f"ranked muscle with score {scores[mid]:.2f}", "trigger point ranking", False))
    elif care:
        for mid in care.muscles_first:
            if mid in kb.muscles:
                picks.append(_Pick(mid, f"care for {inputs.condition} starts with it", "the condition", False))
    order = [str(r) for r in care.regions_first] if care else []
    picks.sort(
        key=lambda p: order.index(str(kb.muscles[p.muscle].region)) if str(kb.muscles[p.muscle].region) in order else 99
    )
    seen = {p.muscle for p in picks}
    extra: list[_Pick] = []
    for mv in inputs.movement:
        f = movement_finding(kb, mv.finding)
        where = f" in {mv.seen_in}" if mv.seen_in else ""
        for mid in f.short:
            if mid in kb.muscles and mid not in seen:
                seen.add(mid)
                label = f"{f.name.lower()}{where}"
                extra.append(_Pick(mid, f"{label}: tends to be short", label, True))
    for r in inputs.rom:
        muscles = r.muscles or tuple(
            m for n in kb.rom_norms.values() if str(n.motion) == r.motion for m in n.restricting_muscles
        )
        if not muscles and not any(str(n.motion) == r.motion for n in kb.rom_norms.values()):
            raise UnknownEntryError("joint motion with a ROM norm", r.motion)
        measured = (
            f" ({r.measured:g} degrees" + (f" of {r.normal:g})" if r.normal is not None else ")")
            if r.measured is not None
            else ""
        )
        label = f"restricted {r.motion.replace('_', ' ')}{measured}"
        for mid in dict.fromkeys(muscles):
            if mid not in kb.muscles:
                raise UnknownEntryError("muscle", mid)
            if mid not in seen:
                seen.add(mid)
                extra.append(_Pick(mid, f"{label}: it can limit this motion", label, True))
    for suspect in inputs.neural:
        if (
            suspect.kind == "soft_tissue"
            and suspect.muscle
            and suspect.muscle in kb.muscles
            and suspect.muscle not in seen
        ):
            seen.add(suspect.muscle)
            label = f"possible entrapment of {suspect.name}"
            extra.append(_Pick(suspect.muscle, f"{label}: soft-tissue work on this muscle is in scope", label, False))
    return picks + extra


def _technique_dose(t: Technique) -> str:
    d = t.dose
    if d is None:
        return "as the tissue allows"
    parts = []
    if d.seconds_per_point_min or d.seconds_per_point_max:
        low, high = (
            d.seconds_per_point_min or d.seconds_per_point_max,
            d.seconds_per_point_max or d.seconds_per_point_min,
        )
        parts.append(f"{low}-{high} s per point" if low != high else f"{low} s per point")
    if d.repetitions_min or d.repetitions_max:
        low, high = d.repetitions_min or d.repetitions_max, d.repetitions_max or d.repetitions_min
        parts.append(f"{low}-{high} times" if low != high else f"{low} times")
    if d.note:
        parts.append(d.note)
    return "; ".join(parts) or "as the tissue allows"


def _choose_technique(
    kb: KnowledgeBase, pick: _Pick, phase: CarePhase | None, bearing: tuple[str, ...], careful: bool
) -> tuple[str, list[str]]:
    base = list(phase.techniques) if phase and phase.techniques else list(DEFAULT_TECHNIQUES)
    if pick.short:
        base = [t for t in SHORT_MUSCLE_TECHNIQUES if t in base or t != "ischemic_compression"] + base
    candidates = [t for t in dict.fromkeys(base) if t in kb.techniques and kb.techniques[t].in_scope]
    changes: list[str] = []
    first = candidates[0] if candidates else GENTLE_TECHNIQUE
    allowed = [t for t in candidates if technique_allowed(kb, t, bearing)]
    chosen = allowed[0] if allowed else GENTLE_TECHNIQUE
    if careful and chosen != GENTLE_TECHNIQUE and not technique_allowed(kb, first, bearing):
        chosen = GENTLE_TECHNIQUE
    if chosen != first:
        stopping = [kb.precautions[p].name for p in bearing if not technique_allowed(kb, first, (p,))]
        changes.append(
            f"{kb.techniques[first].name} replaced by {kb.techniques[chosen].name.lower()}"
            + (f" ({', '.join(stopping)})" if stopping else "")
        )
    return chosen, changes


def _exercise_dose(e: Exercise) -> tuple[str, tuple[str, ...]]:
    d = e.dose
    if d is None:
        return "as advised", ("no dose in the knowledge base: as advised",)
    sets, reps, hold = d.sets or 1, d.reps or 1, d.hold_seconds
    checks: list[str] = []
    r = e.dose_range
    if r is None:
        checks.append("no dose range in the knowledge base to check against")
    else:

        def clamp(name: str, value: int | None, low: int | None, high: int | None) -> int | None:
            if value is None:
                return None
            if low is not None and value < low:
                checks.append(f"{name} raised from {value} to {low}, the least in the range")
                return low
            if high is not None and value > high:
                checks.append(f"{name} lowered from {value} to {high}, the most in the range")
                return high
            return value

        sets = clamp("sets", sets, r.sets_min, r.sets_max) or sets
        reps = clamp("repetitions", reps, r.reps_min, r.reps_max) or reps
        hold = clamp("hold", hold, r.hold_seconds_min, r.hold_seconds_max)
        if not checks:
            checks.append("within the dose range of the knowledge base")
    text = (
        f"{sets} x {reps}"
        + (f", hold {hold} s" if hold else "")
        + (" each side" if d.per_side else "")
        + f", {d.frequency}"
    )
    return text, tuple(checks)


def _goals(inputs: PlanInputs, phase: CarePhase | None) -> tuple[Goal, ...]:
    goals: list[Goal] = []
    if inputs.chief_complaint.strip():
        goals.append(Goal(f"Relief from: {inputs.chief_complaint.strip()}", "the chief complaint at intake"))
    goals += [Goal(g.strip(), "a functional goal the client named") for g in inputs.functional_goals if g.strip()]
    for item in inputs.outcome_items:
        score = f", scored {item.score:g}" if item.score is not None else ""
        goals.append(
            Goal(
                f"Find this easier: {item.item}",
                f"an item of the {item.instrument.upper()} the client found hard{score}",
            )
        )
    if phase:
        goals += [Goal(g, f"the aim of care in this phase ({phase.name.lower()})") for g in phase.goals]
    return tuple(dict.fromkeys(goals))


def _answer_words(kb: KnowledgeBase, because: str) -> str:
    """ "sleep.sleep_hours=six_to_seven" -> 'How many hours do you usually sleep at night? 6 to 7 hours'."""
    key, _, value = because.partition("=")
    domain_id, _, question_id = key.partition(".")
    domain = kb.wellness.get(domain_id)
    for question in domain.questions if domain else ():
        if question.id == question_id:
            label = next((o.label for o in question.options if o.value == value), value.replace("_", " "))
            return f"{question.text} {label}"
    return because.replace("_", " ")


def _answers_words(kb: KnowledgeBase, because: tuple[str, ...]) -> str:
    return "; ".join(_answer_words(kb, b) for b in because)


def _wellness(inputs: PlanInputs, kb: KnowledgeBase) -> tuple[tuple[WellnessItem, ...], tuple[PerpetuatingFactor, ...]]:
    if not inputs.wellness:
        return (), ()
    result = evaluate(dict(inputs.wellness), base=kb)
    items = tuple(
        WellnessItem(a.id, a.domain, a.text, "questionnaire answer: " + _answers_words(kb, a.because), a.sources)
        for a in result.advice
    )
    factors = tuple(
        PerpetuatingFactor(
            f"{kb.wellness[d].name} marked for attention",
            "the wellness questionnaire flagged it",
            tuple(dict.fromkeys(s.source for s in kb.wellness[d].sources)),
        )
        for d in result.flagged
    )
    return items, factors


def _schedule(inputs: PlanInputs, care: Care | None) -> Schedule:
    extra: list[Reassessment] = []
    for r in inputs.rom:
        extra.append(
            Reassessment(f"{r.motion.replace('_', ' ')} range of motion", "every visit", "restricted at this visit")
        )
    for mv in inputs.movement:
        extra.append(
            Reassessment(
                f"{mv.finding.replace('_', ' ')} (posture or gait photo)", "after four weeks", "found at this visit"
            )
        )
    for instrument in dict.fromkeys(i.instrument for i in inputs.outcome_items):
        extra.append(Reassessment(instrument, "every four weeks", "the outcome measure taken at this visit"))
    if care:
        listed = [
            Reassessment(r.measure, r.when, f"care for {care.condition.replace('_', ' ')} re-measures it")
            for r in care.reassessment
        ]
        measures = {r.measure for r in listed}
        return Schedule(
            care.session_frequency,
            care.expected_course,
            tuple(listed + [r for r in extra if r.measure not in measures]),
            f"from the care entry for {care.condition.replace('_', ' ')}",
            tuple(dict.fromkeys(s.source for s in care.sources)),
        )
    default = [Reassessment("pain on the 0-10 scale (nprs)", "every visit", "the default re-assessment")]
    return Schedule(DEFAULT_FREQUENCY, DEFAULT_COURSE, tuple(default + extra), DEFAULT_WHY, ())


def generate_plan(inputs: PlanInputs, kb: KnowledgeBase) -> Plan:
    if inputs.condition and inputs.condition not in kb.conditions and inputs.condition not in kb.care:
        raise UnknownEntryError("condition", inputs.condition, sorted(kb.conditions))
    care = care_for_condition(kb, inputs.condition) if inputs.condition else None
    phase = _phase(care.phases, inputs.days_since_onset) if care else None
    applied: Applied = applicable(inputs, kb, phase)
    referrals = _referrals(inputs, kb)
    sources = tuple(dict.fromkeys(s.source for p in applied.ids for s in kb.precautions[p].sources))
    safety = SafetyCheck(
        ran=True,
        checked=(
            f"intake precautions: {', '.join(inputs.precautions) or 'none'}",
            f"medications: {', '.join(inputs.medications) or 'none'}",
            f"red flags: {', '.join(inputs.red_flags) or 'none'}",
            f"neural differential: {', '.join(n.name for n in inputs.neural) or 'nothing neural'}",
            f"skin conditions: {', '.join(inputs.skin_areas) or 'none'}",
            f"recent surgery: {', '.join(inputs.surgery_areas) or 'none'}",
        ),
        applied=applied.ids,
        why="the contraindication check runs before any plan is made",
        sources=sources,
        screened=applied.screened,
        modifications=modifications(kb, applied),
    )
    goals = _goals(inputs, phase)
    if any(r.instead_of_treatment for r in referrals):
        return Plan(kb_version=kb.version, inputs=inputs, safety=safety, referrals=tuple(referrals), goals=goals)
    items: list[TreatmentItem] = []
    avoided: list[AvoidedArea] = []
    treated: list[tuple[str, str]] = []
    for pick in _picks(inputs, kb, care):
        m = kb.muscles[pick.muscle]
        region = str(m.region)
        bearing = precautions_for_region(kb, applied, region)
        stop = [p for p in bearing if PrecautionEffect.AVOID_AREA in kb.precautions[p].effects and p in applied.avoid]
        if stop:
            stopper = kb.precautions[stop[0]]
            avoided.append(
                AvoidedArea(
                    pick.muscle,
                    region,
                    f"{stopper.name} ({region.replace('_', ' ')}): no direct work",
                    stopper.advice,
                    tuple(dict.fromkeys(s.source for s in stopper.sources)),
                )
            )
            continue
        light = any(PrecautionEffect.LIGHT_PRESSURE in kb.precautions[p].effects for p in bearing)
        deep = any(PrecautionEffect.NO_DEEP_WORK in kb.precautions[p].effects for p in bearing)
        tid, changes = _choose_technique(kb, pick, phase, bearing, light or deep)
        t = kb.techniques[tid]
        for p in bearing:
            pr = kb.precautions[p]
            if {PrecautionEffect.LIGHT_PRESSURE, PrecautionEffect.NO_DEEP_WORK, PrecautionEffect.MODIFY} & set(
                pr.effects
            ):
                changes.append(f"{pr.name}: {pr.advice}")
        position = m.palpation.client_position
        for p in applied.ids:
            if kb.precautions[p].positions:
                position = "; ".join(kb.precautions[p].positions)
                changes.append(f"{kb.precautions[p].name}: position changed")
        treated.append((pick.muscle, pick.finding if pick.short else ""))
        items.append(
            TreatmentItem(
                region=region,
                muscle=pick.muscle,
                technique=tid,
                position=position,
                pressure=LIGHT if (light or deep) else (t.pressure or "to tolerance"),
                light_pressure=light or deep,
                dose=_technique_dose(t),
                changes=tuple(dict.fromkeys(changes)),
                why=pick.why,
                sources=tuple(dict.fromkeys([*(s.source for s in m.sources), *(s.source for s in t.sources)])),
                technique_name=t.name,
                finding=pick.finding,
            )
        )
    exercises = _exercises(inputs, kb, phase, treated, applied, {a.region for a in avoided})
    wellness, wellness_factors = _wellness(inputs, kb)
    perpetuating: list[PerpetuatingFactor] = []
    for mv in inputs.movement:
        f = movement_finding(kb, mv.finding)
        where = f" in {mv.seen_in}" if mv.seen_in else ""
        perpetuating.append(PerpetuatingFactor(f.name, f"posture or gait finding{where}", f.source_ids))
    perpetuating += wellness_factors
    for mid, _ in treated[:4]:
        m = kb.muscles[mid]
        src = tuple(dict.fromkeys(s.source for s in m.sources))
        perpetuating += [
            PerpetuatingFactor(t, f"perpetuates trigger points in the {m.name.lower()}", src)
            for t in m.perpetuating_factors[:2]
        ]
    return Plan(
        kb.version,
        inputs,
        safety,
        tuple(referrals),
        tuple(items),
        exercises,
        avoided=tuple(avoided),
        goals=goals,
        wellness=wellness,
        perpetuating=tuple(dict.fromkeys(perpetuating)),
        schedule=_schedule(inputs, care),
    )


def _exercises(
    inputs: PlanInputs,
    kb: KnowledgeBase,
    phase: CarePhase | None,
    treated: list[tuple[str, str]],
    applied: Applied,
    avoided_regions: set[str],
) -> tuple[ExerciseItem, ...]:
    candidates: list[tuple[str, str]] = (
        [(e, f"home care for this phase ({phase.name.lower()})") for e in phase.exercises] if phase else []
    )
    for mv in inputs.movement:
        f = movement_finding(kb, mv.finding)
        where = f" in {mv.seen_in}" if mv.seen_in else ""
        for mid in f.long:
            if mid in kb.muscles:
                strong = [e for e in exercises_for_muscle(kb, mid) if e.kind in ("strengthen", "postural")]
                name = kb.muscles[mid].name.lower()
                candidates += [(e.id, f"{f.name.lower()}{where}: strengthens the {name}") for e in strong[:1]]
    for mid, finding in treated:
        name = kb.muscles[mid].name.lower()
        why = f"{finding}: self-care for the {name}" if finding else f"self-care for the {name}, a treated muscle"
        candidates += [(e.id, why) for e in exercises_for_muscle(kb, mid)[:2]]
    if inputs.condition:
        label = inputs.condition.replace("_", " ")
        candidates += [
            (e.id, f"planned for {label}") for e in kb.exercises.values() if inputs.condition in e.conditions
        ]
    ordered = candidates
    out: list[ExerciseItem] = []
    seen: set[str] = set()
    for eid, why in ordered:
        if eid in seen or eid not in kb.exercises or len(out) >= MAX_EXERCISES:
            continue
        e = kb.exercises[eid]
        if not exercise_allowed(e, applied.ids):
            continue
        if any(m in kb.muscles and str(kb.muscles[m].region) in avoided_regions for m in e.muscles):
            continue
        seen.add(eid)
        dose, checks = _exercise_dose(e)
        out.append(
            ExerciseItem(
                eid, e.name, dose, e.progressions, why, tuple(dict.fromkeys(s.source for s in e.sources)), checks
            )
        )
    return tuple(out)
