"""Every read and write of session notes: capability check, one transaction, one audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.audit import service as audit
from taut.clients import services as clients
from taut.clients.gate import CLINICAL, require_consent
from taut.clients.models import Visit
from taut.core.knowledge.loader import load_base
from taut.homecare.models import AdherenceEntry, HomeProgramme
from taut.motion.models import PosturePhoto
from taut.notes.models import NoteAddendum, NoteTemplate, SessionNote

TEXT_FIELDS = ("change_since_last", "home_care", "subjective", "objective", "assessment", "plan")
PAIN_FIELDS = ("pain_now", "pain_before", "pain_after")
LIST_FIELDS = ("trigger_points", "rom_retests", "techniques")
TRIGGER_KINDS = ("active", "latent")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Checked values of the note's fields; a ValidationError names every field at fault."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key in data:
        if key not in TEXT_FIELDS + PAIN_FIELDS + LIST_FIELDS:
            errors[key] = "A session note has no such field."
    for key in TEXT_FIELDS:
        if key in data:
            if not isinstance(data[key], str):
                errors[key] = "Enter text here."
            else:
                out[key] = data[key]
    for key in PAIN_FIELDS:
        if key in data:
            value = data[key]
            if value in (None, ""):
                out[key] = None
                continue
            try:
                number = int(value)
            except (TypeError, ValueError):
                errors[key] = "Pain is a whole number from 0 (none) to 10 (worst imaginable)."
                continue
            if not 0 <= number <= 10:
                errors[key] = "Pain is a whole number from 0 (none) to 10 (worst imaginable)."
            else:
                out[key] = number
    for key in LIST_FIELDS:
        if key in data:
            items = data[key]
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                errors[key] = "This must be a list of entries."
                continue
            out[key] = items
    for i, point in enumerate(out.get("trigger_points", [])):
        if not str(point.get("muscle", "")).strip():
            errors[f"trigger_points.{i}"] = "Name the muscle of each trigger point."
        elif point.get("kind", "active") not in TRIGGER_KINDS:
            errors[f"trigger_points.{i}"] = "A trigger point is either active or latent."
    if errors:
        raise ValidationError(errors)
    return out


def do_start_note(visit: Visit, user: Any, role: str | None, template: NoteTemplate | None = None) -> SessionNote:
    """A new draft note for the visit; a whole-note template of the user's fills its text fields."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(visit.client, CLINICAL)
    values: dict[str, str] = {}
    if template is not None:
        if template.owner_id != user.pk or template.clinic_id != visit.clinic_id or not template.is_note:
            raise ValidationError({"template": "Choose one of your own note templates."})
        values = {k: v for k, v in template.fields.items() if k in TEMPLATE_FIELDS and isinstance(v, str)}
    with transaction.atomic():
        note = SessionNote.objects.create(
            clinic=visit.clinic, client=visit.client, visit=visit, recorded_by=user, **values
        )
        audit.record("create", note, detail={"template": template.pk} if template is not None else None)
    return note


def do_save_draft(note: SessionNote, data: dict[str, Any], user: Any, role: str | None) -> SessionNote:
    """Save the draft's fields (the autosave path). A signed or voided note is refused."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(note.client, CLINICAL)
    values = _clean(data)
    with transaction.atomic():
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.status != SessionNote.Status.DRAFT:
            raise ValidationError({"status": "This note is signed or voided: add an addendum instead."})
        for key, value in values.items():
            setattr(note, key, value)
        note.save()
        audit.record("update", note, detail={"fields": sorted(values)})
    return note


def do_sign_note(note: SessionNote, user: Any, role: str | None) -> SessionNote:
    """Sign the draft; from now on it is locked."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(note.client, CLINICAL)
    with transaction.atomic():
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.status != SessionNote.Status.DRAFT:
            raise ValidationError({"status": "Only a draft can be signed."})
        note.status = SessionNote.Status.SIGNED
        note.signed_by = user
        note.signed_at = timezone.now()
        note.adherence = adherence_since_last(note)
        note.save()
        audit.record("update", note, detail={"signed": True})
    return note


