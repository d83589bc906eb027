"""Sessions: a new key at login, idle and absolute timeouts, logout and disabling end access (item 19)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Membership, Role, User
from taut.access.scoping import clinic_scope
from tests.factories import PASSWORD, ClinicWorld

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
COOKIE = settings.SESSION_COOKIE_NAME


def _is_login_redirect(response: Any) -> bool:
    return bool(response.status_code == 302 and response["Location"].startswith("/login/"))


def _password_login(user: User) -> HttpClient:
    http = HttpClient()
    response = http.post(reverse("access:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert http.session.get("_auth_user_id") == str(user.pk)
    return http


def test_login_issues_a_new_session_key(clinic_a: ClinicWorld) -> None:
    """A session key planted before login is not the one used after it (no session fixation)."""
    planted = SessionStore()
    planted["probe"] = "before-login"
    planted.create()
    old_key = planted.session_key
    assert old_key is not None
    http = HttpClient()
    http.cookies[COOKIE] = old_key
    response = http.post(
        reverse("access:login"), {"username": clinic_a.users[Role.PRACTITIONER].username, "password": PASSWORD}
    )
    assert response.status_code == 302
    new_key = http.cookies[COOKIE].value
    assert new_key != old_key
    assert not SessionStore().exists(old_key)
    assert SessionStore(new_key).get("_auth_user_id") == str(clinic_a.users[Role.PRACTITIONER].pk)


def test_session_key_changes_between_password_and_code_steps(clinic_a: ClinicWorld) -> None:
    """The owner's half-logged-in session gets a fresh key too."""
    planted = SessionStore()
    planted.create()
    assert planted.session_key is not None
    http = HttpClient()
    http.cookies[COOKIE] = planted.session_key
    owner = clinic_a.users[Role.OWNER]
    response = http.post(reverse("access:login"), {"username": owner.username, "password": PASSWORD})
    assert response["Location"] == reverse("access:second_factor")
    assert http.cookies[COOKIE].value != planted.session_key


def test_idle_session_expires_after_30_minutes(clinic_a: ClinicWorld) -> None:
    """Activity keeps a session alive; 30 idle minutes end it."""
    with time_machine.travel(START, tick=False) as clock:
        http = _password_login(clinic_a.users[Role.PRACTITIONER])
        clock.shift(dt.timedelta(minutes=29))
        assert http.get(reverse("clients:client_list")).status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert http.get(reverse("clients:client_list")).status_code == 200
        clock.shift(dt.timedelta(minutes=30, seconds=1))
        assert _is_login_redirect(http.get(reverse("clients:client_list")))


def test_session_ends_12_hours_after_login_however_active(clinic_a: ClinicWorld) -> None:
    """Even with a request every 25 minutes, the session ends at 12 hours."""
    with time_machine.travel(START, tick=False) as clock:
        http = _password_login(clinic_a.users[Role.PRACTITIONER])
        elapsed = dt.timedelta()
        step = dt.timedelta(minutes=25)
        while elapsed + step < dt.timedelta(hours=12):
            clock.shift(step)
            elapsed += step
            assert http.get(reverse("clients:dashboard")).status_code == 200, elapsed
        clock.shift(dt.timedelta(hours=12) - elapsed + dt.timedelta(seconds=1))
        response = http.get(reverse("clients:dashboard"))
        assert response.status_code == 302
        assert response["Location"] == "/login/?expired=1"
        assert _is_login_redirect(http.get(reverse("clients:client_list")))


def test_old_cookie_after_logout_is_sent_to_login(clinic_a: ClinicWorld) -> None:
    """After logout, replaying the old session cookie gets the login page, not data."""
    http = _password_login(clinic_a.users[Role.PRACTITIONER])
    old = http.cookies[COOKIE].value
    assert http.post(reverse("access:logout")).status_code == 302
    replay = HttpClient()
    replay.cookies[COOKIE] = old
    assert _is_login_redirect(replay.get(reverse("clients:client_list")))
    assert _is_login_redirect(replay.get(reverse("clients:client_detail", args=[clinic_a.client.pk])))


def test_disabling_a_membership_ends_session_and_token(clinic_a: ClinicWorld, api_as: Any) -> None:
    """When an owner disables a practitioner, their open session and their API token stop working."""
    practitioner = clinic_a.users[Role.PRACTITIONER]
    victim = _password_login(practitioner)
    api = api_as(clinic_a, Role.PRACTITIONER)
    assert victim.get(reverse("clients:client_list")).status_code == 200
    assert api.get("/api/v1/clients").status_code == 200

    owner = HttpClient()
    owner.force_login(clinic_a.users[Role.OWNER])
    with clinic_scope(clinic_a.clinic):
        membership = Membership.objects.get(user=practitioner)
    response = owner.post(reverse("access:user_active", args=[membership.pk]), {"active": "0"})
    assert response.status_code == 302

    assert _is_login_redirect(victim.get(reverse("clients:client_list")))
    assert api.get("/api/v1/clients").status_code == 401
    assert api.get(f"/api/v1/clients/{clinic_a.client.pk}").status_code == 401


def test_disabling_a_user_ends_session_and_token(clinic_a: ClinicWorld, api_as: Any) -> None:
    """A user account set inactive loses its session and its token at once."""
    user = clinic_a.users[Role.FRONT_DESK]
    http = _password_login(user)
    api = api_as(clinic_a, Role.FRONT_DESK)
    assert api.get("/api/v1/clients").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _is_login_redirect(http.get(reverse("clients:client_list")))
    assert api.get("/api/v1/clients").status_code == 401
