"""API operations of the intake app: send, list and revoke intake links; read submitted intakes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from taut.api.errors import ERR
from taut.clients import services as clients
from taut.intake import forms as intake_forms
from taut.intake import services
from taut.intake.models import IntakeLink, IntakeSubmission

router = Router(tags=["intake"])
LinkStatus = Literal["pending", "opened", "submitted", "expired", "revoked"]


class IntakeLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expires_in_days: StrictInt = Field(
        intake_forms.DEFAULT_DAYS,
        ge=intake_forms.MIN_DAYS,
        le=intake_forms.MAX_DAYS,
        description="Days the link stays valid",
    )
    practitioner_id: StrictInt | None = Field(
        None, ge=1, le=2**31 - 1, description="The practitioner the intake is for (default: you, or the clinic's first)"
    )


class IntakeLinkOut(BaseModel):
    id: int
    client_id: int
    practitioner_id: int
    created_by_id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    opened_at: dt.datetime | None
    submitted_at: dt.datetime | None
    revoked_at: dt.datetime | None
    status: LinkStatus


class IntakeLinkCreated(IntakeLinkOut):
    url: str = Field(description="The link to send to the client. Returned only now; only its hash is stored.")
    emailed: bool = Field(description="Whether the link was e-mailed to the client's address")


class IntakeFindingOut(BaseModel):
    id: str
    action: str
    question: str = ""
    detail: str = ""
    name: str = ""
    urgency: str = ""


class IntakeClinicalOut(BaseModel):
    answers: dict[str, dict[str, str]]
    contraindications: list[IntakeFindingOut]
    red_flags: list[IntakeFindingOut]


class IntakeOut(BaseModel):
    id: int
    client_id: int
    link_id: int | None
    visit_id: int
    consent_id: int | None
    channel: Literal["link", "in_clinic"]
    version: int
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None
    screen_version: str
    kb_version: str
    refer: bool | None = Field(description="Whether anything says stop and refer (null for non-clinical roles)")
    clinical: IntakeClinicalOut | None = Field(description="The answers and findings (clinical roles only)")


def link_out(link: IntakeLink) -> dict[str, Any]:
    fields = IntakeLinkOut.model_fields.keys() - {"status"}
    return {**{f: getattr(link, f) for f in fields}, "status": link.status}


def intake_out(submission: IntakeSubmission, role: str | None) -> dict[str, Any]:
    clinical = services.clinical_role(role)
    fields = IntakeOut.model_fields.keys() - {"refer", "clinical"}
    data: dict[str, Any] = {f: getattr(submission, f) for f in fields}
    data["refer"] = submission.refer if clinical else None
    data["clinical"] = (
        {
            "answers": submission.answers,
            "contraindications": submission.contraindications,
            "red_flags": submission.red_flags,
        }
        if clinical
        else None
    )
    return data


@router.post("/clients/{client_id}/intake-links", response={201: IntakeLinkCreated, **ERR})
def create_intake_link(request: HttpRequest, client_id: int, payload: IntakeLinkIn) -> Any:
    client = clients.get_client(client_id)
    link, plaintext = services.do_create_link(
        client,
        request.user,
        getattr(request, "role", None),
        days=payload.expires_in_days,
        practitioner_id=payload.practitioner_id,
        url_for=lambda token: request.build_absolute_uri(
            reverse("intake:intake_start", kwargs={"intake_token": token})
        ),
    )
    url = request.build_absolute_uri(reverse("intake:intake_start", kwargs={"intake_token": plaintext}))
    return Status(201, {**link_out(link), "url": url, "emailed": link.emailed})


@router.get("/clients/{client_id}/intake-links", response={200: list[IntakeLinkOut], **ERR})
def list_intake_links(request: HttpRequest, client_id: int) -> Any:
    client = clients.get_client(client_id)
    links = services.list_links(client, getattr(request, "role", None))
    clients.audit_list("intakelink", client=client.pk)
    return [link_out(link) for link in links[:200]]


@router.post("/clients/{client_id}/intake-links/{link_id}/revoke", response={200: IntakeLinkOut, **ERR})
def revoke_intake_link(request: HttpRequest, client_id: int, link_id: int) -> Any:
    link = services.get_link(clients.get_client(client_id), link_id)
    return link_out(services.do_revoke_link(link, getattr(request, "role", None)))


@router.get("/clients/{client_id}/intakes", response={200: list[IntakeOut], **ERR})
def list_intakes(request: HttpRequest, client_id: int) -> Any:
    client = clients.get_client(client_id)
    clients.audit_list("intakesubmission", client=client.pk)
    role = getattr(request, "role", None)
    return [intake_out(s, role) for s in services.list_submissions(client)[:200]]


@router.get("/clients/{client_id}/intakes/{intake_id}", response={200: IntakeOut, **ERR})
def get_intake(request: HttpRequest, client_id: int, intake_id: int) -> Any:
    submission = services.read_submission(clients.get_client(client_id), intake_id)
    return intake_out(submission, getattr(request, "role", None))
