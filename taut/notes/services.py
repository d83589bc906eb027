"""Every read and write of session notes: capability check, one transaction, one audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.audit import service as audit
from taut.clients import services as clients
from taut.clients.gate import CLINICAL, require_consent
from taut.clients.models import Visit
from taut.notes.models import NoteAddendum, SessionNote

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


def do_start_note(visit: Visit, user: Any, role: str | None) -> SessionNote:
    """A new draft note for the visit."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(visit.client, CLINICAL)
    with transaction.atomic():
        note = SessionNote.objects.create(clinic=visit.clinic, client=visit.client, visit=visit, recorded_by=user)
        audit.record("create", note)
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
