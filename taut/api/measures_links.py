"""API operations of the outcome measures sent to the client's phone: create and revoke a link
(the client fills it on its public page, taut.assessments.views_link)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from taut.access import capabilities
from taut.api.errors import ERR
from taut.assessments import links
from taut.assessments.link_models import MeasuresLink
from taut.clients import services as clients

router = Router(tags=["measures"])


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


class MeasuresLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instruments: list[str] = Field(
        min_length=1, max_length=links.MAX_INSTRUMENTS, description="Instrument ids of the knowledge base"
    )
    expires_in_days: StrictInt = Field(links.DEFAULT_DAYS, ge=links.MIN_DAYS, le=links.MAX_DAYS)


class MeasuresLinkOut(BaseModel):
    id: int
    client_id: int
    visit_id: int
    instruments: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    opened_at: dt.datetime | None
    revoked_at: dt.datetime | None
    used_at: dt.datetime | None
    status: Literal["active", "used", "expired", "revoked"]


class MeasuresLinkCreated(MeasuresLinkOut):
    url: str = Field(description="The link to send to the client. Returned only now; only its hash is stored.")
    emailed: bool


def link_out(link: MeasuresLink) -> dict[str, Any]:
    fields = MeasuresLinkOut.model_fields.keys() - {"status"}
    return {**{f: getattr(link, f) for f in fields}, "status": link.status}


@router.post("/clients/{client_id}/visits/{visit_id}/measures-links", response={201: MeasuresLinkCreated, **ERR})
def create_measures_link(request: HttpRequest, client_id: int, visit_id: int, payload: MeasuresLinkIn) -> Any:
    capabilities.require(_role(request), links.CAPABILITY)
    visit = clients.get_visit(clients.get_client(client_id), visit_id)

    def url_for(token: str) -> str:
        return request.build_absolute_uri(reverse("assessments:measures_link", kwargs={"measures_token": token}))

    link, plaintext = links.do_send_link(
        visit, payload.instruments, request.user, _role(request), days=payload.expires_in_days, url_for=url_for
    )
    return Status(201, {**link_out(link), "url": url_for(plaintext), "emailed": link.emailed})


@router.post("/clients/{client_id}/measures-links/{measures_link_id}/revoke", response={200: MeasuresLinkOut, **ERR})
def revoke_measures_link(request: HttpRequest, client_id: int, measures_link_id: int) -> Any:
    capabilities.require(_role(request), links.CAPABILITY)
    link = links.get_link(clients.get_client(client_id), measures_link_id)
    return link_out(links.do_revoke_link(link, _role(request)))
