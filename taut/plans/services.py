"""Every read and write of treatment plans: capability check, one transaction, one audit entry.

The plan itself is made by the pure core (``taut.core.planning.generate_plan``) from a
``PlanInputs`` this module builds out of the visit's records. Edits the core offers (every
edit) go through it; this module checks the form or JSON first and records the change in words.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.assessments.models import OutcomeMeasure, PainChart, RomAssessment, WellnessAnswers
from taut.audit import service as audit
from taut.clients import services as clients
from taut.clients.models import Client, Visit
from taut.core.errors import TautError, UnknownEntryError
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import KnowledgeBase
from taut.core.planning import edits
from taut.core.planning.edits import diff_plans
from taut.core.planning.generate import generate_plan
from taut.core.planning.inputs import NeuralInput, PlanInputs, RankedMuscle
from taut.core.planning.model import Plan
from taut.intake.models import IntakeSubmission
from taut.motion.models import GaitVideo, PosturePhoto
from taut.plans.models import TreatmentPlan
from taut.safety import services as safety

FOUND_SCORE = 0.05  # the score of a muscle a posture, gait or ROM finding names (below any charted one)
# The neural differential scores a suspect fit x (0.6 + 0.4 x specificity) (x 1.15 for a root with pain
# at its level of the spine, x the likelihood ratios of special tests): 0.7 asks for the whole neural
# pattern inside the territory and a quarter of the territory marked. Large territories (the brachial
# plexus, the whole median nerve for one palm) hold any pattern and stay below. See docs/planning.md.
NEURAL_THRESHOLD = 0.7
NEURAL_KINDS = ("root", "soft_tissue", "fibro_osseous", "bony", "disc")
TEXT_MAX = 300
OPERATIONS = (
    "remove_muscle",
    "reorder_muscles",
    "add_muscle",
    "change_technique",
    "change_dose",
    "add_exercise",
    "remove_exercise",
    "change_exercise_dose",
)
OPERATION_WORDS = {
    "remove_muscle": "Remove a muscle",
    "reorder_muscles": "Change the treatment order",
    "add_muscle": "Add a muscle",
    "change_technique": "Change a technique",
    "change_dose": "Change a treatment dose",
    "add_exercise": "Add a home exercise",
    "remove_exercise": "Remove a home exercise",
    "change_exercise_dose": "Change an exercise dose",
}


# Reading the visit -----------------------------------------------------------------------------


def _muscle_ids(refs: Any) -> list[str]:
    out: list[str] = []
    for r in refs or []:
        mid = r.get("id") if isinstance(r, dict) else r
        if isinstance(mid, str):
            out.append(mid)
    return out


def _medications(*texts: str) -> tuple[str, ...]:
    parts = [p.strip() for t in texts for p in re.split(r"[,;\n]+", t or "")]
    return tuple(dict.fromkeys(p[:TEXT_MAX] for p in parts if p))


def _neural_input(record: Any, kb: KnowledgeBase) -> NeuralInput | None:
    """A suspect of the stored neural differential that reaches NEURAL_THRESHOLD, as a plan input."""
    if not isinstance(record, dict) or record.get("kind") not in NEURAL_KINDS:
        return None
    score = record.get("score")
    if not isinstance(score, int | float) or isinstance(score, bool) or score < NEURAL_THRESHOLD:
        return None
    structure, name = record.get("structure"), record.get("name")
    if not isinstance(structure, str) or not isinstance(name, str):
        return None
    if structure not in kb.nerves and structure not in kb.dermatomes:
        return None
    site = record.get("site") if isinstance(record.get("site"), str) else ""
    muscle = record.get("muscle")
    return NeuralInput(
        kind=str(record["kind"]),
        structure=structure,
        name=name + (f" at {site}" if site else ""),
        label=str(record.get("label") or ""),
        muscle=muscle if isinstance(muscle, str) and muscle in kb.muscles else None,
        score=round(float(score), 4),
    )


def gather(visit: Visit, kb: KnowledgeBase | None = None) -> tuple[PlanInputs, dict[str, Any]]:
    """The plan's inputs from the visit's records, and what was found (with where) for the record.

    Red flags and contraindications count while the safety banner shows them (a flag a physician
    has cleared does not stop the plan)."""
    kb = kb or load_base()
    client = visit.client
    found: dict[str, Any] = {"records": [], "neural": [], "posture": [], "gait": [], "rom": [], "measures": []}
    found["wellness"] = []
    scores: dict[str, float] = {}
    condition: str | None = None
    red_flags: list[str] = []
    neural: list[NeuralInput] = []
    chart = PainChart.objects.filter(visit=visit).first()
    if chart is not None:
        found["records"].append(f"pain chart {chart.pk}")
        analysis = chart.analysis if isinstance(chart.analysis, dict) else {}
        for c in analysis.get("explaining") or analysis.get("candidates") or []:
            if isinstance(c, dict) and c.get("muscle") in kb.muscles:
                scores.setdefault(str(c["muscle"]), round(float(c.get("probability") or 0.0), 4))
        cond = (analysis.get("chart") or {}).get("condition") or (chart.inputs or {}).get("condition")
        condition = cond if isinstance(cond, str) and cond in kb.conditions else None
        for f in analysis.get("red_flags") or []:
            if isinstance(f, dict) and f.get("id") in kb.red_flags:
                red_flags.append(str(f["id"]))
        for n in analysis.get("neural") or []:
            if isinstance(n, dict) and n.get("label"):
                found["neural"].append(
                    {
                        "label": n["label"],
                        "kind": n.get("kind", ""),
                        "advice": n.get("advice", ""),
                        "name": n.get("name", ""),
                        "score": n.get("score"),
                    }
                )
            suspect = _neural_input(n, kb)
            if suspect is not None:
                neural.append(suspect)
    rom = RomAssessment.objects.filter(visit=visit).first()
    if rom is not None:
        found["records"].append(f"range of motion {rom.pk}")
        for r in rom.readings or []:
            muscles = [m for m in _muscle_ids(r.get("muscles")) if m in kb.muscles]
            if muscles:
                found["rom"].append({"motion": r.get("motion", ""), "side": r.get("side", ""), "short": muscles})
                for m in muscles:
                    scores.setdefault(m, FOUND_SCORE)
    for photo in PosturePhoto.objects.filter(visit=visit).order_by("id"):
        found["records"].append(f"posture photo {photo.pk}")
        for f in (photo.report or {}).get("findings", []) + (photo.report or {}).get("patterns", []):
            short = [m for m in _muscle_ids(f.get("short")) if m in kb.muscles]
            found["posture"].append({"name": f.get("name", ""), "short": short})
            for m in short:
                scores.setdefault(m, FOUND_SCORE)
    for video in GaitVideo.objects.filter(visit=visit).exclude(report=None).order_by("id"):
        found["records"].append(f"gait video {video.pk}")
        for f in (video.report or {}).get("findings", []):
            short = [m for m in _muscle_ids(f.get("short")) if m in kb.muscles]
            found["gait"].append({"name": f.get("name", ""), "short": short})
            for m in short:
                scores.setdefault(m, FOUND_SCORE)
    for measure in OutcomeMeasure.objects.filter(visit=visit).order_by("id"):
        score = measure.score if isinstance(measure.score, dict) else {}
        found["measures"].append(
            {"instrument": measure.instrument, "value": score.get("value"), "band": score.get("band")}
        )
    wellness = WellnessAnswers.objects.filter(visit=visit).first()
    wellness_answers: tuple[tuple[str, str], ...] = ()
    if wellness is not None and isinstance(wellness.answers, dict):
        wellness_answers = tuple(sorted((str(k), str(v)) for k, v in wellness.answers.items()))
    if wellness is not None:
        found["wellness"] = [
            {"text": a.get("text", ""), "domain": a.get("domain", ""), "sources": a.get("sources", [])}
            for a in (wellness.advice or {}).get("advice", [])
            if isinstance(a, dict)
        ]
    intake = IntakeSubmission.objects.filter(client=client).order_by("-submitted_at", "-id").first()
    precautions: list[str] = []
    intake_medications = ""
    reason = ""
    if intake is not None:
        found["records"].append(f"intake {intake.version}")
        health = (intake.answers or {}).get("health") or {}
        intake_medications = str(health.get("medications") or "")
        reason = str(health.get("reason") or "")
        for f in intake.red_flags or []:
            if isinstance(f, dict) and f.get("id") in kb.red_flags:
                red_flags.append(str(f["id"]))
        precautions = [
            str(c["id"])
            for c in intake.contraindications or []
            if isinstance(c, dict) and c.get("id") in kb.precautions and kb.precautions[c["id"]].kind == "screen"
        ]
    active = {f.key for f in safety.active_flags(client)}
    red_flags = [f for f in dict.fromkeys(red_flags) if safety.red_flag_key(f) in active]
    precautions = [p for p in precautions if safety.contraindication_key(p) in active]
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    days = (visit.date - visit.onset_date).days if visit.onset_date and visit.date >= visit.onset_date else None
    skin = tuple(z for z in visit.skin_areas or [] if isinstance(z, str) and z in kb.zones)
    surgery = tuple(z for z in visit.surgery_areas or [] if isinstance(z, str) and z in kb.zones)
    if visit.onset_date:
        found["records"].append(f"onset {visit.onset_date:%Y-%m-%d}")
    inputs = PlanInputs(
        chief_complaint=(visit.chief_complaint or reason)[:TEXT_MAX],
        condition=condition,
        days_since_onset=days,
        skin_areas=skin,
        surgery_areas=surgery,
        muscles=tuple(RankedMuscle(m, s) for m, s in ranked),
        red_flags=tuple(red_flags),
        precautions=tuple(precautions),
        neural=tuple(neural),
        medications=_medications(intake_medications, client.medications),
        wellness=wellness_answers,
    )
    return inputs, found


def make_plan(visit: Visit) -> tuple[Plan, dict[str, Any]]:
    """The plan the core makes from the visit now (nothing stored), and the inputs record."""
    kb = load_base()
    inputs, found = gather(visit, kb)
    try:
        plan = generate_plan(inputs, kb)
    except UnknownEntryError as exc:
        raise ValidationError({"plan": str(exc)}) from None
    return plan, {"plan_inputs": asdict(inputs), "found": found}


def plan_of(record: TreatmentPlan) -> Plan:
    return Plan.from_json(json.dumps(record.plan))


def _as_json(plan: Plan) -> Any:
    return json.loads(plan.to_json())


# Edits -----------------------------------------------------------------------------------------


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({key: "This is required."})
    if len(value) > TEXT_MAX or "\x00" in value:
        raise ValidationError({key: f"Keep it under {TEXT_MAX} characters."})
    return value.strip()


def _item_muscle(plan: Plan, data: dict[str, Any]) -> str:
    muscle = _text(data, "muscle")
    if muscle not in {i.muscle for i in plan.items}:
        raise ValidationError({"muscle": "This plan does not treat that muscle."})
    return muscle


def apply_edit(plan: Plan, data: dict[str, Any], kb: KnowledgeBase | None = None) -> Plan:
    """One edit of the plan (``data["op"]`` names it), made by the core's edit of that name; a
    ValidationError names the field at fault."""
    kb = kb or load_base()
    if not isinstance(data, dict):
        raise ValidationError({"op": "Send one edit as an object."})
    op = data.get("op")
    if op not in OPERATIONS:
        raise ValidationError({"op": "Choose an edit: " + ", ".join(OPERATIONS) + "."})
    stopped = any(r.instead_of_treatment for r in plan.referrals)
    if stopped and op in ("add_muscle", "add_exercise"):
        raise ValidationError({"op": "This plan is a referral instead of treatment: resolve the red flag first."})
    field = "exercise" if "exercise" in str(op) else "muscle"
    try:
        if op == "remove_muscle":
            return edits.remove_muscle(plan, _item_muscle(plan, data))
        if op == "reorder_muscles":
            order = data.get("order")
            if isinstance(order, str):
                order = [m.strip() for m in order.split(",") if m.strip()]
            if not isinstance(order, list) or not order or not all(isinstance(m, str) for m in order):
                raise ValidationError({"order": "List the muscles in the new order."})
            current = {i.muscle for i in plan.items}
            if len(set(order)) != len(order) or not set(order) <= current:
                raise ValidationError({"order": "Name each muscle of this plan at most once."})
            return edits.reorder_muscles(plan, tuple(order))
        if op == "add_muscle":
            muscle = _text(data, "muscle")
            if muscle not in kb.muscles:
                raise ValidationError({"muscle": "The knowledge base has no muscle with that id."})
            if muscle in {i.muscle for i in plan.items}:
                raise ValidationError({"muscle": "This plan already treats that muscle."})
            return edits.add_muscle(plan, kb, muscle, why="added by the practitioner")
        if op == "change_technique":
            muscle = _item_muscle(plan, data)
            field = "technique"
            tid = _text(data, "technique")
            if tid not in kb.techniques:
                raise ValidationError({"technique": "The knowledge base has no technique with that id."})
            if not kb.techniques[tid].in_scope:
                raise ValidationError({"technique": "That technique is outside massage scope: refer for it instead."})
            return edits.change_technique(plan, kb, muscle, tid)
        if op == "change_dose":
            field = "dose"
            return edits.change_dose(plan, _item_muscle(plan, data), _text(data, "dose"), kb)
        eid = _text(data, "exercise")
        if op == "add_exercise":
            if eid not in kb.exercises:
                raise ValidationError({"exercise": "The knowledge base has no exercise with that id."})
            if eid in {e.exercise for e in plan.exercises}:
                raise ValidationError({"exercise": "This plan already holds that exercise."})
            return edits.add_exercise(plan, kb, eid, why="added by the practitioner")
        if eid not in {e.exercise for e in plan.exercises}:
            raise ValidationError({"exercise": "This plan does not hold that exercise."})
        if op == "remove_exercise":
            return edits.remove_exercise(plan, eid)
        field = "dose"
        return edits.change_dose(plan, eid, _text(data, "dose"), kb)
    except TautError as exc:
        raise ValidationError({exc.field or field: str(exc)}) from None


def differences(old: Plan, new: Plan) -> list[str]:
    """What changed between two versions, in words: muscles (the core's diff), techniques, doses, exercises."""
    out = list(diff_plans(old, new))
    before = {i.muscle: i for i in old.items}
    for i in new.items:
        was = before.get(i.muscle)
        if was is None:
            continue
        if was.technique != i.technique:
            out.append(f"technique for {i.muscle}: {was.technique} → {i.technique}")
        if was.dose != i.dose:
            out.append(f"dose for {i.muscle}: {was.dose} → {i.dose}")
    ex_before = {e.exercise: e for e in old.exercises}
    ex_after = {e.exercise: e for e in new.exercises}
    out += [f"exercise removed: {e.name}" for k, e in ex_before.items() if k not in ex_after]
    out += [f"exercise added: {e.name}" for k, e in ex_after.items() if k not in ex_before]
    out += [
        f"dose for {e.name}: {ex_before[k].dose} → {e.dose}"
        for k, e in ex_after.items()
        if k in ex_before and ex_before[k].dose != e.dose
    ]
    if [r.reason for r in old.referrals] != [r.reason for r in new.referrals]:
        out.append("referrals changed")
    return out


# The write paths -------------------------------------------------------------------------------


def _latest(visit: Visit) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(visit=visit).order_by("-version").first()


def do_create_plan(visit: Visit, user: Any, role: str | None) -> TreatmentPlan:
    """Make the visit's plan from its findings and store it as a draft (the next version, if the
    visit has one: an unsigned draft it replaces is marked superseded)."""
    capabilities.require(role, "can_edit_plan")
    plan, inputs = make_plan(visit)
    with transaction.atomic():
        latest = TreatmentPlan.objects.select_for_update().filter(visit=visit).order_by("-version").first()
        changes = ["first version"] if latest is None else ["made again from the visit's findings"]
        if latest is not None:
            changes += differences(plan_of(latest), plan)
        record = TreatmentPlan.objects.create(
            clinic=visit.clinic,
            client=visit.client,
            visit=visit,
            version=1 if latest is None else latest.version + 1,
            previous=latest,
            plan=_as_json(plan),
            kb_version=plan.kb_version,
            inputs=inputs,
            changes=changes,
            created_by=user,
        )
        if latest is not None and latest.status == TreatmentPlan.Status.DRAFT:
            latest.status = TreatmentPlan.Status.SUPERSEDED
            latest.save(update_fields=["status", "updated_at"])
        audit.record("create", record, detail={"visit": visit.pk, "version": record.version})
    return record


def do_edit_plan(record: TreatmentPlan, data: dict[str, Any], user: Any, role: str | None) -> TreatmentPlan:
    """Apply one edit. A draft changes in place; a signed plan stays as signed and the edit makes
    the next version, a draft. A superseded version is refused. Returns the plan that changed."""
    capabilities.require(role, "can_edit_plan")
    kb = load_base()
    with transaction.atomic():
        record = TreatmentPlan.objects.select_for_update().get(pk=record.pk)
        if record.status == TreatmentPlan.Status.SUPERSEDED:
            raise ValidationError({"status": "This version is superseded: edit the latest version."})
        latest = _latest(record.visit)
        if latest is not None and latest.pk != record.pk:
            raise ValidationError({"status": "A newer version of this plan exists: edit that one."})
        old = plan_of(record)
        new = apply_edit(old, data, kb)
        words = differences(old, new) or [new.edits[-1]]
        if record.status == TreatmentPlan.Status.DRAFT:
            record.plan = _as_json(new)
            record.changes = [*record.changes, *words]
            record.save(update_fields=["plan", "changes", "updated_at"])
            audit.record("update", record, detail={"op": data["op"], "version": record.version})
            return record
        draft = TreatmentPlan.objects.create(
            clinic=record.clinic,
            client=record.client,
            visit=record.visit,
            version=record.version + 1,
            previous=record,
            plan=_as_json(new),
            kb_version=record.kb_version,
            inputs=record.inputs,
            changes=words,
            created_by=user,
        )
        audit.record("create", draft, detail={"op": data["op"], "version": draft.version, "from": record.pk})
    return draft


def do_sign_plan(record: TreatmentPlan, user: Any, role: str | None) -> TreatmentPlan:
    """Sign the draft: from now on it is locked; the signed version before it is superseded."""
    capabilities.require(role, "can_sign_plan")
    with transaction.atomic():
        record = TreatmentPlan.objects.select_for_update().get(pk=record.pk)
        if record.status != TreatmentPlan.Status.DRAFT:
            raise ValidationError({"status": "Only a draft can be signed; this version is already locked."})
        if not plan_of(record).safety.ran:
            raise ValidationError({"status": "The contraindication check has not run for this plan."})
        record.status = TreatmentPlan.Status.SIGNED
        record.signed_by = user
        record.signed_at = timezone.now()
        record.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
        TreatmentPlan.objects.filter(
            visit=record.visit, version__lt=record.version, status=TreatmentPlan.Status.SIGNED
        ).update(status=TreatmentPlan.Status.SUPERSEDED)
        audit.record("update", record, detail={"signed": True, "version": record.version})
    return record


# Reads -----------------------------------------------------------------------------------------


def get_plan(role: str | None, client: Client, plan_id: object) -> TreatmentPlan:
    """One plan, looked up by clinic, then client, then id (not audited: the caller reads or writes it)."""
    capabilities.require(role, "can_view_plan")
    return get_or_404(TreatmentPlan.objects.filter(client=client).select_related("visit"), pk=plan_id)


def read_plan(role: str | None, client_id: object, plan_id: object) -> TreatmentPlan:
    """One plan, audited as read."""
    capabilities.require(role, "can_view_plan")
    record = get_plan(role, clients.get_client(client_id), plan_id)
    clients.audit_read(record)
    return record


def plan_history(role: str | None, record: TreatmentPlan) -> list[TreatmentPlan]:
    """Every version of the plan's visit, newest first (audited as a list)."""
    capabilities.require(role, "can_view_plan")
    versions = list(TreatmentPlan.objects.filter(visit=record.visit).order_by("-version"))
    clients.audit_list("treatmentplan", client=record.client_id, visit=record.visit_id)
    return versions


def plans_of_client(role: str | None, client: Client) -> QuerySet[TreatmentPlan]:
    capabilities.require(role, "can_view_plan")
    return TreatmentPlan.objects.filter(client=client).select_related("visit").order_by("-visit__date", "-version")
