"""Every route that touches client data (and every account action) writes exactly one audit entry
with who, where, what and the request id; failed logins and denied access are audited too
(security requirement 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut.access.models import PractitionerProfile
from taut.access.scoping import unscoped
from taut.audit.models import AuditEntry
from tests.factories import ClinicWorld, make_clinic
from tests.web.routes import (
    FAST_HASHERS,
    FRONT_DESK,
    OWNER,
    ROLES,
    ROUTES,
    Route,
    audit_after,
    by_id,
    content,
    http_for,
    last_audit_id,
    send,
)

pytestmark = pytest.mark.django_db


def _model(object_type: str) -> Any:
    return next(m for m in apps.get_models() if m.__name__.lower() == object_type)


AUDITED = [(r, role) for r in ROUTES if r.audit for role in ROLES if 200 <= r.expected[role] < 400]
DENIED = [(r, role) for r in ROUTES for role in ROLES if r.expected[role] == 403]


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _expected_object_id(route: Route, world: ClinicWorld, role: str, action: str, object_type: str) -> str:
    if action == "create":
        with unscoped():
            return str(_model(object_type).objects.order_by("-pk").values_list("pk", flat=True).first())
    if action == "list" or (action == "export" and not route.kwargs and object_type != "clinic"):
        return ""  # a listing names no single object; a client's sub-list names the client in detail
    # (the whole clinic's export names the clinic)
    if object_type == "clinic":
        return str(world.clinic.pk)
    if object_type == "practitionerprofile":
        return str(PractitionerProfile.objects.get(user=world.users[role]).pk)
    if object_type == "erasurerequest" and action == "update":  # the world's client's request (withdrawn)
        from taut.privacy.models import ErasureRequest

        with unscoped():
            return str(ErasureRequest.objects.get(client_ref=world.client.pk).pk)
    if object_type == "listing":  # the role's own directory listing
        from taut.directory.models import Listing

        with unscoped():
            return str(Listing.objects.get(practitioner=world.users[role]).pk)
    if route.kwargs:
        return str(route.ids(world, role)[route.kwargs[-1]])
    return ""


@pytest.mark.parametrize(("route", "role"), AUDITED, ids=lambda v: v.id if isinstance(v, Route) else v)
def test_success_writes_one_complete_entry(route: Route, role: str) -> None:
    """A successful create, read, update, list or export writes exactly one entry with the user,
    clinic, action, object, IP, the response's X-Request-ID, the channel and outcome "success"."""
    assert route.audit is not None
    action, object_type = route.audit
    world = make_clinic()
    http = http_for(route.channel, world, role)
    url, body = route.url(world, role), route.body(world, role)
    last = last_audit_id()
    started = timezone.now()
    response = send(http, route, url, body)
    text = content(response)
    assert 200 <= response.status_code < 400, text[:300]
    entries = audit_after(last)
    written = sorted((e.action, e.object_type) for e in entries)
    assert written == sorted([route.audit, *route.also_audits]), [str(e) for e in entries]
    assert all(e.request_id == response["X-Request-ID"] and e.user_id == world.users[role].pk for e in entries)
    [entry] = [e for e in entries if (e.action, e.object_type) == (action, object_type)]
    assert entry.object_id == _expected_object_id(route, world, role, action, object_type)
    if action == "list" and route.kwargs:
        assert entry.detail["client"] == world.client.pk
    assert entry.outcome == AuditEntry.Outcome.SUCCESS
    assert entry.user_id == world.users[role].pk
    assert entry.username == world.users[role].username
    assert entry.clinic_id == world.clinic.pk
    assert entry.ip == "127.0.0.1"
    assert entry.request_id
    assert entry.request_id == response["X-Request-ID"]
    assert entry.channel == route.channel
    assert entry.at.utcoffset() == dt.timedelta(0)
    assert started <= entry.at <= timezone.now()


def test_every_client_data_route_is_audited() -> None:
    """Each row that touches client data names the audit entry it must write."""
    unaudited = [r.id for r in ROUTES if r.client_data and r.audit is None]
    assert not unaudited
    assert sum(1 for r in ROUTES if r.client_data) >= 25


