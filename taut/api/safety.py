"""HTTP API v1: safety. The client's red flags and contraindications, and how a practitioner resolved them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from taut.access import capabilities
from taut.api.errors import ERR
from taut.clients import services as clients
from taut.safety import services

router = Router(tags=["safety"])
Outcome = Literal["referred", "cleared", "not_applicable"]


class ResolutionOut(BaseModel):
    outcome: Outcome
    note: str
    resolved_at: dt.datetime
    resolved_by_id: int


class FlagOut(BaseModel):
    key: str = Field(description="Stable identifier of the flag, the same whichever record reported it")
    kind: Literal["red flag", "contraindication"]
    label: str
    action: str = Field(description="What to do")
    why: str
    urgency: Literal["emergency", "urgent", "soon", "refer", "caution"]
    stop: bool = Field(description="True: no treatment until the flag is resolved")
    detail: str
    sources: list[str]
    last_seen: dt.datetime
    resolution: ResolutionOut | None


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    note: str = Field("", max_length=services.NOTE_MAX)


@router.get("/clients/{client_id}/flags", response={200: list[FlagOut], **ERR})
def list_flags(request: HttpRequest, client_id: int, include_resolved: bool = False) -> Any:
    """The client's unresolved red flags and contraindications (with `include_resolved`, all of them)."""
    capabilities.require(getattr(request, "role", None), "can_view_clinical")
    client = clients.get_client(client_id)
    flags = services.all_flags(client) if include_resolved else services.active_flags(client)
    clients.audit_list("flag", client=client.pk)
    return [f.as_dict() for f in flags]


@router.post("/clients/{client_id}/flags/{flag_key}/resolve", response={200: FlagOut, **ERR})
def resolve_flag(request: HttpRequest, client_id: int, flag_key: str, payload: ResolveIn) -> Any:
    """Record how one active flag was resolved (referred, cleared by a physician, or not applicable with a note)."""
    capabilities.require(getattr(request, "role", None), "can_edit_clinical")
    client = clients.get_client(client_id)
    services.do_resolve_flag(
        client, flag_key, payload.outcome, payload.note, request.user, getattr(request, "role", None)
    )
    return next(f.as_dict() for f in services.all_flags(client) if f.key == flag_key)
