"""HTTP API v1: session notes under a visit. Drafts are updated, then signed (locked); a signed
note takes addenda; a note started in error is voided, never deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Field

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.api.errors import ERR
from taut.api.schemas import Patch
from taut.clients import services as clients
from taut.notes import forms, services
from taut.notes.models import SessionNote

router = Router(tags=["notes"])
Change = Literal["", "first", "better", "same", "worse"]
Side = Literal["", "left", "right", "both"]


class NoteTriggerPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    muscle: str = Field(description="Muscle id of the knowledge base, e.g. upper_trapezius")
    side: Side = ""
    kind: Literal["active", "latent"] = "active"
    twitch: bool = Field(False, description="Local twitch response")
    referral: bool = Field(False, description="Referral pattern reproduced")
    taut_band: bool = False


class NoteRomRetest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    motion: str = Field(max_length=100)
    side: Side = ""
    degrees: int | None = Field(None, ge=0, le=360)
    note: str = Field("", max_length=500)


class NoteTechnique(BaseModel):
    model_config = ConfigDict(extra="forbid")
    muscle: str
    technique: str = Field("", max_length=200)
    pressure: Literal["light", "moderate", "firm"] = "moderate"
    minutes: int | None = Field(None, ge=0, le=180)


class NoteUpdate(Patch):
    """The fields to change in a draft; fields left out stay as they are."""

    pain_now: int | None = Field(None, ge=0, le=10)
    change_since_last: Change | None = None
    home_care: str | None = Field(None, max_length=forms.TEXT_MAX)
    subjective: str | None = Field(None, max_length=forms.TEXT_MAX)
    trigger_points: list[NoteTriggerPoint] | None = Field(None, max_length=forms.MAX_ROWS)
    rom_retests: list[NoteRomRetest] | None = Field(None, max_length=forms.MAX_ROWS)
    objective: str | None = Field(None, max_length=forms.TEXT_MAX)
    assessment: str | None = Field(None, max_length=forms.TEXT_MAX)
    plan: str | None = Field(None, max_length=forms.TEXT_MAX)
    techniques: list[NoteTechnique] | None = Field(None, max_length=forms.MAX_ROWS)
    pain_before: int | None = Field(None, ge=0, le=10)
    pain_after: int | None = Field(None, ge=0, le=10)


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoteStart(BaseModel):
    """Start a draft; a whole-note template of yours (``template_id``) fills its text fields."""

    model_config = ConfigDict(extra="forbid")
    template_id: int | None = Field(None, ge=1, description="One of your note templates (field 'note')")


class AddendumIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=forms.TEXT_MAX)


class VoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


class AddendumOut(BaseModel):
    id: int
    author_id: int
    created_at: dt.datetime
    reason: str
    text: str


class NoteOut(BaseModel):
    id: int
    client_id: int
    visit_id: int
    status: Literal["draft", "signed", "void"]
    pain_now: int | None
    change_since_last: str
    home_care: str
    subjective: str
    trigger_points: list[dict[str, Any]]
    rom_retests: list[dict[str, Any]]
    objective: str
    assessment: str
    plan: str
    techniques: list[dict[str, Any]]
    pain_before: int | None
    pain_after: int | None
    created_at: dt.datetime
    signed_by_id: int | None
    signed_at: dt.datetime | None
    void_reason: str
    voided_at: dt.datetime | None
    adherence: dict[str, Any] = Field(
        description="Home-programme adherence since the last session: live for a draft, frozen once signed"
    )
    posture_photo_ids: list[int] = Field(description="The posture photos of the note's visit")
    addenda: list[AddendumOut]


class NoteSummary(BaseModel):
    id: int
    status: Literal["draft", "signed", "void"]
    created_at: dt.datetime
    signed_at: dt.datetime | None


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


def _out(note: SessionNote) -> dict[str, Any]:
    skip = ("addenda", "adherence", "posture_photo_ids")
    data = {f: getattr(note, f) for f in NoteOut.model_fields if f not in skip}
    data["adherence"] = services.note_adherence(note)
    data["posture_photo_ids"] = [p.pk for p in services.posture_photos(note)]
    data["addenda"] = [
        {"id": a.pk, "author_id": a.author_id, "created_at": a.created_at, "reason": a.reason, "text": a.text}
        for a in note.addenda.all()
    ]
    return data


def _note(client_id: int, visit_id: int, note_id: int) -> SessionNote:
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    return get_or_404(SessionNote.objects.filter(visit=visit), pk=note_id)


P = "/clients/{client_id}/visits/{visit_id}/notes"


@router.get(P, response={200: list[NoteSummary], **ERR})
def list_notes(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    """The visit's session notes, newest first."""
    capabilities.require(_role(request), "can_view_clinical")
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    clients.audit_list("sessionnote", client=client.pk)
    return [
        {"id": n.pk, "status": n.status, "created_at": n.created_at, "signed_at": n.signed_at}
        for n in SessionNote.objects.filter(visit=visit)
    ]


@router.post(P, response={201: NoteOut, **ERR})
def start_note(request: HttpRequest, client_id: int, visit_id: int, payload: NoteStart) -> Any:
    """Start a draft note on the visit, empty or from one of your note templates."""
    capabilities.require(_role(request), "can_edit_clinical")
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    template = services.get_template(request.user, payload.template_id) if payload.template_id else None
    note = services.do_start_note(visit, request.user, _role(request), template)
    return Status(201, _out(note))


@router.get(P + "/{note_id}", response={200: NoteOut, **ERR})
def get_note(request: HttpRequest, client_id: int, visit_id: int, note_id: int) -> Any:
    capabilities.require(_role(request), "can_view_clinical")
    note = _note(client_id, visit_id, note_id)
    clients.audit_read(note)
    return _out(note)


