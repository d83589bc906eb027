"""API operations of the home programme: programmes (create, read, update), their links (create,
revoke) and the client's adherence entries (listed here; created through the link's page)."""

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
from taut.clients import services as clients
from taut.homecare import services
from taut.homecare.models import AdherenceEntry, HomeProgramme, HomeProgrammeLink

router = Router(tags=["homecare"])


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    exercise: str = Field(max_length=80, description="An exercise id of the knowledge base")
    sets: StrictInt | None = None
    reps: StrictInt | None = None
    hold_seconds: StrictInt | None = None
    per_day: StrictInt | None = None
    per_week: StrictInt | None = None
    note: str = Field("", max_length=services.NOTE_MAX)


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] = Field(min_length=1, max_length=services.MAX_ITEMS)
    notes: str = Field("", max_length=services.NOTES_MAX)
    plan_id: StrictInt | None = Field(None, ge=1, le=2**31 - 1)


class ProgrammeUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] = Field(min_length=1, max_length=services.MAX_ITEMS)
    notes: str | None = Field(None, max_length=services.NOTES_MAX)


class ItemOut(BaseModel):
    exercise: str
    name: str
    dose: str
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    per_day: int | None = None
    per_week: int | None = None
    note: str = ""


class ProgrammeOut(BaseModel):
    id: int
    client_id: int
    created_by_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    plan_id: int | None
    notes: str
    items: list[ItemOut]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expires_in_days: StrictInt = Field(services.DEFAULT_DAYS, ge=services.MIN_DAYS, le=services.MAX_DAYS)


class LinkOut(BaseModel):
    id: int
    client_id: int
    programme_id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    opened_at: dt.datetime | None
    revoked_at: dt.datetime | None
    status: Literal["active", "expired", "revoked"]


class LinkCreated(LinkOut):
    url: str = Field(description="The link to send to the client. Returned only now; only its hash is stored.")
    emailed: bool


class EntryOut(BaseModel):
    id: int
    exercise_id: str
    date: dt.date
    done: bool
    pain: int | None
    difficulty: int | None


class SummaryOut(BaseModel):
    exercise_id: str
    name: str
    days_due: int
    days_done: int
    pain_trend: str


class AdherenceOut(BaseModel):
    entries: list[EntryOut]
    summary: list[SummaryOut]


def programme_out(programme: HomeProgramme) -> dict[str, Any]:
    items = [{**s.item, "name": s.exercise.name, "dose": s.dose} for s in services.shown_items(programme)]
    fields = ProgrammeOut.model_fields.keys() - {"items"}
    return {**{f: getattr(programme, f) for f in fields}, "items": items}


def link_out(link: HomeProgrammeLink) -> dict[str, Any]:
    fields = LinkOut.model_fields.keys() - {"status"}
    return {**{f: getattr(link, f) for f in fields}, "status": link.status}


def _items(payload: ProgrammeIn | ProgrammeUpdateIn) -> list[dict[str, Any]]:
    return [i.model_dump(exclude_none=True) for i in payload.items]


@router.post("/clients/{client_id}/home-programmes", response={201: ProgrammeOut, **ERR})
def create_home_programme(request: HttpRequest, client_id: int, payload: ProgrammeIn) -> Any:
    client = clients.get_client(client_id)
    programme = services.do_create_programme(
        client, _items(payload), request.user, _role(request), notes=payload.notes, plan_id=payload.plan_id
    )
    return Status(201, programme_out(programme))


@router.get("/clients/{client_id}/home-programmes", response={200: list[ProgrammeOut], **ERR})
def list_home_programmes(request: HttpRequest, client_id: int) -> Any:
    capabilities.require(_role(request), "can_view_clinical")
    client = clients.get_client(client_id)
    clients.audit_list("homeprogramme", client=client.pk)
    return [programme_out(p) for p in services.list_programmes(client)[:200]]


@router.get("/clients/{client_id}/home-programmes/{programme_id}", response={200: ProgrammeOut, **ERR})
def get_home_programme(request: HttpRequest, client_id: int, programme_id: int) -> Any:
    capabilities.require(_role(request), "can_view_clinical")
    return programme_out(services.read_programme(clients.get_client(client_id), programme_id))


@router.put("/clients/{client_id}/home-programmes/{programme_id}", response={200: ProgrammeOut, **ERR})
def update_home_programme(request: HttpRequest, client_id: int, programme_id: int, payload: ProgrammeUpdateIn) -> Any:
    capabilities.require(_role(request), "can_edit_clinical")
    programme = services.get_programme(clients.get_client(client_id), programme_id)
    return programme_out(services.do_update_programme(programme, _items(payload), _role(request), notes=payload.notes))


@router.post("/clients/{client_id}/home-programmes/{programme_id}/links", response={201: LinkCreated, **ERR})
def create_home_programme_link(request: HttpRequest, client_id: int, programme_id: int, payload: LinkIn) -> Any:
    capabilities.require(_role(request), "can_send_home_programme")
    programme = services.get_programme(clients.get_client(client_id), programme_id)

    def url_for(token: str) -> str:
        return request.build_absolute_uri(reverse("homecare:home_programme", kwargs={"home_token": token}))

    link, plaintext = services.do_send_link(
        programme, request.user, _role(request), days=payload.expires_in_days, url_for=url_for
    )
    return Status(201, {**link_out(link), "url": url_for(plaintext), "emailed": link.emailed})


@router.post("/clients/{client_id}/home-programme-links/{home_link_id}/revoke", response={200: LinkOut, **ERR})
def revoke_home_programme_link(request: HttpRequest, client_id: int, home_link_id: int) -> Any:
    capabilities.require(_role(request), "can_send_home_programme")
    link = services.get_link(clients.get_client(client_id), home_link_id)
    return link_out(services.do_revoke_link(link, _role(request)))


@router.get("/clients/{client_id}/home-programmes/{programme_id}/adherence", response={200: AdherenceOut, **ERR})
def list_home_adherence(request: HttpRequest, client_id: int, programme_id: int) -> Any:
    capabilities.require(_role(request), "can_view_clinical")
    programme = services.get_programme(clients.get_client(client_id), programme_id)
    summary = services.adherence_summary(programme)  # writes the one list entry
    entries = AdherenceEntry.objects.filter(programme=programme).order_by("date", "exercise_id")[:1000]
    return {
        "entries": [EntryOut.model_validate(e, from_attributes=True) for e in entries],
        "summary": [
            {
                "exercise_id": s.exercise_id,
                "name": s.name,
                "days_due": s.days_due,
                "days_done": s.days_done,
                "pain_trend": s.trend,
            }
            for s in summary
        ],
    }
