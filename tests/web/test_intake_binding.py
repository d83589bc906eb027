"""Who may send an intake link, how it reaches the client, and the browser it is bound to
(issue 10, items 2 and 3): only clinical roles create links and see them; the link is e-mailed to
the client; the first browser that opens it keeps it, and any other is refused; the public
intake limit counts only failed token look-ups on the public pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.capabilities import CapabilityDenied
from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.audit.models import AuditEntry
from taut.intake import services as intake
from taut.intake.models import IntakeLink
from tests.factories import CLINICAL_MARKER, ClinicWorld
from tests.web.routes import FAST_HASHERS
from tests.web.routes_intake import link_web_payload, step_answers

pytestmark = pytest.mark.django_db

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def new_link(world: ClinicWorld, role: str = PRACTITIONER) -> tuple[IntakeLink, str]:
    with clinic_scope(world.clinic):
        return intake.do_create_link(world.client, world.users[role], role)


def start_url(token: str) -> str:
    return reverse("intake:intake_start", kwargs={"intake_token": token})


def step_url(token: str, step: str) -> str:
    return reverse("intake:intake_step", kwargs={"intake_token": token, "step": step})


def link_count() -> int:
    with unscoped():
        return IntakeLink.objects.count()


# Who may send a link ------------------------------------------------------------------------------


def test_front_desk_cannot_create_see_or_revoke_links(clinic_a: ClinicWorld, api_as: Any, web_as: Any) -> None:
    """Front desk gets 403 from the API and the pages, and the service refuses; nothing is made."""
    link, _ = new_link(clinic_a)
    before = link_count()
    api = api_as(clinic_a, FRONT_DESK)
    base = f"/api/v1/clients/{clinic_a.client.pk}/intake-links"
    assert api.post(base, "{}", content_type="application/json").status_code == 403
    assert api.get(base).status_code == 403
    assert api.post(f"{base}/{link.pk}/revoke").status_code == 403
    web = web_as(clinic_a.users[FRONT_DESK])
    assert web.get(reverse("intake:intake_links", kwargs={"client_id": clinic_a.client.pk})).status_code == 403
    assert (
        web.post(reverse("intake:intake_links", kwargs={"client_id": clinic_a.client.pk}), {"days": "7"}).status_code
        == 403
    )
    with clinic_scope(clinic_a.clinic), pytest.raises(CapabilityDenied):
        intake.do_create_link(clinic_a.client, clinic_a.users[FRONT_DESK], FRONT_DESK)
    assert link_count() == before
    with unscoped():
        assert IntakeLink.objects.get(pk=link.pk).usable


# How it reaches the client --------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["api", "web"])
def test_a_new_link_is_emailed_to_the_client_without_health_content(
    channel: str, clinic_a: ClinicWorld, api_as: Any, web_as: Any
) -> None:
    """One message goes to the client's address with the link; it carries no health information."""
    mail.outbox.clear()
    if channel == "api":
        api = api_as(clinic_a, PRACTITIONER)
        response = api.post(f"/api/v1/clients/{clinic_a.client.pk}/intake-links", "{}", content_type="application/json")
        assert response.status_code == 201
        assert response.json()["emailed"] is True
    else:
        web = web_as(clinic_a.users[PRACTITIONER])
        data = link_web_payload(clinic_a, PRACTITIONER)
        response = web.post(reverse("intake:intake_links", kwargs={"client_id": clinic_a.client.pk}), data)
        assert response.status_code == 200
        assert "e-mailed" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [clinic_a.client.email]
    body = message.body + message.subject
    assert "/intake/" in body
    token = body.split("/intake/", 1)[1].split("/", 1)[0]
    with unscoped():
        assert IntakeLink.objects.filter(token_sha256=hashlib.sha256(token.encode()).hexdigest()).exists()
    assert CLINICAL_MARKER not in body
    assert clinic_a.client.family_name not in body
    for word in ("history", "medication", "pain", "diagnos"):
        assert word not in body.lower()
    assert HttpClient().get(start_url(token)).status_code == 200
    with unscoped():
        entry = AuditEntry.objects.filter(action="create", object_type="intakelink").latest("id")
    assert entry.detail["email"] == "sent"