@router.patch(P + "/{note_id}", response={200: NoteOut, **ERR})
def update_note(request: HttpRequest, client_id: int, visit_id: int, note_id: int, payload: NoteUpdate) -> Any:
    """Change fields of a draft; a signed or voided note answers 422 and is not changed."""
    capabilities.require(_role(request), "can_edit_clinical")
    note = _note(client_id, visit_id, note_id)
    data = payload.model_dump(exclude_unset=True)
    data = forms.check_rows(data)
    note = services.do_save_draft(note, data, request.user, _role(request))
    return _out(note)


@router.post(P + "/{note_id}/sign", response={200: NoteOut, **ERR})
def sign_note(request: HttpRequest, client_id: int, visit_id: int, note_id: int, payload: NoteCreate) -> Any:
    """Sign the draft: it is locked from now on."""
    capabilities.require(_role(request), "can_edit_clinical")
    note = services.do_sign_note(_note(client_id, visit_id, note_id), request.user, _role(request))
    return _out(note)


@router.post(P + "/{note_id}/addenda", response={201: AddendumOut, **ERR})
def add_note_addendum(request: HttpRequest, client_id: int, visit_id: int, note_id: int, payload: AddendumIn) -> Any:
    """A correction to a signed note, with its reason; the note stays as signed."""
    capabilities.require(_role(request), "can_edit_clinical")
    note = _note(client_id, visit_id, note_id)
    a = services.do_add_addendum(note, payload.text, payload.reason, request.user, _role(request))
    return Status(
        201, {"id": a.pk, "author_id": a.author_id, "created_at": a.created_at, "reason": a.reason, "text": a.text}
    )


@router.post(P + "/{note_id}/void", response={200: NoteOut, **ERR})
def void_note(request: HttpRequest, client_id: int, visit_id: int, note_id: int, payload: VoidIn) -> Any:
    """Void a note started in error (e.g. under the wrong client); it is kept."""
    capabilities.require(_role(request), "can_edit_clinical")
    note = services.do_void_note(_note(client_id, visit_id, note_id), payload.reason, request.user, _role(request))
    return _out(note)


# Phrases and note templates -------------------------------------------------------------------------

TemplateField = Literal["home_care", "subjective", "objective", "assessment", "plan", "note"]


class NoteTemplateFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    home_care: str = Field("", max_length=services.PHRASE_MAX)
    subjective: str = Field("", max_length=services.PHRASE_MAX)
    objective: str = Field("", max_length=services.PHRASE_MAX)
    assessment: str = Field("", max_length=services.PHRASE_MAX)
    plan: str = Field("", max_length=services.PHRASE_MAX)


class NoteTemplateIn(BaseModel):
    """A phrase for one part of a note (``field`` and ``text``), or a whole-note template
    (``field: "note"`` and ``fields``)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=services.NAME_MAX)
    field: TemplateField
    text: str = Field("", max_length=services.PHRASE_MAX)
    fields: NoteTemplateFields | None = None


class NoteTemplatePatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=services.NAME_MAX)
    field: TemplateField | None = None
    text: str | None = Field(None, max_length=services.PHRASE_MAX)
    fields: NoteTemplateFields | None = None


class NoteTemplateOut(BaseModel):
    id: int
    name: str
    field: str
    text: str
    fields: dict[str, str]
    created_at: dt.datetime
    updated_at: dt.datetime


def _template_out(t: Any) -> dict[str, Any]:
    return {"id": t.pk, "name": t.name, "field": t.field, "text": t.text, "fields": t.fields,
            "created_at": t.created_at, "updated_at": t.updated_at}  # fmt: skip


def _template_data(payload: BaseModel) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    if isinstance(data.get("fields"), dict):
        data["fields"] = {k: v for k, v in data["fields"].items() if v}
    return data


T = "/note-templates"


@router.get(T, response={200: list[NoteTemplateOut], **ERR})
def list_note_templates(request: HttpRequest) -> Any:
    """Your own phrases and note templates in this clinic."""
    capabilities.require(_role(request), "can_edit_clinical")
    return [_template_out(t) for t in services.my_templates(request.user)]


@router.post(T, response={201: NoteTemplateOut, **ERR})
def create_note_template(request: HttpRequest, payload: NoteTemplateIn) -> Any:
    capabilities.require(_role(request), "can_edit_clinical")
    template = services.do_create_template(
        request.user,
        request.clinic,  # type: ignore[attr-defined]
        _role(request),
        _template_data(payload),
    )
    return Status(201, _template_out(template))


@router.get(T + "/{template_id}", response={200: NoteTemplateOut, **ERR})
def get_note_template(request: HttpRequest, template_id: int) -> Any:
    capabilities.require(_role(request), "can_edit_clinical")
    return _template_out(services.get_template(request.user, template_id))


@router.patch(T + "/{template_id}", response={200: NoteTemplateOut, **ERR})
def update_note_template(request: HttpRequest, template_id: int, payload: NoteTemplatePatch) -> Any:
    capabilities.require(_role(request), "can_edit_clinical")
    template = services.get_template(request.user, template_id)
    template = services.do_update_template(template, request.user, _role(request), _template_data(payload))
    return _template_out(template)


@router.delete(T + "/{template_id}", response={204: None, **ERR})
def delete_note_template(request: HttpRequest, template_id: int) -> Any:
    capabilities.require(_role(request), "can_edit_clinical")
    services.do_delete_template(services.get_template(request.user, template_id), request.user, _role(request))
    return Status(204, None)
