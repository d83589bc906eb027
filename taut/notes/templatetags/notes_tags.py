"""The visit page's list of session notes: `{% load notes_tags %}{% visit_notes visit %}`."""

from __future__ import annotations

from typing import Any

from django import template

from taut.clients.models import Visit
from taut.notes.models import NoteTemplate, SessionNote

register = template.Library()


@register.inclusion_tag("notes/_visit_notes.html", takes_context=True)
def visit_notes(context: Any, visit: Visit) -> dict[str, Any]:
    """The visit's notes (newest first) and the start button, for clinical roles only."""
    caps = context.get("caps") or ()
    shown = "can_view_clinical" in caps
    notes = list(SessionNote.objects.filter(visit=visit).select_related("signed_by")) if shown else []
    can_edit = "can_edit_clinical" in caps
    request = context.get("request")
    user = getattr(request, "user", None)
    templates = (
        [t for t in NoteTemplate.objects.filter(owner=user) if t.is_note]
        if can_edit and user is not None and user.is_authenticated
        else []
    )
    return {
        "visit": visit,
        "notes": notes,
        "shown": shown,
        "can_edit": can_edit,
        "note_templates": templates,
        "csrf_token": context.get("csrf_token"),
    }
