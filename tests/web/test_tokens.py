"""API tokens: stored hashed, revocable, bound to one clinic, never read from the URL (item 20)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as HttpClient

from taut.access import services as access
from taut.access.models import ApiToken, Membership, Role
from taut.access.scoping import clinic_scope, unscoped
from tests.factories import ClinicWorld

pytestmark = pytest.mark.django_db


def _new_token(world: ClinicWorld, role: str = Role.PRACTITIONER) -> tuple[ApiToken, str]:
    with clinic_scope(world.clinic):
        return access.do_create_token(world.users[role], world.clinic, "test")


def _bearer(plaintext: str) -> HttpClient:
    return HttpClient(headers={"Authorization": f"Bearer {plaintext}"})


def test_no_plaintext_token_in_the_database(clinic_a: ClinicWorld) -> None:
    """No column of the token table holds the token or its secret part; only a SHA-256 digest is kept."""
    token, plaintext = _new_token(clinic_a)
    secret_part = plaintext[len(token.prefix) :]
    assert len(secret_part) >= 32
    table = ApiToken._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table}")
        rows = cur.fetchall()
    assert rows
    for row in rows:
        for value in row:
            text = str(value)
            assert plaintext not in text
            assert secret_part not in text
            assert secret_part[:16] not in text
    with unscoped():
        stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == access.token_digest(plaintext)
    assert _bearer(plaintext).get("/api/v1/clients").status_code == 200


def test_revoked_token_gets_401(clinic_a: ClinicWorld) -> None:
    """A revoked token is refused on every call."""
    token, plaintext = _new_token(clinic_a)
    http = _bearer(plaintext)
    assert http.get("/api/v1/clients").status_code == 200
    with clinic_scope(clinic_a.clinic):
        access.do_revoke_token(token)
    assert http.get("/api/v1/clients").status_code == 401
    assert http.get(f"/api/v1/clients/{clinic_a.client.pk}").status_code == 401


def test_revoking_through_the_web_page_ends_the_token(clinic_a: ClinicWorld) -> None:
    """The settings page's revoke button makes the token stop working."""
    token, plaintext = _new_token(clinic_a)
    web = HttpClient()
    web.force_login(clinic_a.users[Role.PRACTITIONER])
    assert web.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    assert _bearer(plaintext).get("/api/v1/clients").status_code == 401


@pytest.mark.parametrize("param", ["token", "access_token", "api_key", "bearer"])
def test_token_in_the_query_string_is_ignored(clinic_a: ClinicWorld, param: str) -> None:
    """A valid token in the URL does not authenticate: 401."""
    _, plaintext = _new_token(clinic_a)
    response = HttpClient().get(f"/api/v1/clients?{param}={plaintext}")
    assert response.status_code == 401
    response = HttpClient().get(f"/api/v1/clients/{clinic_a.client.pk}?{param}={plaintext}")
    assert response.status_code == 401


def test_token_in_a_form_body_is_ignored(clinic_a: ClinicWorld) -> None:
    """A token posted as a form field does not authenticate either."""
    _, plaintext = _new_token(clinic_a)
    response = HttpClient().post("/api/v1/clients", {"token": plaintext, "access_token": plaintext})
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Token {t}", "Basic {t}", "{t}", "Bearer", "Bearer x{t}"])
def test_malformed_authorization_gets_401(clinic_a: ClinicWorld, header: str) -> None:
    """Only `Bearer <exact token>` authenticates."""
    _, plaintext = _new_token(clinic_a)
    http = HttpClient(headers={"Authorization": header.format(t=plaintext)})
    assert http.get("/api/v1/clients").status_code == 401


def test_token_is_bound_to_its_clinic(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """A user with roles in two clinics sees only the token's clinic through that token."""
    user = clinic_a.users[Role.PRACTITIONER]
    with unscoped():
        Membership.objects.create(user=user, clinic=clinic_b.clinic, role=Role.PRACTITIONER)
    with clinic_scope(clinic_a.clinic):
        _, token_a = access.do_create_token(user, clinic_a.clinic, "a")
    with clinic_scope(clinic_b.clinic):
        _, token_b = access.do_create_token(user, clinic_b.clinic, "b")

    http_a = _bearer(token_a)
    names_a = {c["family_name"] for c in http_a.get("/api/v1/clients").json()["items"]}
    assert clinic_a.client.family_name in names_a
    assert clinic_b.client.family_name not in names_a
    assert http_a.get(f"/api/v1/clients/{clinic_b.client.pk}").status_code == 404
    assert http_a.get(f"/api/v1/clients/{clinic_a.client.pk}").status_code == 200

    http_b = _bearer(token_b)
    assert http_b.get(f"/api/v1/clients/{clinic_a.client.pk}").status_code == 404
    assert http_b.get(f"/api/v1/clients/{clinic_b.client.pk}").status_code == 200


def test_token_stops_when_its_clinic_role_ends_but_not_elsewhere(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """Disabling the user's role in clinic A ends the A token; their B token keeps working."""
    user = clinic_a.users[Role.PRACTITIONER]
    with unscoped():
        Membership.objects.create(user=user, clinic=clinic_b.clinic, role=Role.PRACTITIONER)
    with clinic_scope(clinic_a.clinic):
        _, token_a = access.do_create_token(user, clinic_a.clinic, "a")
        membership = Membership.objects.get(user=user, clinic=clinic_a.clinic)
        access.do_set_membership_active(membership, False)
    with clinic_scope(clinic_b.clinic):
        _, token_b = access.do_create_token(user, clinic_b.clinic, "b")
    assert _bearer(token_a).get("/api/v1/clients").status_code == 401
    assert _bearer(token_b).get("/api/v1/clients").status_code == 200


def test_token_cannot_be_made_for_a_clinic_without_a_role(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """A token is only issued for a clinic where the user holds an active role."""
    with clinic_scope(clinic_b.clinic), pytest.raises(ValueError, match="no active role"):
        access.do_create_token(clinic_a.users[Role.PRACTITIONER], clinic_b.clinic, "x")


@pytest.mark.parametrize("header", [None, "Bearer taut_not-a-real-token"])
def test_a_refused_api_call_writes_one_denied_audit_entry(db: object, header: str | None) -> None:
    """Calls without a valid token are refused and the refusal is audited (who is unknown; where from is kept)."""
    from taut.audit.models import AuditEntry

    with unscoped():
        before = AuditEntry.objects.count()
    http = HttpClient(headers={"Authorization": header} if header else {})
    assert http.get("/api/v1/clients").status_code == 401
    with unscoped():
        entries = list(AuditEntry.objects.order_by("id")[before:])
    assert len(entries) == 1
    assert entries[0].outcome == "denied"
    assert entries[0].detail["reason"] == ("no token" if header is None else "invalid or revoked token")