def test_a_mail_server_that_refuses_leaves_a_usable_link(clinic_a: ClinicWorld, api_as: Any, settings: Any) -> None:
    """With an SMTP server that cannot be reached, the link is still made (its address is returned
    to the clinician) and its one audit entry says the message failed."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    api = api_as(clinic_a, PRACTITIONER)
    response = api.post(f"/api/v1/clients/{clinic_a.client.pk}/intake-links", "{}", content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert created["emailed"] is False
    token = created["url"].rstrip("/").rsplit("/", 1)[1]
    assert HttpClient().get(start_url(token)).status_code == 200
    with unscoped():
        entry = AuditEntry.objects.filter(action="create", object_type="intakelink").latest("id")
    assert entry.detail["email"].startswith("failed")


def test_a_client_without_an_email_address_gets_no_message(clinic_a: ClinicWorld, api_as: Any) -> None:
    with unscoped():
        type(clinic_a.client).objects.filter(pk=clinic_a.client.pk).update(email="")
    mail.outbox.clear()
    api = api_as(clinic_a, OWNER)
    response = api.post(f"/api/v1/clients/{clinic_a.client.pk}/intake-links", "{}", content_type="application/json")
    assert response.status_code == 201
    assert response.json()["emailed"] is False
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "django.core.mail.backends.filebased.EmailBackend"),
        ({"TAUT_EMAIL_HOST": "smtp.example.org"}, "django.core.mail.backends.smtp.EmailBackend"),
    ],
)
def test_email_settings_default_to_an_outbox_folder(tmp_path: Path, env: dict[str, str], backend: str) -> None:
    """With no SMTP server configured, messages are written to <data dir>/outbox; TAUT_EMAIL_HOST
    switches to SMTP."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'taut.web.settings'; django.setup();"
        "from django.conf import settings as s; print(s.EMAIL_BACKEND); print(getattr(s, 'EMAIL_FILE_PATH', ''));"
        "print(s.EMAIL_HOST)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TAUT_EMAIL", "DJANGO_SETTINGS"))}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "TAUT_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0] == backend
    if not env:
        assert Path(out[1]) == tmp_path / "outbox"
    else:
        assert out[2] == "smtp.example.org"


# The browser the link is bound to ------------------------------------------------------------------


def test_a_second_browser_is_refused_and_never_sees_the_draft(clinic_a: ClinicWorld) -> None:
    """The client's browser keeps working; another browser gets a page that says to ask the clinic
    for a new link, sees none of the draft, and cannot overwrite it."""
    link, token = new_link(clinic_a)
    phone = HttpClient()
    answers = step_answers(health__medications="Warfarin 5 mg")
    assert phone.post(step_url(token, "contact"), answers["contact"]).status_code == 302
    assert phone.post(step_url(token, "health"), answers["health"]).status_code == 302
    other = HttpClient()
    for url in (
        start_url(token),
        step_url(token, "health"),
        reverse("intake:intake_review", kwargs={"intake_token": token}),
    ):
        first = other.get(url)
        assert "Warfarin" not in first.content.decode()
        refused = other.get(url + "?checked=1")
        assert refused.status_code == 403
        text = refused.content.decode()
        assert "new link" in text
        assert "Warfarin" not in text
    response = other.post(step_url(token, "health"), step_answers(health__medications="none")["health"])
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.draft["health"]["medications"] == "Warfarin 5 mg"
    again = phone.get(step_url(token, "health"))
    assert again.status_code == 200
    assert "Warfarin" in again.content.decode()


