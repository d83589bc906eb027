"""Erasure with retention (security.md items 24 and 26): erase now what may go, purge the record when its time ends."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from taut.access.capabilities import CapabilityDenied
from taut.access.models import Clinic, Role
from taut.access.scoping import clinic_scope, unscoped
from taut.audit import service as audit
from taut.audit.models import AuditEntry
from taut.cli import app
from taut.clients import services as clients
from taut.clients.models import Client, Visit
from taut.intake.models import IntakeLink
from taut.motion import storage
from taut.privacy import erasure, retention
from taut.privacy.models import ErasureRequest
from tests.factories import ClinicWorld, make_client
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id
from tests.web.test_export import full_world

pytestmark = pytest.mark.django_db
OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
REASON = "The client asked in writing on 2 March"
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _web(world: ClinicWorld, role: str) -> HttpClient:
    http = HttpClient()
    http.force_login(world.users[role])
    return http


def _request(world: ClinicWorld, role: str = OWNER, reason: Any = REASON) -> Any:
    url = reverse("privacy:erasure_request", kwargs={"client_id": world.client.pk})
    return _web(world, role).post(url, {"reason": reason} if reason is not None else {})


def _client_keyed_models() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    return [
        (m, f)
        for m in apps.get_models(include_auto_created=True)
        for f in m._meta.concrete_fields
        if isinstance(f, models.ForeignKey)
    ]


def _held_rows(client_pk: int) -> dict[type[models.Model], set[Any]]:
    """Independently of the service: every row reached from the client id along any foreign key."""
    found: dict[type[models.Model], set[Any]] = {Client: {client_pk}}
    keys = _client_keyed_models()
    with unscoped():
        while True:
            grew = False
            for model, fk in keys:
                ids = found.get(fk.related_model)  # type: ignore[arg-type]
                if not ids:
                    continue
                pks = set(model._base_manager.filter(**{f"{fk.attname}__in": ids}).values_list("pk", flat=True))
                if pks - found.get(model, set()):
                    found.setdefault(model, set()).update(pks)
                    grew = True
            if not grew:
                return {m: p for m, p in found.items() if p}


def _snapshot() -> dict[str, Any]:
    """Every table's rows (as text) and every media file: a purge run that changes nothing leaves it equal."""
    with unscoped():
        tables = {
            m._meta.label: sorted(json.dumps(r, default=str, sort_keys=True) for r in m._base_manager.values())
            for m in apps.get_models(include_auto_created=True)
        }
    return {"tables": tables, "files": sorted(storage.listing())}


def _files_of(clinic_id: int) -> list[str]:
    return [name for name in storage.listing() if name.startswith(f"clinic-{clinic_id}/")]


# The request: erase now what the record does not need -------------------------------------


def test_request_erases_contact_details_now_and_holds_the_record() -> None:
    world = full_world()
    client = world.client
    with clinic_scope(world.clinic):
        clients.do_update_client(
            client, {"address": "1 Long Road", "emergency_contact_name": "Sam", "emergency_contact_phone": "555"}, OWNER
        )
        future = clients.do_create_visit(
            client, {"date": timezone.localdate() + dt.timedelta(days=7)}, world.users[PRACTITIONER].pk, PRACTITIONER
        )
    email = client.email
    detail_url = reverse("clients:client_detail", kwargs={"client_id": client.pk})
    form_url = reverse("privacy:erasure_request", kwargs={"client_id": client.pk})
    assert f'href="{form_url}"' in _web(world, OWNER).get(detail_url).content.decode()
    assert f'href="{form_url}"' not in _web(world, PRACTITIONER).get(detail_url).content.decode()
    before = last_audit_id()
    response = _request(world)
    assert response.status_code == 302
    with clinic_scope(world.clinic):
        client.refresh_from_db()
        for name in erasure.ERASED_AT_ONCE:
            assert getattr(client, name) == "", name
        assert client.health_history
        assert client.family_name
        assert client.date_of_birth
        assert client.visits.filter(pk=world.visit.pk).exists()
        assert Visit.objects.get(pk=future.pk).status == Visit.Status.CANCELLED  # a booking not yet held
        assert not IntakeLink.objects.filter(client=client, revoked_at__isnull=True).exists()
        req = ErasureRequest.objects.get(client_ref=client.pk)
    assert req.status == ErasureRequest.Status.HELD
    assert req.requested_by == world.users[OWNER]
    assert req.reason == REASON
    assert req.retention_type == "clinical_record"
    assert req.purge_due == retention.add_years(world.visit.date, 10)
    entries = audit_after(before)
    assert [(e.action, e.object_type) for e in entries] == [("create", "erasurerequest")]
    detail = json.dumps(entries[0].detail)
    assert email not in detail
    assert "1 Long Road" not in detail
    assert client.family_name not in entries[0].object_repr
    assert set(entries[0].detail["erased"]) == set(erasure.ERASED_AT_ONCE)
    page = _web(world, OWNER).get(reverse("clients:client_detail", kwargs={"client_id": client.pk}))
    assert "Erasure requested" in page.content.decode()
    assert f"held until {req.purge_due:%Y-%m-%d}" in page.content.decode()


