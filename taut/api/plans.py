"""HTTP API v1: treatment plans. Make one from a visit, read it, edit it (one operation per call),
sign it, and list its versions. A signed plan is locked: an edit of it returns the new version.
An edit is one operation posted to the plan's `edits`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Field

from taut.access import capabilities
from taut.api.errors import ERR
from taut.clients import services as clients
from taut.plans import services
from taut.plans.models import TreatmentPlan

router = Router(tags=["plans"])
Operation = Literal[
    "remove_muscle",
    "reorder_muscles",
    "add_muscle",
    "change_technique",
    "change_dose",
    "add_exercise",
    "remove_exercise",
    "change_exercise_dose",
]


class PlanOut(BaseModel):
    id: int
    client_id: int
    visit_id: int
    version: int
    previous_id: int | None
    status: Literal["draft", "signed", "superseded"]
    kb_version: str
    plan: dict[str, Any] = Field(description="The plan: safety check, referrals, items and exercises, each with why")
    inputs: dict[str, Any] = Field(description="What the plan was made from")
    changes: list[str] = Field(description="What changed from the version before, in words")
    created_at: dt.datetime
    created_by_id: int
    signed_at: dt.datetime | None
    signed_by_id: int | None


class VersionOut(BaseModel):
    id: int
    version: int
    status: Literal["draft", "signed", "superseded"]
    changes: list[str]
    created_at: dt.datetime
    signed_at: dt.datetime | None


class EditIn(BaseModel):
    """One edit. `muscle`, `technique` and `exercise` are knowledge-base ids; `order` lists muscle ids."""

    model_config = ConfigDict(extra="forbid")
    op: Operation
    muscle: str = Field("", max_length=services.TEXT_MAX)
    order: list[str] = Field(default_factory=list, max_length=200)
    technique: str = Field("", max_length=services.TEXT_MAX)
    exercise: str = Field("", max_length=services.TEXT_MAX)
    dose: str = Field("", max_length=services.TEXT_MAX)


def _out(record: TreatmentPlan) -> dict[str, Any]:
    return {
        "id": record.pk,
        "client_id": record.client_id,
        "visit_id": record.visit_id,
        "version": record.version,
        "previous_id": record.previous_id,
        "status": record.status,
        "kb_version": record.kb_version,
        "plan": record.plan,
        "inputs": record.inputs,
        "changes": list(record.changes or []),
        "created_at": record.created_at,
        "created_by_id": record.created_by_id,
        "signed_at": record.signed_at,
        "signed_by_id": record.signed_by_id,
    }


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


@router.post("/clients/{client_id}/visits/{visit_id}/plans", response={201: PlanOut, **ERR})
def create_plan(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    """Make the visit's plan from its findings (the contraindication check runs first); stored as a draft."""
    capabilities.require(_role(request), "can_edit_plan")
    visit = clients.get_visit(clients.get_client(client_id), visit_id)
    return Status(201, _out(services.do_create_plan(visit, request.user, _role(request))))


@router.get("/clients/{client_id}/plans", response={200: list[VersionOut], **ERR})
def list_plans(request: HttpRequest, client_id: int) -> Any:
    """Every plan version of the client, newest visit first."""
    client = clients.get_client(client_id)
    plans = list(services.plans_of_client(_role(request), client))
    clients.audit_list("treatmentplan", client=client.pk)
    return [_version(p) for p in plans]


@router.get("/clients/{client_id}/plans/{plan_id}", response={200: PlanOut, **ERR})
def get_plan(request: HttpRequest, client_id: int, plan_id: int) -> Any:
    """One plan version."""
    return _out(services.read_plan(_role(request), client_id, plan_id))


@router.post("/clients/{client_id}/plans/{plan_id}/edits", response={200: PlanOut, **ERR})
def update_plan(request: HttpRequest, client_id: int, plan_id: int, payload: EditIn) -> Any:
    """Apply one edit. A draft changes in place; a signed plan is kept and the new version (a draft) is returned."""
    capabilities.require(_role(request), "can_edit_plan")
    record = services.get_plan(_role(request), clients.get_client(client_id), plan_id)
    data = {k: v for k, v in payload.model_dump().items() if v not in ("", [])}
    return _out(services.do_edit_plan(record, data, request.user, _role(request)))


@router.post("/clients/{client_id}/plans/{plan_id}/sign", response={200: PlanOut, **ERR})
def sign_plan(request: HttpRequest, client_id: int, plan_id: int) -> Any:
    """Sign a draft; it is locked from now on."""
    capabilities.require(_role(request), "can_sign_plan")
    record = services.get_plan(_role(request), clients.get_client(client_id), plan_id)
    return _out(services.do_sign_plan(record, request.user, _role(request)))


def _version(p: TreatmentPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "version": p.version,
        "status": p.status,
        "changes": list(p.changes or []),
        "created_at": p.created_at,
        "signed_at": p.signed_at,
    }


@router.get("/clients/{client_id}/plans/{plan_id}/versions", response={200: list[VersionOut], **ERR})
def list_plan_versions(request: HttpRequest, client_id: int, plan_id: int) -> Any:
    """Every version of the plan's visit, newest first, each with what changed in words."""
    record = services.get_plan(_role(request), clients.get_client(client_id), plan_id)
    return [_version(v) for v in services.plan_history(_role(request), record)]
