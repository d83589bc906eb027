"""Passwords (Argon2id, length rules), TOTP for owners, and login throttling (security items 17, 18)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape

from taut.access import totp
from taut.access.models import Role, User
from taut.access.scoping import unscoped
from taut.access.views import GENERIC_ERROR
from taut.audit.models import AuditEntry
from tests.factories import PASSWORD, ClinicWorld

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _login(http: HttpClient, username: str, password: str, ip: str = "127.0.0.1") -> Any:
    return http.post(reverse("access:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _session_user(http: HttpClient) -> Any:
    return http.session.get("_auth_user_id")


def _with_totp(user: User) -> str:
    secret = pyotp.random_base32()
    User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed=True, totp_last_step=0)
    return secret


def _login_entries(username: str) -> int:
    with unscoped():
        return AuditEntry.objects.filter(action="login", username=username).count()


# Item 17: password storage and rules ----------------------------------------------------


def test_stored_password_hash_is_argon2id(clinic_a: ClinicWorld) -> None:
    """Passwords are stored with Argon2id, never in plain text."""
    user = User.objects.get(pk=clinic_a.users[Role.PRACTITIONER].pk)
    assert user.password.startswith("argon2$argon2id$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("k7#pQz2", False),  # 7 characters
        ("k7#pQz2w", True),  # 8 characters
        ("onlylowercaseletters", True),  # no composition rules
        ("ALLUPPERCASEWORDS", True),
        ("correct horse battery staple", True),  # spaces are fine
        ("w" + "qx7-" * 16, True),  # 65 characters
        ("Zp" * 64, True),  # 128 characters
        ("Zp" * 64 + "x", False),  # 129 characters
        ("password", False),  # common password
        ("iloveyou", False),
        ("123456789", False),
    ],
)
def test_password_validators(password: str, accepted: bool) -> None:
    """8 to 128 characters, any characters, common passwords refused."""
    user = User(username="validator-probe", first_name="Vera")
    if accepted:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


# Item 17: the second factor ---------------------------------------------------------------


def test_owner_password_alone_does_not_log_in(clinic_a: ClinicWorld) -> None:
    """An owner's correct password leads to /login/code/; no session user until a valid code."""
    owner = clinic_a.users[Role.OWNER]
    _with_totp(owner)
    http = HttpClient()
    response = _login(http, owner.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("access:second_factor")
    assert _session_user(http) is None
    response = http.get(reverse("clients:client_list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_owner_wrong_code_is_refused_and_right_code_logs_in(clinic_a: ClinicWorld) -> None:
    """A wrong TOTP code is refused; the current code logs the owner in."""
    owner = clinic_a.users[Role.OWNER]
    secret = _with_totp(owner)
    http = HttpClient()
    _login(http, owner.username, PASSWORD)
    good = totp.current_code(secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = http.post(reverse("access:second_factor"), {"code": wrong})
    assert response.status_code == 200
    assert _session_user(http) is None
    response = http.post(reverse("access:second_factor"), {"code": good})
    assert response.status_code == 302
    assert _session_user(http) == str(owner.pk)
    assert http.get(reverse("clients:client_list")).status_code == 200


def test_totp_code_cannot_be_replayed(clinic_a: ClinicWorld) -> None:
    """A code that logged in once is refused the second time, even within its 30 seconds."""
    owner = clinic_a.users[Role.OWNER]
    secret = _with_totp(owner)
    with time_machine.travel(START, tick=False):
        code = totp.current_code(secret)
        first = HttpClient()
        _login(first, owner.username, PASSWORD)
        assert first.post(reverse("access:second_factor"), {"code": code}).status_code == 302
        assert _session_user(first) == str(owner.pk)

        second = HttpClient()
        _login(second, owner.username, PASSWORD)
        response = second.post(reverse("access:second_factor"), {"code": code})
        assert response.status_code == 200
        assert _session_user(second) is None


def test_practitioner_without_totp_logs_in_with_password(clinic_a: ClinicWorld) -> None:
    """A practitioner who has not enrolled TOTP logs in with the password alone."""
    user = clinic_a.users[Role.PRACTITIONER]
    http = HttpClient()
    response = _login(http, user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _session_user(http) == str(user.pk)


def test_new_owner_enrols_totp_with_a_confirming_code(clinic_a: ClinicWorld) -> None:
    """A new owner is shown a secret, and confirming it with a code enrols and logs them in."""
    owner = clinic_a.users[Role.OWNER]
    assert not User.objects.get(pk=owner.pk).totp_confirmed
    http = HttpClient()
    assert _login(http, owner.username, PASSWORD)["Location"] == reverse("access:second_factor")
    page = http.get(reverse("access:second_factor"))
    assert page.status_code == 200
    secret = http.session["taut_enrol_secret"]
    assert secret in page.content.decode()
    assert _session_user(http) is None

    response = http.post(
        reverse("access:second_factor"), {"code": "000000" if totp.current_code(secret) != "000000" else "1"}
    )
    assert response.status_code == 200
    assert not User.objects.get(pk=owner.pk).totp_confirmed

    response = http.post(reverse("access:second_factor"), {"code": totp.current_code(secret)})
    assert response.status_code == 302
    assert _session_user(http) == str(owner.pk)
    stored = User.objects.get(pk=owner.pk)
    assert stored.totp_confirmed
    assert stored.totp_secret == secret


# Item 18: throttling -------------------------------------------------------------------


def test_lockout_after_failures_refuses_the_right_password_generically(clinic_a: ClinicWorld) -> None:
    """Six bad attempts lock username+IP; the correct password is then refused with the same message."""
    user = clinic_a.users[Role.PRACTITIONER]
    http = HttpClient()
    generic = escape(GENERIC_ERROR)
    with time_machine.travel(START, tick=False):
        before = _login_entries(user.username)
        for attempt in range(1, 7):
            response = _login(http, user.username, f"wrong-password-{attempt}")
            assert response.status_code == 200
            assert generic in response.content.decode()
            assert _login_entries(user.username) == before + attempt
        response = _login(http, user.username, PASSWORD)
        assert response.status_code == 200
        assert generic in response.content.decode()
        assert "lock" not in response.content.decode().lower()
        assert _session_user(http) is None
        assert _login_entries(user.username) == before + 7
        with unscoped():
            last = AuditEntry.objects.filter(action="login", username=user.username).order_by("-id").first()
        assert last is not None
        assert last.outcome == AuditEntry.Outcome.DENIED  # refused by the lock: not a new failure
        assert last.ip == "127.0.0.1"

    with time_machine.travel(START + dt.timedelta(minutes=10), tick=False):
        assert _session_user(http) is None
        _login(http, user.username, PASSWORD)
        assert _session_user(http) is None


def test_lockout_is_per_address(clinic_a: ClinicWorld) -> None:
    """Failures from one address do not lock the same user out from another address."""
    user = clinic_a.users[Role.PRACTITIONER]
    with time_machine.travel(START, tick=False):
        for _ in range(6):
            _login(HttpClient(), user.username, "wrong-password", ip="10.0.0.1")
        locked = HttpClient()
        _login(locked, user.username, PASSWORD, ip="10.0.0.1")
        assert _session_user(locked) is None
        other = HttpClient()
        response = _login(other, user.username, PASSWORD, ip="10.0.0.2")
        assert response.status_code == 302
        assert _session_user(other) == str(user.pk)


def test_login_works_again_after_the_cool_off(clinic_a: ClinicWorld) -> None:
    """Once the cool-off has passed, the correct password logs in again."""
    user = clinic_a.users[Role.PRACTITIONER]
    with time_machine.travel(START, tick=False):
        for _ in range(6):
            _login(HttpClient(), user.username, "wrong-password")
        http = HttpClient()
        _login(http, user.username, PASSWORD)
        assert _session_user(http) is None
    later = START + dt.timedelta(seconds=settings.LOGIN_COOLOFF_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        http = HttpClient()
        response = _login(http, user.username, PASSWORD)
        assert response.status_code == 302
        assert _session_user(http) == str(user.pk)


def test_unknown_user_gets_the_same_generic_error(clinic_a: ClinicWorld) -> None:
    """An unknown username and a wrong password read the same, and both are audited."""
    before = _login_entries("nobody-here")
    unknown = _login(HttpClient(), "nobody-here", PASSWORD)
    wrong = _login(HttpClient(), clinic_a.users[Role.PRACTITIONER].username, "not-the-password")
    assert escape(GENERIC_ERROR) in unknown.content.decode()
    assert escape(GENERIC_ERROR) in wrong.content.decode()
    assert _login_entries("nobody-here") == before + 1