def test_a_second_request_is_refused_and_changes_nothing() -> None:
    world = full_world()
    assert _request(world).status_code == 302
    before = last_audit_id()
    again = _request(world, reason="again")
    assert again.status_code == 400
    assert "already been requested" in again.content.decode()
    with clinic_scope(world.clinic):
        assert ErasureRequest.objects.get().reason == REASON
    assert not [e for e in audit_after(before) if e.action == "create"]


@pytest.mark.parametrize("role", [FRONT_DESK, PRACTITIONER])
def test_front_desk_and_practitioner_cannot_request_erasure(role: str, api_as: Callable[..., Any]) -> None:
    world = full_world()
    assert _request(world, role).status_code == 403
    api = api_as(world, role)
    response = api.post(
        f"/api/v1/clients/{world.client.pk}/erasure", {"reason": REASON}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["type"] == "forbidden"
    with clinic_scope(world.clinic):
        assert not ErasureRequest.objects.exists()
        assert Client.objects.get(pk=world.client.pk).email == world.client.email
        with pytest.raises(CapabilityDenied):
            erasure.do_request_erasure(world.client, world.users[role], role, REASON)


def test_an_owner_of_another_clinic_gets_404(clinic_b: ClinicWorld, api_as: Callable[..., Any]) -> None:
    world = full_world()
    url = reverse("privacy:erasure_request", kwargs={"client_id": world.client.pk})
    assert _web(clinic_b, OWNER).get(url).status_code == 404
    assert _web(clinic_b, OWNER).post(url, {"reason": REASON}).status_code == 404
    api = api_as(clinic_b, OWNER)
    path = f"/api/v1/clients/{world.client.pk}/erasure"
    assert api.post(path, {"reason": REASON}, content_type="application/json").status_code == 404
    assert api.get(path + "-requests").status_code == 404
    with unscoped():
        assert not ErasureRequest.objects.exists()
        assert Client.objects.get(pk=world.client.pk).email == world.client.email


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * 501, "nul\x00"])
def test_bad_input_changes_nothing(reason: Any, api_as: Callable[..., Any]) -> None:
    world = full_world()
    before = _snapshot()
    response = _request(world, reason=reason)
    assert response.status_code == 400
    assert 'class="error-box"' in response.content.decode()
    body = {} if reason is None else {"reason": reason}
    api = api_as(world, OWNER)
    after_token = _snapshot()  # the token the API client made is the only new row
    answer = api.post(f"/api/v1/clients/{world.client.pk}/erasure", body, content_type="application/json")
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"][0]["loc"][:2] == ["body", "reason"]
    now = _snapshot()
    assert now["files"] == before["files"]
    for label, rows in now["tables"].items():
        if label not in {"audit.AuditEntry", "access.ApiToken"}:
            assert rows == after_token["tables"][label], label
    with clinic_scope(world.clinic):
        assert not ErasureRequest.objects.exists()
    with pytest.raises(erasure.ErasureError):
        erasure.clean_reason(reason)


