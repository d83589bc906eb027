"""The practitioner records a verbal consent from the client page, where the clinic accepts it: who
agreed, when, the consent text that was read to them (stored with its fingerprint) and their words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut.access.models import Role, User
from taut.access.scoping import clinic_scope
from taut.clients import consent as consent_texts
from taut.clients import gate
from taut.clients.models import Consent
from tests.factories import ClinicWorld, make_clinic
from tests.web.routes import FAST_HASHERS
from tests.web.test_consent_gate import withdraw_all
from tests.web.test_consent_text import shown

pytestmark = pytest.mark.django_db
WORDS = "Yes, you can look at my neck and treat the sore muscles today."


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def world(allow: bool = True) -> ClinicWorld:
    w = make_clinic()
    withdraw_all(w)
    w.clinic.allow_verbal_consent = allow
    w.clinic.save(update_fields=["allow_verbal_consent"])
    return w


def url(w: ClinicWorld) -> str:
    return reverse("clients:consent_verbal", args=[w.client.pk])


def form(fingerprint: str, when: dt.datetime | None = None, **changes: str) -> dict[str, str]:
    when = when or timezone.localtime()
    data = {
        "signed_by": "Ann Client",
        "relationship": "self",
        "signed_at": when.strftime("%Y-%m-%dT%H:%M"),
        "statement": WORDS,
        "shown_sha256": fingerprint,
    }
    return {**data, **changes}


def test_the_practitioner_records_it_from_the_client_page(web_as: Callable[[User], HttpClient]) -> None:
    w = world()
    http = web_as(w.users[Role.PRACTITIONER])
    client_page = http.get(reverse("clients:client_detail", args=[w.client.pk])).content.decode()
    assert url(w) in client_page
    page = http.get(url(w)).content.decode()
    text, fingerprint = shown(page)  # the text to read aloud, with its fingerprint
    assert w.clinic.name in text
    when = timezone.localtime() - dt.timedelta(hours=2)
    response = http.post(url(w), form(fingerprint, when))
    assert response.status_code == 302
    with clinic_scope(w.clinic):
        consent = Consent.objects.get(client=w.client, withdrawn_at=None)
        assert consent.method == Consent.Method.VERBAL
        assert (consent.signed_by, consent.statement) == ("Ann Client", WORDS)
        assert (consent.text, consent.text_sha256) == (text, fingerprint)
        assert consent.recorded_by == w.users[Role.PRACTITIONER]
        assert abs((consent.signed_at - when).total_seconds()) < 60
        assert gate.consent_problem(w.client) is None  # clinical work may go ahead
        assert gate.consent_problem(w.client, gate.MEDIA) is not None  # never photos or videos
    detail = http.get(reverse("clients:consent_detail", args=[w.client.pk, consent.pk])).content.decode()
    assert WORDS in detail


def test_a_clinic_that_does_not_accept_it_records_nothing(web_as: Callable[[User], HttpClient]) -> None:
    w = world(allow=False)
    http = web_as(w.users[Role.PRACTITIONER])
    assert url(w) not in http.get(reverse("clients:client_detail", args=[w.client.pk])).content.decode()
    with clinic_scope(w.clinic):
        fingerprint = consent_texts.render("treatment-consent", w.clinic).sha256
    response = http.post(url(w), form(fingerprint))
    assert response.status_code == 200
    assert "does not accept verbal consent" in response.content.decode()
    with clinic_scope(w.clinic):
        assert not Consent.objects.filter(client=w.client, withdrawn_at=None).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"signed_by": ""}, "This field is required"),
        ({"statement": "ok"}, "Write down what was said"),
        ({"signed_at": "tomorrow"}, "Give the date and time"),
        ({"signed_at": "2031-01-01T10:00"}, "cannot be given in the future"),
        ({"signed_at": "2020-01-01T10:00"}, "within a week"),
        ({"shown_sha256": "0" * 64}, "changed after it was shown"),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(
    web_as: Callable[[User], HttpClient], changes: dict[str, str], message: str
) -> None:
    w = world()
    http = web_as(w.users[Role.PRACTITIONER])
    _, fingerprint = shown(http.get(url(w)).content.decode())
    response = http.post(url(w), form(fingerprint, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    with clinic_scope(w.clinic):
        assert not Consent.objects.filter(client=w.client, withdrawn_at=None).exists()


def test_front_desk_cannot_record_it(web_as: Callable[[User], HttpClient]) -> None:
    w = world()
    http = web_as(w.users[Role.FRONT_DESK])
    assert url(w) not in http.get(reverse("clients:client_detail", args=[w.client.pk])).content.decode()
    assert http.get(url(w)).status_code == 403
    assert http.post(url(w), form("")).status_code == 403
    with clinic_scope(w.clinic):
        assert not Consent.objects.filter(client=w.client, withdrawn_at=None).exists()