@pytest.mark.parametrize(("route", "role"), DENIED, ids=lambda v: v.id if isinstance(v, Route) else v)
def test_missing_capability_writes_one_denied_entry(route: Route, role: str) -> None:
    """A 403 (for example front desk opening the audit log) writes one "denied" entry and nothing else."""
    world = make_clinic()
    http = http_for(route.channel, world, role)
    url, body = route.url(world, role), route.body(world, role)
    last = last_audit_id()
    response = send(http, route, url, body)
    assert response.status_code == 403
    entries = audit_after(last)
    assert len(entries) == 1, [str(e) for e in entries]
    entry = entries[0]
    assert (entry.action, entry.outcome) == ("access", AuditEntry.Outcome.DENIED)
    assert entry.user_id == world.users[role].pk
    assert entry.clinic_id == world.clinic.pk
    assert entry.request_id == response["X-Request-ID"]
    assert entry.ip == "127.0.0.1"
    assert entry.channel == route.channel
    assert route.capability is not None
    assert route.capability in entry.detail["reason"]


@pytest.mark.parametrize("route_id", ["web:GET:clients:client_detail", "api:GET:get_client", "api:GET:get_visit"])
def test_cross_clinic_404_writes_one_denied_entry(route_id: str, clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """Asking for another clinic's object writes one "denied" entry naming the object asked for."""
    route = by_id(route_id)
    http = http_for(route.channel, clinic_a, FRONT_DESK)
    url = route.url(clinic_b, FRONT_DESK)
    last = last_audit_id()
    response = send(http, route, url)
    assert response.status_code == 404
    entries = audit_after(last)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.outcome == AuditEntry.Outcome.DENIED
    assert entry.user_id == clinic_a.users[FRONT_DESK].pk
    assert entry.clinic_id == clinic_a.clinic.pk
    assert entry.request_id == response["X-Request-ID"]
    assert entry.channel == route.channel
    assert entry.object_id == str(route.ids(clinic_b, FRONT_DESK)[route.kwargs[0]])


@pytest.mark.parametrize(
    ("username", "password"), [("owner-nobody", "wrong-password"), ("", "x"), ("someone", "correct-horse")]
)
def test_failed_login_writes_one_entry(username: str, password: str, clinic_a: ClinicWorld) -> None:
    """A failed login (unknown user or wrong password) writes one "failure" entry with the name tried."""
    name = username or clinic_a.users[OWNER].username
    http = HttpClient()
    last = last_audit_id()
    response = http.post(reverse("access:login"), {"username": name, "password": password})
    assert response.status_code == 200
    entries = audit_after(last)
    assert len(entries) == 1, [str(e) for e in entries]
    entry = entries[0]
    assert (entry.action, entry.outcome) == ("login", AuditEntry.Outcome.FAILURE)
    assert entry.username == name
    assert entry.user_id is None
    assert entry.ip == "127.0.0.1"
    assert entry.request_id == response["X-Request-ID"]
    assert entry.channel == "web"


def test_successful_login_writes_one_entry(clinic_a: ClinicWorld) -> None:
    """A successful password login of a practitioner writes one "login" success entry."""
    user = clinic_a.users["practitioner"]
    user.set_password("a-long-enough-passphrase-42")
    user.save()
    last = last_audit_id()
    response = HttpClient().post(
        reverse("access:login"), {"username": user.username, "password": "a-long-enough-passphrase-42"}
    )
    assert response.status_code == 302
    entries = audit_after(last)
    assert [(e.action, e.outcome, e.user_id) for e in entries] == [("login", "success", user.pk)]
    assert entries[0].request_id == response["X-Request-ID"]


def test_audit_log_view_is_not_a_second_writer() -> None:
    """Entries from one clinic's request carry that clinic even when the user belongs to another too."""
    world = make_clinic()
    http = http_for("api", world, OWNER)
    last = last_audit_id()
    response = http.get(f"/api/v1/clients/{world.client.pk}")
    assert response.status_code == 200
    assert [e.clinic_id for e in audit_after(last)] == [world.clinic.pk]