def test_api_request_and_read(api_as: Callable[..., Any]) -> None:
    world = full_world()
    api = api_as(world, OWNER)
    path = f"/api/v1/clients/{world.client.pk}/erasure"
    assert api.get(path + "-requests").json() == []
    made = api.post(path, {"reason": REASON}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["client_id"] == world.client.pk
    assert body["status"] == "held"
    assert body["purge_due"] == retention.add_years(world.visit.date, 10).isoformat()
    assert "reason" not in body
    assert [r["id"] for r in api.get(path + "-requests").json()] == [body["id"]]
    again = api.post(path, {"reason": REASON}, content_type="application/json")
    assert again.status_code == 422
    assert "already been requested" in again.json()["errors"][0]["msg"]


# The purge, in frozen time ---------------------------------------------------------------------


def test_purge_in_frozen_time_removes_every_row_and_file_and_twice_changes_nothing() -> None:
    with time_machine.travel(START, tick=False):
        world = full_world()
        bystander = make_client(world.clinic)
        with clinic_scope(world.clinic):
            other_visit = clients.do_create_visit(
                bystander, {"date": timezone.localdate()}, world.users[PRACTITIONER].pk, PRACTITIONER
            )
        client_pk, clinic_id, family = world.client.pk, world.clinic.pk, world.client.family_name
        held = _held_rows(client_pk)
        assert len(held) >= 15, sorted(m._meta.label for m in held)  # a client with a record in every section
        assert len(_files_of(clinic_id)) >= 3  # a posture photo, a gait video, a range-of-motion photo
        with clinic_scope(world.clinic):
            req = erasure.do_request_erasure(world.client, world.users[OWNER], OWNER, REASON)
        due = retention.add_years(world.visit.date, 10)
        assert req.purge_due == due

    # The day before the period ends: nothing is due, nothing changes.
    the_day_before = dt.datetime.combine(
        due - dt.timedelta(days=1), dt.time(12), tzinfo=timezone.get_current_timezone()
    )
    with time_machine.travel(the_day_before, tick=False):
        before = _snapshot()
        assert erasure.purge_due() == []
        assert _snapshot() == before

    with time_machine.travel(dt.datetime.combine(due, dt.time(3), tzinfo=timezone.get_current_timezone()), tick=False):
        last = last_audit_id()
        done = erasure.purge_due()
        assert [d.request_id for d in done] == [req.pk]
        assert done[0].files == 3
        assert done[0].rows["clients.Client"] == 1
        assert done[0].rows["notes.SessionNote"] == 1
        entries = audit_after(last)
        assert [(e.action, e.object_type, e.user_id) for e in entries] == [("purge", "erasurerequest", None)]
        assert entries[0].detail["client"] == client_pk
        assert entries[0].detail["files"] == 3

        # No row of the client remains in any table (found by walking the registry, not a list) ...
        for model, fk in _client_keyed_models():
            ids = held.get(fk.related_model)  # type: ignore[arg-type]
            if ids:
                with unscoped():
                    left = model._base_manager.filter(**{f"{fk.attname}__in": ids}).count()
                assert left == 0, f"{model._meta.label}.{fk.name} still points at the client's rows"
        with unscoped():
            for model, pks in held.items():
                assert not model._base_manager.filter(pk__in=pks).exists(), model._meta.label
        # ... no file in the clinic's media folder ...
        assert _files_of(clinic_id) == []
        # ... and no row outside the audit log still names the client.
        snapshot = _snapshot()
        for label, rows in snapshot["tables"].items():
            if label != "audit.AuditEntry":
                assert not [r for r in rows if family in r], f"{label} still names the client"
        # The tombstone stays: who, when, what kind of records, how many; no reason, no name.
        with unscoped():
            tomb = ErasureRequest.objects.get(pk=req.pk)
            assert Client.objects.filter(pk=bystander.pk).exists()  # nobody else's record is touched
            assert Visit.objects.filter(pk=other_visit.pk).exists()
        assert tomb.status == ErasureRequest.Status.PURGED
        assert tomb.reason == ""
        assert tomb.requested_by == world.users[OWNER]
        assert tomb.requested_at == START
        assert tomb.purged["rows"]["motion.GaitVideo"] == 1
        assert tomb.purged["files"] == 3
        assert audit.verify() == []  # the chain still holds

        # Running it again changes nothing, not even the audit log.
        assert erasure.purge_due() == []
        assert _snapshot() == snapshot


def test_a_minor_is_held_until_the_period_after_the_18th_birthday() -> None:
    world = full_world()
    with clinic_scope(world.clinic):
        young = make_client(
            world.clinic, date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 12)
        )
        visit = clients.do_create_visit(
            young, {"date": timezone.localdate()}, world.users[PRACTITIONER].pk, PRACTITIONER
        )
        req = erasure.do_request_erasure(young, world.users[OWNER], OWNER, REASON)
    assert req.retention_type == "minor_record"
    assert req.purge_due == retention.add_years(young.date_of_birth, 28)  # 18th birthday + 10 years
    assert req.purge_due > retention.add_years(visit.date, 10)


