"""The plan pages: make a plan from a visit, read it with each item's why, edit it, sign it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.clients import services as clients
from taut.core.knowledge.loader import load_base
from taut.plans import services
from taut.plans.models import TreatmentPlan

EDIT_FIELDS = ("op", "muscle", "order", "technique", "dose", "exercise")


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


def _go(record: TreatmentPlan) -> HttpResponse:
    return redirect("plans:plan_detail", client_id=record.client_id, plan_id=record.pk)


@require_POST
@requires("can_edit_plan")
def create_plan(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    try:
        record = services.do_create_plan(visit, request.user, _role(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("clients:visit_detail", client_id=client.pk, visit_id=visit.pk)
    messages.success(request, f"Plan version {record.version} made from the visit's findings.")
    return _go(record)


@requires("can_view_plan")
def plan_detail(request: HttpRequest, client_id: int, plan_id: int) -> HttpResponse:
    record = services.read_plan(_role(request), client_id, plan_id)
    plan = services.plan_of(record)
    kb = load_base()
    latest = TreatmentPlan.objects.filter(visit=record.visit).order_by("-version").first()
    context: dict[str, Any] = {
        "client": record.client,
        "visit": record.visit,
        "record": record,
        "plan": plan,
        "stopped": any(r.instead_of_treatment for r in plan.referrals),
        "is_latest": latest is not None and latest.pk == record.pk,
        "found": (record.inputs or {}).get("found", {}),
        "muscle_names": {k: m.name for k, m in kb.muscles.items()},
        "technique_names": {k: t.name for k, t in kb.techniques.items()},
        "precaution_names": {k: p.name for k, p in kb.precautions.items()},
        "all_muscles": sorted(((k, m.name) for k, m in kb.muscles.items()), key=lambda p: p[1]),
        "all_techniques": sorted(((k, t.name) for k, t in kb.techniques.items() if t.in_scope), key=lambda p: p[1]),
        "all_exercises": sorted(((k, e.name) for k, e in kb.exercises.items()), key=lambda p: p[1]),
    }
    return render(request, "plans/plan_detail.html", context)


@require_POST
@requires("can_edit_plan")
def edit_plan(request: HttpRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    record = services.get_plan(_role(request), client, plan_id)
    data = {k: request.POST[k] for k in EDIT_FIELDS if k in request.POST}
    try:
        changed = services.do_edit_plan(record, data, request.user, _role(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _go(record)
    if changed.pk != record.pk:
        messages.success(request, f"The signed plan is kept; your change is in version {changed.version}, a draft.")
    else:
        messages.success(request, "The plan was changed.")
    return _go(changed)


@require_POST
@requires("can_sign_plan")
def sign_plan(request: HttpRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    record = services.get_plan(_role(request), client, plan_id)
    try:
        record = services.do_sign_plan(record, request.user, _role(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Version {record.version} is signed and locked.")
    return _go(record)


@requires("can_view_plan")
def plan_history(request: HttpRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    record = services.get_plan(_role(request), client, plan_id)
    versions = services.plan_history(_role(request), record)
    return render(request, "plans/plan_history.html", {"client": client, "record": record, "versions": versions})


@requires("can_view_plan")
def client_plans(request: HttpRequest, client_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    plans = list(services.plans_of_client(_role(request), client))
    clients.audit_list("treatmentplan", client=client.pk)
    return render(request, "plans/client_plans.html", {"client": client, "plans": plans})