def test_the_binding_cookie_is_private_and_only_its_hash_is_stored(clinic_a: ClinicWorld) -> None:
    link, token = new_link(clinic_a)
    phone = HttpClient()
    response = phone.get(start_url(token))
    assert response.status_code == 200
    name = f"taut_intake_{link.pk}"
    cookie = response.cookies[name]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == start_url(token)
    secret = cookie.value
    assert len(secret) >= 32
    link.refresh_from_db()
    assert link.browser_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    with unscoped():
        stored = IntakeLink.objects.filter(pk=link.pk).values().get()
    assert secret not in json.dumps(stored, default=str)


def test_the_binding_cookie_is_secure_when_deployed(clinic_a: ClinicWorld, settings: Any) -> None:
    """Under the production settings (secure session cookies), the binding cookie is Secure too."""
    settings.SESSION_COOKIE_SECURE = True
    link, token = new_link(clinic_a)
    response = HttpClient().get(start_url(token))
    assert response.cookies[f"taut_intake_{link.pk}"]["secure"]


def test_a_link_opened_again_from_the_email_reaches_the_same_browser(clinic_a: ClinicWorld) -> None:
    """A cross-site click (an e-mail app) does not send a SameSite=Strict cookie: the page without it
    first leads the browser back to the same address, where the cookie is sent."""
    _, token = new_link(clinic_a)
    phone = HttpClient()
    phone.get(start_url(token))
    cookies = phone.cookies
    without = HttpClient()
    page = without.get(start_url(token))
    assert page.status_code == 200
    assert 'http-equiv="refresh"' in page.content.decode()
    assert "?checked=1" in page.content.decode()
    without.cookies = cookies
    assert without.get(start_url(token) + "?checked=1").status_code == 200


# The public limit --------------------------------------------------------------------------------


def test_a_signed_in_users_api_404s_do_not_lock_the_intake(clinic_a: ClinicWorld, api_as: Any, settings: Any) -> None:
    """Revoking missing links through the API, many times, does not lock the address out of the
    public pages."""
    settings.TAUT_INTAKE_FAILED_LIMIT = 3
    _, token = new_link(clinic_a)
    api = api_as(clinic_a, PRACTITIONER)
    for n in range(6):
        url = f"/api/v1/clients/{clinic_a.client.pk}/intake-links/{10_000 + n}/revoke"
        assert api.post(url).status_code == 404
    assert HttpClient().get(start_url(token)).status_code == 200


def test_the_intake_locks_own_refusals_do_not_keep_it_locked(clinic_a: ClinicWorld, settings: Any) -> None:
    """Failed token look-ups lock an address; the 429s it answers meanwhile are not counted, so the
    lock lifts when the failures are older than the window."""
    settings.TAUT_INTAKE_FAILED_LIMIT = 3
    window = settings.TAUT_INTAKE_COOLOFF_SECONDS = 15 * 60
    _, token = new_link(clinic_a)
    http = HttpClient(REMOTE_ADDR="10.3.0.1")
    with time_machine.travel(START, tick=False):
        for n in range(3):
            assert http.get(step_url(f"guess-{n}", "contact")).status_code == 404
    with time_machine.travel(START + dt.timedelta(seconds=window - 60), tick=False):
        for _ in range(5):
            assert http.get(start_url(token)).status_code == 429
    with time_machine.travel(START + dt.timedelta(seconds=window + 1), tick=False):
        assert http.get(start_url(token)).status_code == 200


def test_the_per_link_caps_own_refusals_do_not_keep_it_busy(clinic_a: ClinicWorld, settings: Any) -> None:
    """The per-minute cap on one link counts the requests served, not its own 429s: a minute after
    the served requests, the link opens again however often it was refused meanwhile."""
    settings.TAUT_INTAKE_PER_MINUTE = 3
    _, token = new_link(clinic_a)
    phone = HttpClient()
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            assert phone.get(step_url(token, "contact")).status_code == 200
    with time_machine.travel(START + dt.timedelta(seconds=30), tick=False):
        for _ in range(5):
            assert phone.get(step_url(token, "contact")).status_code == 429
    with time_machine.travel(START + dt.timedelta(seconds=61), tick=False):
        assert phone.get(step_url(token, "contact")).status_code == 200