def test_a_client_without_a_record_is_purged_at_once() -> None:
    world = full_world()
    with clinic_scope(world.clinic):
        enquiry = make_client(
            world.clinic, with_consent=False, physician="", health_history="", medications="", family_name="Enquiry"
        )
        req = erasure.do_request_erasure(enquiry, world.users[OWNER], OWNER, REASON)
    assert req.retention_type == "none"
    assert req.purge_due == timezone.localdate()
    assert [d.request_id for d in erasure.purge_due()] == [req.pk]
    with unscoped():
        assert not Client.objects.filter(pk=enquiry.pk).exists()
        assert Client.objects.filter(pk=world.client.pk).exists()


# Retention periods: configurable, never below the legal minimum -------------------------------


def test_retention_below_the_minimum_is_refused(settings: Any) -> None:
    from django.core.checks import run_checks

    assert retention.periods() == {"clinical_record": 10, "minor_record": 10, "audit": 6}
    settings.TAUT_RETENTION_YEARS = {"clinical_record": 12, "audit": 7}
    assert retention.periods()["clinical_record"] == 12
    assert retention.periods()["minor_record"] == 10
    assert not [m for m in run_checks() if m.id == "privacy.E001"]
    for bad, says in (
        ({"clinical_record": 5}, "below its legal minimum of 10 years"),
        ({"audit": 3}, "below its legal minimum of 6 years"),
        ({"clinical_record": "ten"}, "whole number of years"),
        ({"billing": 7}, "unknown record type 'billing'"),
    ):
        settings.TAUT_RETENTION_YEARS = bad
        with pytest.raises(ImproperlyConfigured, match=says):
            retention.periods()
        assert [m.msg for m in run_checks() if m.id == "privacy.E001"], bad
        result = CliRunner().invoke(app, ["retention", "purge"])
        assert result.exit_code == 2
        assert says in result.output


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TAUT_RETENTION_CLINICAL_RECORD_YEARS", "5", "below its legal minimum of 10 years"),
        ("TAUT_RETENTION_AUDIT_YEARS", "six", "must be a whole number of years, not 'six'"),
    ],
)
def test_a_start_with_a_period_below_the_minimum_stops_with_the_reason(variable: str, value: str, says: str) -> None:
    """The environment's value reaches the settings, and the workbench does not start on it."""
    taut = Path(sys.executable).with_name("taut")
    env = {**os.environ, variable: value}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([str(taut), "retention", "show"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert says in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    ok = subprocess.run(
        [str(taut), "retention", "show"], env={**env, variable: "12"}, capture_output=True, text=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert "12 years" in ok.stdout


# The CLI -------------------------------------------------------------------------------------


def test_cli_request_and_purge() -> None:
    world = full_world()
    runner = CliRunner()
    pk = str(world.client.pk)
    refused = runner.invoke(
        app, ["erasure", "request", pk, "--user", world.users[PRACTITIONER].username, "--reason", REASON]
    )
    assert refused.exit_code == 2
    assert "only an owner" in refused.output
    empty = runner.invoke(app, ["erasure", "request", pk, "--user", world.users[OWNER].username, "--reason", " "])
    assert empty.exit_code == 2
    assert "Give the reason" in empty.output
    with unscoped():
        assert not ErasureRequest.objects.exists()
    made = runner.invoke(app, ["erasure", "request", pk, "--user", world.users[OWNER].username, "--reason", REASON])
    assert made.exit_code == 0, made.output
    assert "held until" in made.output
    shown = runner.invoke(app, ["retention", "show"])
    assert shown.exit_code == 0
    assert "clinical_record: 10 years" in shown.output
    assert "minimum 6" in shown.output
    with unscoped():
        Clinic.objects.filter(pk=world.clinic.pk).update(retention_years={"clinical_record": 12})
    own = runner.invoke(app, ["retention", "show", "--clinic", world.clinic.slug])
    assert own.exit_code == 0, own.output
    assert "clinical_record: 12 years (the clinic's own)" in own.output
    assert "minor_record: 10 years after" in own.output
    assert runner.invoke(app, ["retention", "show", "--clinic", "no-such-clinic"]).exit_code != 0
    nothing = runner.invoke(app, ["retention", "purge"])
    assert nothing.exit_code == 0
    assert "Nothing is due" in nothing.output
    with unscoped():
        req = ErasureRequest.objects.get()
    with time_machine.travel(dt.datetime.combine(req.purge_due, dt.time(12), tzinfo=dt.UTC), tick=False):
        dry = runner.invoke(app, ["retention", "purge", "--dry-run"])
        assert dry.exit_code == 0
        assert f"#{req.pk}" in dry.output
        assert "nothing was changed" in dry.output
        with unscoped():
            assert Client.objects.filter(pk=world.client.pk).exists()
        purged = runner.invoke(app, ["retention", "purge"])
        assert purged.exit_code == 0
        assert "1 record(s) purged" in purged.output
    with unscoped():
        assert not Client.objects.filter(pk=world.client.pk).exists()
        assert AuditEntry.objects.filter(action="purge", channel="cli").count() == 1


def test_a_held_record_takes_no_new_clinical_work_but_stays_readable(api_as: Callable[..., Any]) -> None:
    """After the request the record is held unchanged: clinical writes and media are refused with the
    reason (web service, API), reads still work, and another client of the clinic is not affected."""
    from taut.clients.gate import MEDIA, ConsentRequired, consent_problem

    world = full_world()
    other = make_client(world.clinic)
    with clinic_scope(world.clinic):
        assert consent_problem(world.client) is None
        clients.do_update_visit(world.visit, {"notes": "before the request"}, PRACTITIONER)
    assert _request(world).status_code == 302
    with clinic_scope(world.clinic):
        visit = Visit.objects.get(pk=world.visit.pk)
        with pytest.raises(ConsentRequired) as caught:
            clients.do_update_visit(visit, {"notes": "after the request"}, PRACTITIONER)
        assert "erasure was requested" in caught.value.message
        assert "held" in (consent_problem(world.client, MEDIA) or "")
        assert Visit.objects.get(pk=world.visit.pk).notes == "before the request"
        assert "erasure" not in (consent_problem(other) or "")
    api = api_as(world, PRACTITIONER)
    url = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}"
    refused = api.patch(url, {"notes": "through the API"}, content_type="application/json")
    assert refused.status_code == 409, refused.content
    assert "erasure was requested" in refused.content.decode()
    read = api.get(url)
    assert read.status_code == 200
    assert read.json()["notes"] == "before the request"


def test_erased_contact_details_are_not_taken_again_while_the_record_is_held() -> None:
    """The erased e-mail, phone and address cannot be typed back in (service and edit page: a clear
    message, nothing saved); other details of the record can still be corrected."""
    world = full_world()
    assert _request(world).status_code == 302
    with clinic_scope(world.clinic):
        client = Client.objects.get(pk=world.client.pk)
        assert client.email == ""
        with pytest.raises(ValidationError) as caught:
            clients.do_update_client(client, {"email": "back@example.org", "occupation": "Baker"}, OWNER)
        assert set(caught.value.message_dict) == {"email"}
        assert "erased at the client's request" in caught.value.message_dict["email"][0]
        fresh = Client.objects.get(pk=world.client.pk)
        assert (fresh.email, fresh.occupation) == ("", world.client.occupation)
        clients.do_update_client(fresh, {"occupation": "Baker"}, OWNER)
        assert Client.objects.get(pk=world.client.pk).occupation == "Baker"
    edit = reverse("clients:client_edit", kwargs={"client_id": world.client.pk})
    page = _web(world, OWNER).get(edit)
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    form.update(phone="+1 902 555 0100", date_of_birth=str(form.get("date_of_birth", "")))
    response = _web(world, OWNER).post(edit, form)
    assert response.status_code == 200
    assert "erased at the client" in response.content.decode()
    with clinic_scope(world.clinic):
        assert Client.objects.get(pk=world.client.pk).phone == ""


# Withdrawing a request -----------------------------------------------------------------------


def test_withdrawing_lifts_the_hold_keeps_the_history_and_allows_a_new_request() -> None:
    """On the web: the owner withdraws with a reason; clinical work goes on, erased fields stay empty,
    the withdrawn request stays (with who and why), one audit entry; a later request can be made."""
    from taut.clients.gate import consent_problem

    world = full_world()
    assert _request(world).status_code == 302
    page = _web(world, OWNER).get(reverse("privacy:erasure_request", kwargs={"client_id": world.client.pk}))
    url = reverse("privacy:erasure_withdraw", kwargs={"client_id": world.client.pk})
    assert f'action="{url}"' in page.content.decode()
    before = last_audit_id()
    done = _web(world, OWNER).post(url, {"reason": "The client asked to keep the record"})
    assert done.status_code == 302
    with clinic_scope(world.clinic):
        (req,) = ErasureRequest.objects.filter(client_ref=world.client.pk)
        assert req.status == ErasureRequest.Status.WITHDRAWN
        assert (req.withdrawn_by, req.withdraw_reason) == (world.users[OWNER], "The client asked to keep the record")
        assert erasure.request_for(world.client) is None
        assert consent_problem(world.client) is None
        client = Client.objects.get(pk=world.client.pk)
        assert all(getattr(client, f) == "" for f in erasure.ERASED_AT_ONCE)
        clients.do_update_visit(Visit.objects.get(pk=world.visit.pk), {"notes": "care goes on"}, PRACTITIONER)
    assert [(e.action, e.object_type) for e in audit_after(before)][:1] == [("update", "erasurerequest")]
    assert _request(world).status_code == 302  # a new request after a withdrawn one
    with clinic_scope(world.clinic):
        assert ErasureRequest.objects.filter(client_ref=world.client.pk).count() == 2
        assert erasure.request_for(world.client).status == ErasureRequest.Status.HELD  # type: ignore[union-attr]


@pytest.mark.parametrize("case", ["no_request", "blank_reason", "practitioner", "purged"])
def test_a_withdrawal_that_cannot_be_made_changes_nothing(case: str) -> None:
    world = full_world()
    if case != "no_request":
        assert _request(world).status_code == 302
    if case == "purged":
        with clinic_scope(world.clinic):
            ErasureRequest.objects.filter(client_ref=world.client.pk).update(status=ErasureRequest.Status.PURGED)
    before = last_audit_id()
    url = reverse("privacy:erasure_withdraw", kwargs={"client_id": world.client.pk})
    role = PRACTITIONER if case == "practitioner" else OWNER
    answer = _web(world, role).post(url, {"reason": "" if case == "blank_reason" else "Made in error"})
    assert answer.status_code == (403 if case == "practitioner" else 400)
    says = {"no_request": "nothing to withdraw", "blank_reason": "required", "purged": "cannot be brought back"}
    if case in says:
        assert says[case] in answer.content.decode()
    with clinic_scope(world.clinic):
        statuses = list(ErasureRequest.objects.filter(client_ref=world.client.pk).values_list("status", flat=True))
    assert statuses == {"no_request": [], "purged": ["purged"]}.get(case, ["held"])
    assert not [e for e in audit_after(before) if e.object_type == "erasurerequest"]


def test_api_and_cli_withdraw(api_as: Callable[..., Any], clinic_b: ClinicWorld) -> None:
    world = full_world()
    api = api_as(world, OWNER)
    made = api.post(f"/api/v1/clients/{world.client.pk}/erasure", {"reason": REASON}, content_type="application/json")
    assert made.status_code == 201, made.content
    url = f"/api/v1/clients/{world.client.pk}/erasure/withdraw"
    other = api_as(clinic_b, OWNER).post(url, {"reason": "not mine"}, content_type="application/json")
    assert other.status_code == 404
    done = api.post(url, {"reason": "Made in error"}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "withdrawn"
    assert done.json()["withdrawn_at"]
    again = api.post(url, {"reason": "Made in error"}, content_type="application/json")
    assert again.status_code == 422
    assert "nothing to withdraw" in again.content.decode()
    runner = CliRunner()
    pk = str(world.client.pk)
    assert (
        runner.invoke(
            app, ["erasure", "request", pk, "--user", world.users[OWNER].username, "--reason", REASON]
        ).exit_code
        == 0
    )
    refused = runner.invoke(
        app, ["erasure", "withdraw", pk, "--user", world.users[PRACTITIONER].username, "--reason", "x"]
    )
    assert refused.exit_code == 2
    assert "only an owner" in refused.output
    out = runner.invoke(
        app, ["erasure", "withdraw", pk, "--user", world.users[OWNER].username, "--reason", "Again in error"]
    )
    assert out.exit_code == 0, out.output
    assert "withdrawn" in out.output
    with clinic_scope(world.clinic):
        assert erasure.request_for(world.client) is None


# A clinic's own retention periods ------------------------------------------------------------


def test_a_clinic_may_keep_records_longer_than_the_installation_and_never_shorter(web_as: Any) -> None:
    """The owner sets 15 years for adult records: a new erasure request is due 15 years after the
    last visit in that clinic, 10 in another; 8 years (below the legal minimum) changes nothing."""
    world = full_world()
    other = full_world()
    owner = _web(world, OWNER)
    page = owner.get(reverse("privacy:retention_settings"))
    assert page.status_code == 200
    assert "legal minimum 10" in page.content.decode()
    refused = owner.post(reverse("privacy:retention_settings"), {"clinical_record": "8"})
    assert refused.status_code == 400
    assert "is 8 years, below its legal minimum of 10 years" in refused.content.decode()
    with unscoped():
        assert Clinic.objects.get(pk=world.clinic.pk).retention_years == {}
    saved = owner.post(reverse("privacy:retention_settings"), {"clinical_record": "15", "minor_record": ""})
    assert saved.status_code == 302
    with unscoped():
        clinic = Clinic.objects.get(pk=world.clinic.pk)
    assert clinic.retention_years == {"clinical_record": 15}
    assert retention.periods(clinic)["clinical_record"] == 15
    assert retention.periods(clinic)["minor_record"] == retention.periods()["minor_record"]
    assert _request(world).status_code == 302
    assert _request(other).status_code == 302
    with unscoped():
        mine = ErasureRequest.objects.get(client_ref=world.client.pk)
        theirs = ErasureRequest.objects.get(client_ref=other.client.pk)
    assert mine.purge_due == retention.add_years(mine.last_activity, 15)
    assert theirs.purge_due == retention.add_years(theirs.last_activity, 10)


@pytest.mark.parametrize("value", ["abc", "1000", "-3", "5", "7.5"])
def test_bad_clinic_periods_change_nothing(value: str) -> None:
    world = full_world()
    response = _web(world, OWNER).post(reverse("privacy:retention_settings"), {"audit": value})
    assert response.status_code == 400
    with unscoped():
        assert Clinic.objects.get(pk=world.clinic.pk).retention_years == {}
