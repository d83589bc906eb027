"""The audit log is append-only and hash-chained (item 6); a change and its entry commit together (item 7)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from taut import cli
from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.audit import service as audit
from taut.audit.models import AuditEntry
from taut.clients import services
from taut.clients.models import Client, Consent, Visit
from tests.factories import ClinicWorld

pytestmark = pytest.mark.django_db

TABLE = AuditEntry._meta.db_table
TRIGGERS = importlib.import_module("taut.audit.migrations.0002_append_only")


class _Rollback(Exception):
    pass


def _entries() -> list[AuditEntry]:
    with unscoped():
        return list(AuditEntry.objects.order_by("id"))


def _raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])


@contextmanager
def _triggers_off() -> Iterator[None]:
    """Switch the append-only triggers off inside the current transaction, and back on after."""
    if connection.vendor == "sqlite":
        for sql in TRIGGERS.SQLITE_UNDO:
            _raw(sql)
        yield
        for sql in TRIGGERS.SQLITE:
            _raw(sql)
    else:
        _raw(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        yield
        _raw(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Run a block in a savepoint that is always rolled back (the tampering never survives the test)."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


# Item 6: append-only -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET action = 'tampered' WHERE id = %s",
        f"UPDATE {TABLE} SET detail = '{{}}', hash = hash WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
)
def test_raw_update_and_delete_are_refused_by_the_database(clinic_a: ClinicWorld, sql: str) -> None:
    """UPDATE and DELETE on the audit table fail in the database itself; the row is unchanged."""
    target = _entries()[-1]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(sql, [target.pk])
    after = {e.pk: e for e in _entries()}
    assert after[target.pk].action == target.action
    assert after[target.pk].hash == target.hash


def test_orm_update_and_delete_are_refused(clinic_a: ClinicWorld) -> None:
    """The ORM cannot change or remove entries either."""
    count = len(_entries())
    with unscoped():
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.all().update(action="tampered")
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.all().delete()
    entries = _entries()
    assert len(entries) == count
    assert all(e.action != "tampered" for e in entries)


def test_whole_table_wipe_is_refused(clinic_a: ClinicWorld) -> None:
    """TRUNCATE on PostgreSQL (a statement trigger) and an unqualified DELETE on SQLite are refused."""
    count = len(_entries())
    sql = f"TRUNCATE {TABLE}" if connection.vendor == "postgresql" else f"DELETE FROM {TABLE}"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(sql)
    assert len(_entries()) == count


# Item 6: the hash chain ----------------------------------------------------------------------


def test_verify_passes_on_an_untouched_log(clinic_a: ClinicWorld) -> None:
    """A log written only by record() verifies, through the service and the CLI."""
    assert audit.verify() == []
    result = CliRunner().invoke(cli.app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_verify_names_an_altered_row(clinic_a: ClinicWorld) -> None:
    """Changing one entry's content (triggers switched off) makes `taut audit verify` name that entry."""
    entries = _entries()
    target = entries[len(entries) // 2]
    with _rolled_back():
        with _triggers_off():
            _raw(f"UPDATE {TABLE} SET object_repr = %s WHERE id = %s", ["someone else", target.pk])
        problems = audit.verify()
        assert [(p.entry_id, "altered" in p.what) for p in problems] == [(target.pk, True)]
        result = CliRunner().invoke(cli.app, ["audit", "verify"])
        assert result.exit_code == 1
        assert f"entry {target.pk}:" in result.output
        assert "altered" in result.output
    assert audit.verify() == []


def test_verify_names_a_recomputed_row_by_its_broken_link(clinic_a: ClinicWorld) -> None:
    """Altering a row and recomputing its hash breaks the link from the next entry, which is named."""
    entries = _entries()
    target, following = entries[1], entries[2]
    target.object_repr = "rewritten"
    forged = audit.entry_digest(target)
    with _rolled_back():
        with _triggers_off():
            _raw(f"UPDATE {TABLE} SET object_repr = %s, hash = %s WHERE id = %s", ["rewritten", forged, target.pk])
        problems = audit.verify()
        assert [p.entry_id for p in problems] == [following.pk]
        assert "links to" in problems[0].what


def test_verify_names_the_gap_left_by_a_deleted_row(clinic_a: ClinicWorld) -> None:
    """Deleting an entry breaks the chain at the entry after it."""
    entries = _entries()
    target, following = entries[1], entries[2]
    with _rolled_back():
        with _triggers_off():
            _raw(f"DELETE FROM {TABLE} WHERE id = %s", [target.pk])
        assert [p.entry_id for p in audit.verify()] == [following.pk]
        result = CliRunner().invoke(cli.app, ["audit", "verify"])
        assert result.exit_code == 1
        assert f"entry {following.pk}:" in result.output


def test_triggers_are_back_after_the_tampering_test(clinic_a: ClinicWorld) -> None:
    """The helper that switches triggers off restores them, so UPDATE fails again afterwards."""
    target = _entries()[0]
    with _rolled_back(), _triggers_off():
        pass
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(f"UPDATE {TABLE} SET action = 'x' WHERE id = %s", [target.pk])


# Item 7: atomic change + entry ---------------------------------------------------------------


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("audit store unavailable")


def _write_then_boom(*args: Any, **kwargs: Any) -> Any:
    _REAL_RECORD(*args, **kwargs)
    raise RuntimeError("failure after the audit entry was written")


_REAL_RECORD = audit.record


@pytest.fixture(params=[_boom, _write_then_boom], ids=["before-write", "after-write"])
def broken_audit(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "record", request.param)


def _counts(world: ClinicWorld) -> dict[str, int]:
    with clinic_scope(world.clinic):
        return {
            "clients": Client.objects.count(),
            "consents": Consent.objects.count(),
            "visits": Visit.objects.count(),
            "audit": len(_entries()),
        }


def test_create_client_leaves_nothing_when_audit_fails(clinic_a: ClinicWorld, broken_audit: None) -> None:
    """If the audit write fails, the new client is not saved either."""
    before = _counts(clinic_a)
    data = {"given_name": "Ada", "family_name": "Atomic", "date_of_birth": "1970-01-01"}
    with clinic_scope(clinic_a.clinic), pytest.raises(RuntimeError):
        services.do_create_client(clinic_a.clinic, data, Role.PRACTITIONER)
    assert _counts(clinic_a) == before
    with clinic_scope(clinic_a.clinic):
        assert not Client.objects.filter(family_name="Atomic").exists()


def test_record_consent_leaves_nothing_when_audit_fails(clinic_a: ClinicWorld, broken_audit: None) -> None:
    """If the audit write fails, no consent row remains."""
    before = _counts(clinic_a)
    with clinic_scope(clinic_a.clinic), pytest.raises(RuntimeError):
        services.do_record_consent(
            clinic_a.client,
            services.ConsentInput(signed_by="Ada Atomic", method="verbal", agreed=True),
            clinic_a.users[Role.FRONT_DESK],
            Role.FRONT_DESK,
        )
    assert _counts(clinic_a) == before


def test_update_visit_changes_nothing_when_audit_fails(clinic_a: ClinicWorld, broken_audit: None) -> None:
    """If the audit write fails, the visit keeps its stored values."""
    before = _counts(clinic_a)
    with clinic_scope(clinic_a.clinic):
        original = Visit.objects.get(pk=clinic_a.visit.pk)
        visit = Visit.objects.get(pk=clinic_a.visit.pk)
        with pytest.raises(RuntimeError):
            services.do_update_visit(visit, {"notes": "changed notes", "duration_minutes": 15}, Role.PRACTITIONER)
        stored = Visit.objects.get(pk=clinic_a.visit.pk)
    assert stored.notes == original.notes
    assert stored.duration_minutes == original.duration_minutes
    assert stored.updated_at == original.updated_at
    assert _counts(clinic_a) == before


def test_without_the_failure_each_write_adds_one_entry(clinic_a: ClinicWorld) -> None:
    """Control: the same calls with a working audit write each add a row and exactly one entry."""
    before = _counts(clinic_a)
    with clinic_scope(clinic_a.clinic):
        client = services.do_create_client(
            clinic_a.clinic,
            {"given_name": "Ada", "family_name": "Atomic", "date_of_birth": "1970-01-01"},
            Role.PRACTITIONER,
        )
    after = _counts(clinic_a)
    assert after["clients"] == before["clients"] + 1
    assert after["audit"] == before["audit"] + 1
    last = _entries()[-1]
    assert (last.action, last.object_type, last.object_id) == ("create", "client", str(client.pk))
    assert audit.verify() == []
