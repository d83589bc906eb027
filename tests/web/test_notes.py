"""Session notes: drafts save, signing locks, corrections are addenda, errors are voided, all audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from taut.access.capabilities import CapabilityDenied
from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.audit.models import AuditEntry
from taut.notes import services
from taut.notes.models import NoteAddendum, SessionNote
from tests.factories import make_clinic

pytestmark = pytest.mark.django_db
P = Role.PRACTITIONER.value


def test_draft_saves_and_is_audited() -> None:
    """A saved draft keeps its fields and writes one update entry."""
    world = make_clinic()
    user = world.users[Role.PRACTITIONER]
    with clinic_scope(world.clinic):
        note = services.do_start_note(world.visit, user, P)
        before = AuditEntry.objects.count()
        services.do_save_draft(
            note,
            {
                "pain_now": "6",
                "subjective": "Neck stiff",
                "trigger_points": [{"muscle": "upper trapezius", "kind": "latent"}],
            },
            user,
            P,
        )
        note.refresh_from_db()
        assert note.pain_now == 6
        assert note.subjective == "Neck stiff"
        assert note.trigger_points[0]["kind"] == "latent"
        assert AuditEntry.objects.count() == before + 1


@pytest.mark.parametrize(
    "data",
    [
        {"pain_now": "11"},
        {"pain_now": "lots"},
        {"trigger_points": [{"muscle": ""}]},
        {"colour": "red"},
        {"trigger_points": [{"muscle": "scalene", "kind": "sleepy"}]},
    ],
)
def test_bad_input_changes_nothing(data: dict[str, object]) -> None:
    """Bad values are refused with a message and the draft stays as it was."""
    world = make_clinic()
    user = world.users[Role.PRACTITIONER]
    with clinic_scope(world.clinic):
        note = services.do_start_note(world.visit, user, P)
        before = AuditEntry.objects.count()
        with pytest.raises(ValidationError):
            services.do_save_draft(note, {"plan": "changed", **data}, user, P)
        note.refresh_from_db()
        assert note.plan == ""
        assert AuditEntry.objects.count() == before


def test_signed_note_is_locked_and_takes_addenda() -> None:
    """After signing, edits are refused; an addendum keeps the original as signed."""
    world = make_clinic()
    user = world.users[Role.PRACTITIONER]
    with clinic_scope(world.clinic):
        note = services.do_start_note(world.visit, user, P)
        services.do_save_draft(note, {"plan": "Treat weekly"}, user, P)
        note = services.do_sign_note(note, user, P)
        with pytest.raises(ValidationError):
            services.do_save_draft(note, {"plan": "Rewritten"}, user, P)
        with pytest.raises(ValidationError):
            services.do_add_addendum(note, "Fortnightly", "", user, P)
        services.do_add_addendum(note, "Fortnightly, not weekly", "Typing error", user, P)
        note.refresh_from_db()
        assert note.plan == "Treat weekly"
        assert note.status == SessionNote.Status.SIGNED
        assert [a.reason for a in NoteAddendum.objects.filter(note=note)] == ["Typing error"]
        assert services.previous_note(services.do_start_note(world.visit, user, P)) == note


def test_void_needs_reason_and_keeps_note() -> None:
    """A note started in error is voided with a reason and kept."""
    world = make_clinic()
    user = world.users[Role.PRACTITIONER]
    with clinic_scope(world.clinic):
        note = services.do_start_note(world.visit, user, P)
        with pytest.raises(ValidationError):
            services.do_void_note(note, " ", user, P)
        services.do_void_note(note, "Wrong client", user, P)
        note.refresh_from_db()
        assert note.status == SessionNote.Status.VOID
        assert note.void_reason == "Wrong client"
        assert AuditEntry.objects.filter(object_type="sessionnote", action="update").count() == 1


def test_front_desk_cannot_write_notes() -> None:
    """Front desk holds no clinical capability."""
    world = make_clinic()
    with clinic_scope(world.clinic), pytest.raises(CapabilityDenied):
        services.do_start_note(world.visit, world.users[Role.FRONT_DESK], Role.FRONT_DESK.value)


def test_read_is_nested_under_client_and_audited() -> None:
    """A note id under another client is a 404; a read writes one read entry."""
    from django.http import Http404

    from tests.factories import make_client

    world = make_clinic()
    user = world.users[Role.PRACTITIONER]
    with clinic_scope(world.clinic):
        note = services.do_start_note(world.visit, user, P)
        other = make_client(world.clinic)
        with pytest.raises(Http404):
            services.read_note(P, other.pk, note.pk)
        before = AuditEntry.objects.filter(action="read").count()
        assert services.read_note(P, world.client.pk, note.pk) == note
        assert AuditEntry.objects.filter(action="read").count() == before + 1
