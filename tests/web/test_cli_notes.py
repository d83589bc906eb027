"""`taut notes list|show|sign`: the same services as the web pages, scoped to the user's clinics
and audited in their name on the "cli" channel."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.audit.models import AuditEntry
from taut.cli import app
from taut.notes import services as notes
from taut.notes.models import SessionNote
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db
runner = CliRunner()
OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def draft(world: ClinicWorld, text: str = "Neck eased after the second session") -> SessionNote:
    with clinic_scope(world.clinic):
        note = notes.do_start_note(world.visit, world.users[PRACTITIONER], PRACTITIONER)
        return notes.do_save_draft(note, {"subjective": text, "pain_now": 4}, world.users[PRACTITIONER], PRACTITIONER)


def name(world: ClinicWorld, role: str) -> str:
    return str(world.users[role].username)


def entries(**filters: Any) -> list[AuditEntry]:
    with unscoped():
        return list(AuditEntry.objects.filter(**filters).order_by("pk"))


def test_list_shows_the_clients_notes_and_is_audited(clinic_a: ClinicWorld) -> None:
    note = draft(clinic_a)
    result = runner.invoke(app, ["notes", "list", str(clinic_a.client.pk), "--user", name(clinic_a, PRACTITIONER)])
    assert result.exit_code == 0, result.output
    assert f"{note.pk}  {clinic_a.visit.date:%Y-%m-%d}  draft" in result.output
    [entry] = entries(action="list", object_type="sessionnote")
    assert entry.channel == "cli"
    assert entry.user_id == clinic_a.users[PRACTITIONER].pk
    assert entry.detail["client"] == clinic_a.client.pk


def test_show_prints_the_note_as_json_and_audits_the_read(clinic_a: ClinicWorld) -> None:
    note = draft(clinic_a, "Zoë's neck eased")
    args = ["notes", "show", str(note.pk), "--user", name(clinic_a, OWNER), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["id"] == note.pk
    assert out["subjective"] == "Zoë's neck eased"
    assert out["pain_now"] == 4
    assert out["status"] == "draft"
    assert out["addenda"] == []
    [entry] = entries(action="read", object_type="sessionnote")
    assert entry.object_id == str(note.pk)
    assert entry.channel == "cli"
    assert entry.user_id == clinic_a.users[OWNER].pk


def test_sign_locks_the_note_through_the_service(clinic_a: ClinicWorld) -> None:
    note = draft(clinic_a)
    result = runner.invoke(app, ["notes", "sign", str(note.pk), "--user", name(clinic_a, PRACTITIONER)])
    assert result.exit_code == 0, result.output
    assert "signed" in result.output
    assert "locked" in result.output
    with unscoped():
        note.refresh_from_db()
    assert note.status == SessionNote.Status.SIGNED
    assert note.signed_by_id == clinic_a.users[PRACTITIONER].pk
    [entry] = entries(action="update", object_type="sessionnote", detail__signed=True)
    assert entry.channel == "cli"
    again = runner.invoke(app, ["notes", "sign", str(note.pk), "--user", name(clinic_a, PRACTITIONER)])
    assert again.exit_code == 2
    assert "Only a draft can be signed" in again.output


@pytest.mark.parametrize("command", ["show", "sign"])
def test_front_desk_is_refused_and_sees_no_content(clinic_a: ClinicWorld, command: str) -> None:
    note = draft(clinic_a, "private clinical words")
    result = runner.invoke(app, ["notes", command, str(note.pk), "--user", name(clinic_a, FRONT_DESK)])
    assert result.exit_code == 2
    assert "private clinical words" not in result.output
    assert "only they may" in result.output
    with unscoped():
        note.refresh_from_db()
    assert note.status == SessionNote.Status.DRAFT


def test_front_desk_cannot_list(clinic_a: ClinicWorld) -> None:
    draft(clinic_a)
    result = runner.invoke(app, ["notes", "list", str(clinic_a.client.pk), "--user", name(clinic_a, FRONT_DESK)])
    assert result.exit_code == 2
    assert "draft" not in result.output
    assert entries(action="list", object_type="sessionnote") == []


@pytest.mark.parametrize("command", ["show", "sign"])
def test_another_clinics_member_finds_no_such_note(clinic_a: ClinicWorld, clinic_b: ClinicWorld, command: str) -> None:
    note = draft(clinic_a, "private clinical words")
    result = runner.invoke(app, ["notes", command, str(note.pk), "--user", name(clinic_b, OWNER)])
    assert result.exit_code == 2
    assert f"No session note with id {note.pk}" in result.output
    assert "private clinical words" not in result.output
    with unscoped():
        note.refresh_from_db()
    assert note.status == SessionNote.Status.DRAFT


def test_another_clinic_cannot_list_a_client_not_theirs(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    draft(clinic_a)
    result = runner.invoke(app, ["notes", "list", str(clinic_a.client.pk), "--user", name(clinic_b, OWNER)])
    assert result.exit_code == 2
    assert "No client with id" in result.output


def test_without_user_or_with_an_unknown_one(clinic_a: ClinicWorld) -> None:
    note = draft(clinic_a)
    assert "Give --user" in runner.invoke(app, ["notes", "show", str(note.pk)]).output
    assert "No active user 'nobody'" in runner.invoke(app, ["notes", "show", str(note.pk), "--user", "nobody"]).output
