"""Pure edits of a plan: each returns a new plan with the change recorded.

Every edit appends a :class:`Change` (kind, target, before, after, in words) to ``changes`` and
its words to ``edits``; an unknown muscle, technique or exercise is an ``UnknownEntryError``
and nothing changes.
"""

from __future__ import annotations

import re
from dataclasses import replace

from taut.core.errors import TautError, UnknownEntryError
from taut.core.knowledge.queries import exercise_allowed
from taut.core.knowledge.schema import KnowledgeBase
from taut.core.planning.model import Change, ExerciseItem, Plan, TreatmentItem

__all__ = [
    "InvalidDoseError",
    "PlanEditError",
    "add_exercise",
    "add_muscle",
    "change_dose",
    "change_technique",
    "diff_plans",
    "remove_exercise",
    "remove_muscle",
    "reorder_muscles",
]

DOSE_PATTERN = re.compile(r"^\s*(\d+)\s*x\s*(\d+)")


class PlanEditError(TautError, ValueError):
    """An edit that cannot be made (adding what the plan already holds)."""

    code = "invalid_edit"


class InvalidDoseError(PlanEditError):
    """A dose that is empty or, for an exercise, outside its dose range."""

    code = "invalid_dose"


def _record(plan: Plan, change: Change, **values: object) -> Plan:
    return replace(plan, edits=(*plan.edits, change.words), changes=(*plan.changes, change), **values)  # type: ignore[arg-type]


def _check(plan: Plan, muscle: str) -> None:
    if muscle not in {i.muscle for i in plan.items}:
        raise UnknownEntryError("muscle in this plan", muscle, [i.muscle for i in plan.items])


def _check_exercise(plan: Plan, exercise: str) -> None:
    if exercise not in {e.exercise for e in plan.exercises}:
        raise UnknownEntryError("exercise in this plan", exercise, [e.exercise for e in plan.exercises])


def _check_safe(plan: Plan, kb: KnowledgeBase, region: str, technique: str) -> None:
    """Refuse work the plan's safety check rules out: an avoided area, a technique a precaution stops."""
    avoided = [a for a in plan.avoided if a.region == region]
    if avoided:
        raise PlanEditError(f"no direct work on the {region.replace('_', ' ')}: {avoided[0].reason}", field="muscle")
    for pid in plan.safety.applied:
        p = kb.precautions.get(pid)
        if p is None or pid not in kb.techniques[technique].precautions:
            continue
        if not p.regions or region in {r.value for r in p.regions}:
            name = kb.techniques[technique].name
            raise PlanEditError(f"{name} is changed or stopped by: {p.name}", field="technique")


def remove_muscle(plan: Plan, muscle: str) -> Plan:
    _check(plan, muscle)
    items = tuple(i for i in plan.items if i.muscle != muscle)
    item = next(i for i in plan.items if i.muscle == muscle)
    return _record(plan, Change("remove_muscle", muscle, item.technique, "", f"removed {muscle}"), items=items)


def reorder_muscles(plan: Plan, order: tuple[str, ...]) -> Plan:
    for muscle in order:
        _check(plan, muscle)
    rank = {m: n for n, m in enumerate(order)}
    items = tuple(sorted(plan.items, key=lambda i: rank.get(i.muscle, len(rank))))
    before = ", ".join(i.muscle for i in plan.items)
    after = ", ".join(i.muscle for i in items)
    return _record(plan, Change("reorder", "", before, after, f"reordered: {', '.join(order)}"), items=items)


def add_muscle(plan: Plan, kb: KnowledgeBase, muscle: str, technique: str | None = None, why: str = "") -> Plan:
    """Add a muscle at the end, with the first technique of the plan (or the one given)."""
    if muscle not in kb.muscles:
        raise UnknownEntryError("muscle", muscle)
    if muscle in {i.muscle for i in plan.items}:
        raise PlanEditError(f"{muscle} is already in this plan", field="muscle")
    tid = technique or (plan.items[0].technique if plan.items else "ischemic_compression")
    if tid not in kb.techniques:
        raise UnknownEntryError("technique", tid, sorted(kb.techniques))
    m, t = kb.muscles[muscle], kb.techniques[tid]
    _check_safe(plan, kb, str(m.region), tid)
    light = (
        any(i.light_pressure for i in plan.items if i.region == str(m.region))
        or "anticoagulants" in plan.safety.applied
    )
    item = TreatmentItem(
        region=str(m.region),
        muscle=muscle,
        technique=tid,
        position=m.palpation.client_position,
        pressure="Light pressure only, well below discomfort" if light else (t.pressure or "to tolerance"),
        light_pressure=light,
        dose=t.dose.note if t.dose and t.dose.note else "as the tissue allows",
        changes=(),
        why=why or "added by the practitioner",
        sources=tuple(dict.fromkeys([*(s.source for s in m.sources), *(s.source for s in t.sources)])),
        technique_name=t.name,
        finding="the practitioner's judgement",
    )
    return _record(
        plan, Change("add_muscle", muscle, "", tid, f"added {m.name} ({t.name.lower()})"), items=(*plan.items, item)
    )


