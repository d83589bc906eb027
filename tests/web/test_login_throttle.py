"""Throttles of every login step: the password, the second factor, API tokens (issue 10, items 1
and 3). The intake link's throttle is in test_intake_binding.py.

Each lock counts only real failures of what it protects: a request refused because the lock is
on is audited as "denied", never as a new failure, so a lock lifts once its window has passed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
import time_machine
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape

from taut.access import services as access
from taut.access import totp
from taut.access.models import Role, User
from taut.access.scoping import clinic_scope, unscoped
from taut.access.views import GENERIC_ERROR
from taut.audit.models import AuditEntry
from tests.factories import PASSWORD, ClinicWorld

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _login(http: HttpClient, username: str, password: str = PASSWORD, ip: str = "127.0.0.1") -> Any:
    return http.post(reverse("access:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _code(http: HttpClient, code: str, ip: str = "127.0.0.1") -> Any:
    return http.post(reverse("access:second_factor"), {"code": code}, REMOTE_ADDR=ip)


def _logged_in(http: HttpClient) -> bool:
    return http.session.get("_auth_user_id") is not None


def _with_totp(user: User) -> str:
    secret = pyotp.random_base32()
    User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed=True, totp_last_step=0)
    return secret


def _wrong(secret: str) -> str:
    good = totp.current_code(secret)
    # a code of no step around now (the previous, current and next step are accepted)
    accepted = {pyotp.TOTP(secret).at(START.timestamp() + d) for d in (-30, 0, 30)} | {good}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def _entries(**filters: Any) -> list[AuditEntry]:
    with unscoped():
        return list(AuditEntry.objects.filter(**filters).order_by("id"))


# The second factor ----------------------------------------------------------------------------


def test_pending_session_is_discarded_after_five_wrong_codes(clinic_a: ClinicWorld) -> None:
    """Five wrong codes end the pending login: the right code is then refused, the person is sent
    back to the password step with the generic message, and the discard is audited."""
    owner = clinic_a.users[Role.OWNER]
    secret = _with_totp(owner)
    with time_machine.travel(START, tick=False):
        http = HttpClient()
        _login(http, owner.username)
        wrong = _wrong(secret)
        for _ in range(settings.TOTP_ATTEMPT_LIMIT - 1):
            assert _code(http, wrong).status_code == 200
        last = _code(http, wrong)
        assert last.status_code == 302
        assert last["Location"].startswith(reverse("access:login"))
        page = http.get(last["Location"])
        assert escape(GENERIC_ERROR) in page.content.decode()
        response = _code(http, totp.current_code(secret))
        assert response.status_code == 302
        assert response["Location"] == reverse("access:login")
        assert not _logged_in(http)
    discarded = _entries(action="login", username=owner.username, detail__reason="too many codes")
    assert len(discarded) == 1
    assert discarded[0].outcome == AuditEntry.Outcome.DENIED


def test_code_step_is_throttled_per_user_across_pending_sessions(clinic_a: ClinicWorld) -> None:
    """Wrong codes spread over many pending sessions and addresses still stop at the limit per
    user: after it, even a fresh pending session with the right code does not log in."""
    owner = clinic_a.users[Role.OWNER]
    secret = _with_totp(owner)
    with time_machine.travel(START, tick=False):
        wrong = _wrong(secret)
        for n in range(settings.TOTP_ATTEMPT_LIMIT):
            http = HttpClient()
            ip = f"10.1.0.{n + 1}"
            _login(http, owner.username, ip=ip)
            last = n == settings.TOTP_ATTEMPT_LIMIT - 1  # the wrong code that reaches the limit ends its login
            assert _code(http, wrong, ip=ip).status_code == (302 if last else 200)
        fresh = HttpClient()
        _login(fresh, owner.username, ip="10.1.0.99")
        response = _code(fresh, totp.current_code(secret), ip="10.1.0.99")
        assert not _logged_in(fresh)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("access:login"))
    later = START + dt.timedelta(seconds=settings.LOGIN_COOLOFF_SECONDS + 31)
    with time_machine.travel(later, tick=False):
        http = HttpClient()
        _login(http, owner.username, ip="10.1.0.99")
        assert _code(http, totp.current_code(secret), ip="10.1.0.99").status_code == 302
        assert _logged_in(http)


def test_pending_login_expires_after_its_lifetime(clinic_a: ClinicWorld) -> None:
    """A password step older than the pending lifetime no longer admits a code, even the right one."""
    owner = clinic_a.users[Role.OWNER]
    secret = _with_totp(owner)
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        _login(http, owner.username)
    with time_machine.travel(START + dt.timedelta(seconds=settings.TOTP_PENDING_SECONDS + 1), tick=False):
        response = _code(http, totp.current_code(secret))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("access:login"))
        assert not _logged_in(http)
        assert http.get(reverse("access:second_factor"))["Location"] == reverse("access:login")
    assert _entries(action="login", username=owner.username, detail__reason="second factor expired")


def test_wrong_codes_count_toward_the_password_lockout(clinic_a: ClinicWorld) -> None:
    """Wrong codes are failed logins of the account: after the limit, the password step is locked too."""
    owner = clinic_a.users[Role.OWNER]
    secret = _with_totp(owner)
    with time_machine.travel(START, tick=False):
        wrong = _wrong(secret)
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            http = HttpClient()
            _login(http, owner.username)
            _code(http, wrong)
        http = HttpClient()
        response = _login(http, owner.username)
        assert response.status_code == 200
        assert escape(GENERIC_ERROR) in response.content.decode()


def test_right_code_replayed_in_the_same_step_is_refused(clinic_a: ClinicWorld) -> None:
    """A code that logged in once is refused on a second login within the same 30 seconds."""
    owner = clinic_a.users[Role.OWNER]
    secret = _with_totp(owner)
    with time_machine.travel(START, tick=False):
        code = totp.current_code(secret)
        first = HttpClient()
        _login(first, owner.username)
        assert _code(first, code).status_code == 302
        second = HttpClient()
        _login(second, owner.username)
        assert _code(second, code).status_code == 200
        assert not _logged_in(second)


# The password step -----------------------------------------------------------------------------


def test_refusals_while_locked_do_not_extend_the_lock(clinic_a: ClinicWorld) -> None:
    """One try every three minutes while locked keeps nothing going: once the window of the real
    failures has passed, the right password works; the refusals were audited as denied."""
    user = clinic_a.users[Role.PRACTITIONER]
    with time_machine.travel(START, tick=False):
        for n in range(settings.LOGIN_FAILURE_LIMIT):
            _login(HttpClient(), user.username, f"wrong-{n}")
    minutes = settings.LOGIN_COOLOFF_SECONDS // 60
    for minute in range(3, minutes, 3):
        with time_machine.travel(START + dt.timedelta(minutes=minute), tick=False):
            http = HttpClient()
            _login(http, user.username)
            assert not _logged_in(http), minute
    with time_machine.travel(START + dt.timedelta(seconds=settings.LOGIN_COOLOFF_SECONDS + 1), tick=False):
        http = HttpClient()
        assert _login(http, user.username).status_code == 302
        assert _logged_in(http)
    refused = _entries(action="login", username=user.username, detail__reason="locked")
    assert refused
    assert {e.outcome for e in refused} == {AuditEntry.Outcome.DENIED}


# API tokens ------------------------------------------------------------------------------------


def test_invalid_tokens_from_one_address_are_throttled(clinic_a: ClinicWorld, settings: Any) -> None:
    """After the limit of invalid bearer tokens from one address, that address gets a JSON 429
    (even with a valid token) until the window has passed; other addresses are not affected, and
    the 429s themselves are not counted."""
    settings.TAUT_TOKEN_FAILED_LIMIT = 3
    with clinic_scope(clinic_a.clinic):
        _, good = access.do_create_token(clinic_a.users[Role.PRACTITIONER], clinic_a.clinic, "t")
    url = "/api/v1/clients"
    with time_machine.travel(START, tick=False):
        for n in range(3):
            bad = HttpClient(headers={"Authorization": f"Bearer taut_guess{n}"}, REMOTE_ADDR="10.2.0.1")
            assert bad.get(url).status_code == 401
        locked = HttpClient(headers={"Authorization": f"Bearer {good}"}, REMOTE_ADDR="10.2.0.1")
        response = locked.get(url)
        assert response.status_code == 429
        assert response.json()["errors"][0]["type"] == "throttled"
        for _ in range(5):
            assert locked.get(url).status_code == 429
        other = HttpClient(headers={"Authorization": f"Bearer {good}"}, REMOTE_ADDR="10.2.0.2")
        assert other.get(url).status_code == 200
    later = START + dt.timedelta(seconds=settings.TAUT_TOKEN_COOLOFF_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert locked.get(url).status_code == 200
