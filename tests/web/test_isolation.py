"""Clinic isolation (security requirements 1 and 3): another clinic's objects are 404 on every
route, nested ids are looked up under their own client, and lists, search and the audit log
never show another clinic's data."""

from __future__ import annotations

from typing import Any

import pytest

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.audit.models import AuditEntry
from tests.factories import ClinicWorld, make_client
from tests.web.routes import (
    FAST_HASHERS,
    OWNER,
    PRACTITIONER,
    ROLES,
    ROUTES,
    Route,
    audit_after,
    by_id,
    content,
    http_for,
    last_audit_id,
    send,
    snapshot,
)

pytestmark = pytest.mark.django_db

OBJECT_ROUTES = [r for r in ROUTES if r.has_object]
NESTED_ROUTES = [r for r in ROUTES if {"visit_id", "consent_id"} & set(r.kwargs)]


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _assert_one_denial(entries: list[AuditEntry], world: ClinicWorld, role: str) -> None:
    assert len(entries) == 1, [str(e) for e in entries]
    entry = entries[0]
    assert entry.outcome == AuditEntry.Outcome.DENIED
    assert entry.action == "access"
    assert entry.user_id == world.users[role].pk
    assert entry.clinic_id == world.clinic.pk


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.id)
def test_other_clinics_object_is_404(route: Route, clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """Each role of clinic A asking for clinic B's object gets 404 (403 where the role lacks the
    capability anyway); nothing changes and exactly one "denied" entry is written."""
    for role in ROLES:
        http = http_for(route.channel, clinic_a, role)
        url, body = route.url(clinic_b, role), route.body(clinic_a, role)
        before, last = snapshot(clinic_a, clinic_b), last_audit_id()
        response = send(http, route, url, body)
        # a role without the capability may be refused before (403) or after (404) the lookup
        expected = {403, 404} if route.expected[role] == 403 else {404}
        assert response.status_code in expected, (role, content(response)[:300])
        assert snapshot(clinic_a, clinic_b) == before
        _assert_one_denial(audit_after(last), clinic_a, role)
        if route.channel == "api":
            assert response.json()["errors"][0]["type"] in {"not_found", "forbidden"}


@pytest.mark.parametrize("route", NESTED_ROUTES, ids=lambda r: r.id)
def test_nested_id_under_another_client_is_404(route: Route, clinic_a: ClinicWorld) -> None:
    """Client Y's visit or consent id put under client X of the same clinic is 404; nothing changes."""
    other = make_client(clinic_a.clinic)
    for role in ROLES:
        http = http_for(route.channel, clinic_a, role)
        url, body = route.url(clinic_a, role, client_id=other.pk), route.body(clinic_a, role)
        before, last = snapshot(clinic_a), last_audit_id()
        response = send(http, route, url, body)
        expected = {403, 404} if route.expected[role] == 403 else {404}
        assert response.status_code in expected, (role, content(response)[:300])
        assert snapshot(clinic_a) == before
        _assert_one_denial(audit_after(last), clinic_a, role)


@pytest.mark.parametrize(
    "route_id", ["web:GET:clients:client_list", "api:GET:list_clients", "web:GET:clients:dashboard"]
)
def test_lists_and_search_show_only_own_clinic(route_id: str, clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """Listing and searching clients (also by clinic B's exact names) never shows clinic B's clients."""
    route = by_id(route_id)
    twin = make_client(clinic_a.clinic, family_name="Sharedname")
    hidden = make_client(clinic_b.clinic, family_name="Sharedname", given_name="Hiddenperson")
    for role in ROLES:
        http = http_for(route.channel, clinic_a, role)
        base = route.url(clinic_a, role)
        for query in ("", clinic_b.client.family_name, "Sharedname", "Hiddenperson", hidden.email):
            text = content(http.get(base, {"q": query}))
            for other in (clinic_b.client, hidden):
                assert f'href="/clients/{other.pk}/"' not in text
                assert f'"id": {other.pk},' not in text
                for value in {other.given_name, other.family_name, other.email} - {"Sharedname"}:
                    assert value == query or value not in text, (query, value)
        if route.name != "clients:dashboard":
            assert twin.given_name in content(http.get(base, {"q": "Sharedname"}))


def _clinic_b_activity(clinic_b: ClinicWorld) -> list[str]:
    """Make clinic B's users act, and return the strings that would betray B's entries."""
    for role in ROLES:
        http = http_for("web", clinic_b, role)
        assert http.get(by_id("web:GET:clients:client_detail").url(clinic_b, role)).status_code == 200
    return [*(u.username for u in clinic_b.users.values()), clinic_b.client.family_name]


@pytest.mark.parametrize("route_id", ["web:GET:access:audit_log", "web:GET:access:audit_export"])
def test_audit_log_and_export_show_only_own_clinic(route_id: str, clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """The audit log page and its CSV export show clinic A's entries and none of clinic B's."""
    route = by_id(route_id)
    secrets = _clinic_b_activity(clinic_b)
    http = http_for("web", clinic_a, OWNER)
    assert http.get(by_id("web:GET:clients:client_detail").url(clinic_a, OWNER)).status_code == 200
    for params in ({}, {"user": clinic_b.users[Role.OWNER].username}, {"action": "read"}):
        response = http.get(route.url(clinic_a, OWNER), params)
        assert response.status_code == 200
        text = content(response)
        for echoed in params.values():  # the filter form repeats what was asked for
            text = text.replace(f'value="{echoed}"', "").replace(f"user={echoed}", "")
        for secret in secrets:
            assert secret not in text, (params, secret)
    everything = content(http.get(route.url(clinic_a, OWNER)))
    assert clinic_a.users[Role.OWNER].username in everything
    assert clinic_a.client.family_name in everything


def test_api_token_is_bound_to_its_clinic(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """A user with roles in two clinics sees only the token's clinic through the API."""
    from taut.access import services as access

    with clinic_scope(clinic_b.clinic):
        access.do_create_user(clinic_b.clinic, "two-clinics", "a-long-enough-passphrase-42", PRACTITIONER)
    from taut.access.models import Membership, User

    user = User.objects.get(username="two-clinics")
    with clinic_scope(clinic_a.clinic):
        Membership.objects.create(user=user, clinic=clinic_a.clinic, role=PRACTITIONER)
    clinic_a.users[PRACTITIONER] = user
    http = http_for("api", clinic_a, PRACTITIONER)
    names = {c["family_name"] for c in http.get("/api/v1/clients").json()["items"]}
    assert clinic_a.client.family_name in names
    assert clinic_b.client.family_name not in names
    assert http.get(f"/api/v1/clients/{clinic_b.client.pk}").status_code == 404