def change_technique(plan: Plan, kb: KnowledgeBase, muscle: str, technique: str) -> Plan:
    _check(plan, muscle)
    if technique not in kb.techniques:
        raise UnknownEntryError("technique", technique, sorted(kb.techniques))
    t = kb.techniques[technique]
    old = next(i for i in plan.items if i.muscle == muscle)
    _check_safe(plan, kb, old.region, technique)
    new = replace(
        old,
        technique=technique,
        technique_name=t.name,
        pressure=old.pressure if old.light_pressure else (t.pressure or "to tolerance"),
        dose=t.dose.note if t.dose and t.dose.note else "as the tissue allows",
    )
    items = tuple(new if i.muscle == muscle else i for i in plan.items)
    words = f"technique for {muscle}: {old.technique_name or old.technique} -> {t.name}"
    return _record(plan, Change("change_technique", muscle, old.technique, technique, words), items=items)


def add_exercise(plan: Plan, kb: KnowledgeBase, exercise: str, why: str = "") -> Plan:
    if exercise not in kb.exercises:
        raise UnknownEntryError("exercise", exercise, sorted(kb.exercises))
    if exercise in {e.exercise for e in plan.exercises}:
        raise PlanEditError(f"{exercise} is already in this plan", field="exercise")
    from taut.core.planning.generate import _exercise_dose

    e = kb.exercises[exercise]
    if not exercise_allowed(e, plan.safety.applied):
        ruled = [kb.precautions[p].name for p in e.precautions if p in plan.safety.applied and p in kb.precautions]
        raise PlanEditError(f"{e.name} is ruled out by: {', '.join(ruled)}", field="exercise")
    dose, checks = _exercise_dose(e)
    item = ExerciseItem(
        exercise,
        e.name,
        dose,
        e.progressions,
        why or "added by the practitioner",
        tuple(dict.fromkeys(s.source for s in e.sources)),
        checks,
    )
    return _record(
        plan, Change("add_exercise", exercise, "", dose, f"added exercise {e.name}"), exercises=(*plan.exercises, item)
    )


def remove_exercise(plan: Plan, exercise: str) -> Plan:
    _check_exercise(plan, exercise)
    old = next(e for e in plan.exercises if e.exercise == exercise)
    rest = tuple(e for e in plan.exercises if e.exercise != exercise)
    return _record(
        plan, Change("remove_exercise", exercise, old.dose, "", f"removed exercise {old.name}"), exercises=rest
    )


def change_dose(plan: Plan, target: str, dose: str, kb: KnowledgeBase | None = None) -> Plan:
    """Change the dose of an exercise or a treatment item (by its exercise or muscle id).

    With ``kb``, an exercise dose written "SETS x REPS..." is checked against the exercise's
    dose range; outside it is an ``InvalidDoseError``."""
    if not dose.strip():
        raise InvalidDoseError("the dose is empty", field="dose")
    dose = dose.strip()
    if target in {e.exercise for e in plan.exercises}:
        old = next(e for e in plan.exercises if e.exercise == target)
        checks: tuple[str, ...] = ("set by the practitioner",)
        if kb is not None and target in kb.exercises and kb.exercises[target].dose_range is not None:
            r = kb.exercises[target].dose_range
            assert r is not None
            found = DOSE_PATTERN.match(dose)
            if found:
                sets, reps = int(found.group(1)), int(found.group(2))
                if (r.sets_min and sets < r.sets_min) or (r.sets_max and sets > r.sets_max):
                    raise InvalidDoseError(f"{sets} sets is outside {r.sets_min}-{r.sets_max}", field="dose")
                if (r.reps_min and reps < r.reps_min) or (r.reps_max and reps > r.reps_max):
                    raise InvalidDoseError(f"{reps} repetitions is outside {r.reps_min}-{r.reps_max}", field="dose")
                checks = ("set by the practitioner, within the dose range of the knowledge base",)
        exercises = tuple(replace(e, dose=dose, checks=checks) if e.exercise == target else e for e in plan.exercises)
        change = Change("change_dose", target, old.dose, dose, f"dose of {old.name}: {old.dose} -> {dose}")
        return _record(plan, change, exercises=exercises)
    if target in {i.muscle for i in plan.items}:
        item = next(i for i in plan.items if i.muscle == target)
        items = tuple(replace(i, dose=dose) if i.muscle == target else i for i in plan.items)
        change = Change("change_dose", target, item.dose, dose, f"dose for {target}: {item.dose} -> {dose}")
        return _record(plan, change, items=items)
    raise UnknownEntryError(
        "exercise or muscle in this plan",
        target,
        [*(e.exercise for e in plan.exercises), *(i.muscle for i in plan.items)],
    )


def diff_plans(old: Plan, new: Plan) -> tuple[str, ...]:
    """What changed between two versions, in words."""
    before, after = [i.muscle for i in old.items], [i.muscle for i in new.items]
    out = [f"muscle removed: {m}" for m in before if m not in after]
    out += [f"muscle added: {m}" for m in after if m not in before]
    if [m for m in before if m in after] != [m for m in after if m in before]:
        out.append("treatment order changed")
    olds = {i.muscle: i for i in old.items}
    for i in new.items:
        if i.muscle in olds and olds[i.muscle].technique != i.technique:
            out.append(f"technique changed for {i.muscle}: {olds[i.muscle].technique} -> {i.technique}")
        if i.muscle in olds and olds[i.muscle].dose != i.dose:
            out.append(f"dose changed for {i.muscle}")
    ex_before = {e.exercise: e for e in old.exercises}
    ex_after = {e.exercise: e for e in new.exercises}
    out += [f"exercise removed: {e}" for e in ex_before if e not in ex_after]
    out += [f"exercise added: {e}" for e in ex_after if e not in ex_before]
    out += [f"dose changed for {e}" for e in ex_after if e in ex_before and ex_before[e].dose != ex_after[e].dose]
    return tuple(out)
