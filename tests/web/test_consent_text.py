"""The consent the client reads is the text that is signed, stored and fingerprinted: one rendered
text. The page's consent section, stripped of its tags by the same function that makes the
fingerprint's text, must equal the stored text, and its SHA-256 the stored fingerprint."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import User
from taut.access.scoping import clinic_scope
from taut.clients.consent import render, text_of
from taut.clients.models import Consent
from taut.intake.models import IntakeSubmission
from tests.web import routes  # noqa: F401  (first: the route tables import each other)
from tests.web.routes_intake import step_answers
from tests.web.test_intake import PRACTITIONER, fill_all, new_link, review_url, step_url

SECTION = re.compile(r'<section class="consent-text" id="consent-text"[^>]*>(.*?)</section>', re.S)
FINGERPRINT = re.compile(r'<code class="fingerprint" id="consent-fingerprint">([0-9a-f]{64})</code>')
TRICKY = 'Bodywork <b>bold</b> {clinic} & "Co" {x} *star* 1. _under_'


def shown(page: str) -> tuple[str, str]:
    """The consent text a reader sees on a page and the fingerprint printed beside it."""
    section, fingerprint = SECTION.search(page), FINGERPRINT.search(page)
    assert section is not None, page[:3000]
    assert fingerprint is not None, page[:3000]
    return text_of(section.group(1)), fingerprint.group(1)


def rename(world: Any, name: str) -> None:
    world.clinic.name = name
    world.clinic.save(update_fields=["name"])


@pytest.mark.parametrize("name", ["Clinic a", TRICKY])
def test_intake_shown_signed_and_stored_text_agree(clinic_a: Any, name: str) -> None:
    rename(clinic_a, name)
    link, token = new_link(clinic_a)
    http = HttpClient()
    page = http.get(step_url(token, "consent")).content.decode()
    text, fingerprint = shown(page)
    assert "**" not in text
    assert text.count("{clinic}") == name.count("{clinic}")
    assert f"I ask {name} to assess" in text  # the name exactly as typed, never as markup
    assert "<b>bold</b>" not in page  # escaped on the page, so it shows literally
    assert hashlib.sha256(text.encode()).hexdigest() == fingerprint
    fill_all(http, token, step_answers())
    assert http.post(review_url(token)).status_code == 200
    with clinic_scope(clinic_a.clinic):
        submission = IntakeSubmission.objects.get(link=link)
        consent = submission.consent
        assert consent is not None
        assert consent.text == text
        assert consent.text_sha256 == fingerprint
        assert submission.answers["consent"]["text"] == text
        assert submission.answers["consent"]["sha256"] == fingerprint


def test_clinic_consent_pages_show_the_same_text(clinic_a: Any, web_as: Callable[[User], HttpClient]) -> None:
    rename(clinic_a, TRICKY)
    http = web_as(clinic_a.users[PRACTITIONER])
    client_id = clinic_a.client.pk
    page = http.get(reverse("clients:consent_create", args=[client_id])).content.decode()
    text, fingerprint = shown(page)
    expected = render("treatment-consent", TRICKY)
    assert (text, fingerprint) == (expected.text, expected.sha256)
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    form = {"signed_by": "Ann Client", "relationship": "self", "method": "signed_in_clinic", "agreed": "on"}
    response = http.post(reverse("clients:consent_create", args=[client_id]), {**form, "shown_sha256": fingerprint})
    assert response.status_code == 302
    with clinic_scope(clinic_a.clinic):
        consent = Consent.objects.filter(client_id=client_id).order_by("-id").first()
        assert consent is not None
        assert (consent.text, consent.text_sha256) == (text, fingerprint)
    detail = http.get(reverse("clients:consent_detail", args=[client_id, consent.pk])).content.decode()
    assert SECTION.search(detail) is not None
    assert text_of(SECTION.search(detail).group(1)) == text  # type: ignore[union-attr]
    assert fingerprint in detail


def test_a_changed_text_is_not_signed_unseen(clinic_a: Any, web_as: Callable[[User], HttpClient]) -> None:
    """The clinic's name changed after the page was shown: the fingerprint no longer matches,
    nothing is recorded and the page says why."""
    http = web_as(clinic_a.users[PRACTITIONER])
    client_id = clinic_a.client.pk
    page = http.get(reverse("clients:consent_create", args=[client_id])).content.decode()
    _, fingerprint = shown(page)
    rename(clinic_a, "Another name")
    with clinic_scope(clinic_a.clinic):
        before = Consent.objects.count()
    form = {"signed_by": "Ann Client", "relationship": "self", "method": "signed_in_clinic", "agreed": "on"}
    response = http.post(reverse("clients:consent_create", args=[client_id]), {**form, "shown_sha256": fingerprint})
    assert response.status_code == 200
    assert "changed after it was shown" in response.content.decode()
    with clinic_scope(clinic_a.clinic):
        assert Consent.objects.count() == before