def do_add_addendum(note: SessionNote, text: str, reason: str, user: Any, role: str | None) -> NoteAddendum:
    """A correction to a signed note; the note itself stays as signed."""
    capabilities.require(role, "can_edit_clinical")
    errors = {}
    if not text.strip():
        errors["text"] = "Write the correction."
    if not reason.strip():
        errors["reason"] = "Say why the note is corrected."
    if note.status != SessionNote.Status.SIGNED:
        errors["status"] = "Only a signed note takes an addendum; edit the draft instead."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        addendum = NoteAddendum.objects.create(clinic=note.clinic, note=note, author=user, text=text, reason=reason)
        audit.record("create", addendum)
    return addendum


def do_void_note(note: SessionNote, reason: str, user: Any, role: str | None) -> SessionNote:
    """Mark a note entered in error as void; it is kept and still shown."""
    capabilities.require(role, "can_edit_clinical")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the note is voided."})
    with transaction.atomic():
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.status == SessionNote.Status.VOID:
            raise ValidationError({"status": "This note is already voided."})
        note.status = SessionNote.Status.VOID
        note.void_reason = reason
        note.voided_at = timezone.now()
        note.save()
        audit.record("update", note, detail={"voided": reason})
    return note


def previous_note(note: SessionNote) -> SessionNote | None:
    """The client's latest signed note before this one."""
    return (
        SessionNote.objects.filter(client=note.client, status=SessionNote.Status.SIGNED, created_at__lt=note.created_at)
        .order_by("-created_at")
        .first()
    )


def read_note(role: str | None, client_id: object, note_id: object) -> SessionNote:
    """One note, looked up by clinic, then client, then id, and audited as read."""
    capabilities.require(role, "can_view_clinical")
    client = clients.get_client(client_id)
    note = get_or_404(SessionNote.objects.filter(client=client), pk=note_id)
    clients.audit_read(note)
    return note


# Phrases and templates ------------------------------------------------------------------------

# The free-text fields a phrase can be inserted into, in the note's order, and their labels.
TEMPLATE_FIELDS = ("home_care", "subjective", "objective", "assessment", "plan")
FIELD_LABELS = {
    "home_care": "Home care",
    "subjective": "Subjective: what the client reports",
    "objective": "Objective: other findings",
    "assessment": "Assessment",
    "plan": "Plan",
    NoteTemplate.NOTE: "Whole note (fills a new note at start)",
}
NAME_MAX = 100
PHRASE_MAX = 5000


def _clean_template(data: dict[str, Any]) -> dict[str, Any]:
    """Checked name, field, text and fields of a phrase or template; a ValidationError names each fault."""
    errors: dict[str, str] = {}
    name = data.get("name", "")
    field = data.get("field", "")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Give the phrase a short name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name under {NAME_MAX} characters."
    if field not in FIELD_LABELS:
        errors["field"] = (
            "Choose the part of the note: home care, subjective, objective, assessment, plan or whole note."
        )
    out: dict[str, Any] = {"name": name.strip() if isinstance(name, str) else "", "field": field}
    if field == NoteTemplate.NOTE:
        fields = data.get("fields") or {}
        if not isinstance(fields, dict):
            errors["fields"] = "Give the text per part of the note."
            fields = {}
        for key, value in fields.items():
            if key not in TEMPLATE_FIELDS:
                errors[f"fields.{key}"] = "A note template fills home care, subjective, objective, assessment and plan."
            elif not isinstance(value, str) or len(value) > PHRASE_MAX:
                errors[f"fields.{key}"] = f"Enter text of up to {PHRASE_MAX} characters."
        kept = {k: v for k, v in fields.items() if k in TEMPLATE_FIELDS and isinstance(v, str) and v.strip()}
        if not errors and not kept:
            errors["fields"] = "Write the text of at least one part of the note."
        out.update(fields=kept, text="")
    elif field in FIELD_LABELS:
        text = data.get("text", "")
        if not isinstance(text, str) or not text.strip():
            errors["text"] = "Write the phrase."
        elif len(text) > PHRASE_MAX:
            errors["text"] = f"Keep the phrase under {PHRASE_MAX} characters."
        out.update(text=text if isinstance(text, str) else "", fields={})
    if errors:
        raise ValidationError(errors)
    return out


def my_templates(user: Any) -> QuerySet[NoteTemplate]:
    """The user's own phrases and templates in the active clinic."""
    return NoteTemplate.objects.filter(owner=user)


def get_template(user: Any, template_id: object) -> NoteTemplate:
    """One of the user's own phrases (another person's, or another clinic's, is a 404)."""
    return get_or_404(my_templates(user), pk=template_id)


def do_create_template(user: Any, clinic: Any, role: str | None, data: dict[str, Any]) -> NoteTemplate:
    capabilities.require(role, "can_edit_clinical")
    values = _clean_template(data)
    with transaction.atomic():
        template = NoteTemplate.objects.create(clinic=clinic, owner=user, **values)
        audit.record("create", template)
    return template


def do_update_template(template: NoteTemplate, user: Any, role: str | None, data: dict[str, Any]) -> NoteTemplate:
    """Change a phrase; fields left out of ``data`` stay as they are."""
    capabilities.require(role, "can_edit_clinical")
    if template.owner_id != user.pk:
        raise ValidationError({"template": "Only the person who wrote a phrase may change it."})
    merged = {"name": template.name, "field": template.field, "text": template.text, "fields": template.fields}
    merged.update(data)
    values = _clean_template(merged)
    with transaction.atomic():
        for key, value in values.items():
            setattr(template, key, value)
        template.save()
        audit.record("update", template, detail={"fields": sorted(data)})
    return template


def do_delete_template(template: NoteTemplate, user: Any, role: str | None) -> None:
    """Delete a phrase (notes it was inserted into keep their text)."""
    capabilities.require(role, "can_edit_clinical")
    if template.owner_id != user.pk:
        raise ValidationError({"template": "Only the person who wrote a phrase may delete it."})
    with transaction.atomic():
        audit.record("delete", template)
        template.delete()


# Home-programme adherence ----------------------------------------------------------------------


def _last_session_date(visit: Visit) -> dt.date | None:
    """The date of the client's last visit before this one (a cancelled visit does not count)."""
    earlier = (
        Visit.objects.filter(client_id=visit.client_id, date__lt=visit.date)
        .exclude(status=Visit.Status.CANCELLED)
        .order_by("-date", "-pk")
        .values_list("date", flat=True)
        .first()
    )
    return earlier


def _days_due(item: dict[str, Any], days: int) -> int:
    per_week = item.get("per_week")
    if isinstance(per_week, int) and 0 < per_week < 7:
        return round(days * per_week / 7)
    return days


def adherence_since_last(note: SessionNote) -> dict[str, Any]:
    """Per exercise of the client's home programme: the days done since the last session (of the
    days it was due) and the pain and difficulty the client last reported, up to the note's visit.

    {} when the client has no home programme by the visit's date. The note's own read entry covers
    this read (it is part of the note)."""
    visit = note.visit
    until = min(visit.date, timezone.localdate())
    programme = (
        HomeProgramme.objects.filter(client_id=note.client_id)
        .order_by("-created_at", "-pk")
        .filter(created_at__date__lte=until)
        .first()
    )
    if programme is None:
        return {}
    started = timezone.localdate(programme.created_at)
    last = _last_session_date(visit)
    since = max(started, last + dt.timedelta(days=1)) if last is not None else started
    days = max(0, (until - since).days + 1)
    entries = list(
        AdherenceEntry.objects.filter(programme=programme, date__gte=since, date__lte=until).order_by("date", "pk")
    )
    kb = load_base()
    exercises = []
    for item in programme.items:
        eid = item.get("exercise", "")
        mine = [e for e in entries if e.exercise_id == eid]
        pains = [e.pain for e in mine if e.pain is not None]
        difficulties = [e.difficulty for e in mine if e.difficulty is not None]
        exercises.append(
            {
                "exercise": eid,
                "name": kb.exercises[eid].name if eid in kb.exercises else eid,
                "days_done": sum(1 for e in mine if e.done),
                "days_due": _days_due(item, days),
                "pain_last": pains[-1] if pains else None,
                "pain_mean": round(sum(pains) / len(pains), 1) if pains else None,
                "difficulty_last": difficulties[-1] if difficulties else None,
            }
        )
    return {
        "programme": programme.pk,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "last_session": last.isoformat() if last is not None else None,
        "exercises": exercises,
    }


def note_adherence(note: SessionNote) -> dict[str, Any]:
    """What the note shows: the snapshot once signed (it never changes after), else the live figures."""
    if note.status == SessionNote.Status.DRAFT:
        return adherence_since_last(note)
    return dict(note.adherence or {})


def posture_photos(note: SessionNote) -> list[PosturePhoto]:
    """The posture photos filed with the note's visit (front, back, sides)."""
    return list(PosturePhoto.objects.filter(visit=note.visit).order_by("view", "pk"))
