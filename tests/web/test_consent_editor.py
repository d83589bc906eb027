"""The owner edits the clinic's consent text: a preview shows exactly the text and fingerprint the
client then reads, signs and the clinic stores; each save is a new version, older signed consents
keep their text; bad text gets a clear error and saves nothing; other roles and clinics see nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role, User
from taut.access.scoping import clinic_scope
from taut.audit.models import AuditEntry
from taut.clients import consent as consent_texts
from taut.clients.models import Consent, ConsentTextVersion
from taut.intake.models import IntakeSubmission
from tests.web import routes  # noqa: F401  (first: the route tables import each other)
from tests.web.routes_intake import step_answers
from tests.web.test_consent_text import SECTION, shown
from tests.web.test_intake import fill_all, new_link, review_url, step_url

pytestmark = pytest.mark.django_db

URL = reverse("clients:consent_text")
BODY = (
    "# Consent to care at {clinic}\n\n"
    "I ask **{clinic}** to assess my muscles and treat me with hands-on therapy.\n\n"
    "1. I can stop the session at any time.\n"
    "2. I will tell the therapist about any change in my health.\n"
)
MARKER = "hands-on therapy"


def preview(http: HttpClient, body: str) -> tuple[str, str, str]:
    """Preview a body: the page, the text a reader sees in the preview and its fingerprint."""
    response = http.post(URL, {"body": body, "action": "preview"})
    assert response.status_code == 200
    page = response.content.decode()
    text, fingerprint = shown(page)
    return page, text, fingerprint


def save(http: HttpClient, body: str) -> Any:
    _, _, fingerprint = preview(http, body)
    return http.post(URL, {"body": body, "previewed_sha256": fingerprint, "action": "save"})


def test_the_preview_is_what_the_intake_shows_and_stores(clinic_a: Any, web_as: Callable[[User], HttpClient]) -> None:
    owner = web_as(clinic_a.users[Role.OWNER])
    _page, text, fingerprint = preview(owner, BODY)
    assert f"I ask {clinic_a.clinic.name} to assess" in text
    assert "**" not in text
    assert "{clinic}" not in text
    with clinic_scope(clinic_a.clinic):
        assert ConsentTextVersion.objects.count() == 0  # a preview saves nothing
    response = owner.post(URL, {"body": BODY, "previewed_sha256": fingerprint, "action": "save"})
    assert response.status_code == 302
    with clinic_scope(clinic_a.clinic):
        row = ConsentTextVersion.objects.get()
        assert row.version == "clinic-1"
        entry = AuditEntry.objects.filter(object_type="consenttextversion").latest("id")
        assert entry.action == "create"
        assert entry.detail["sha256"] == fingerprint
    # the client opens the intake: the text and fingerprint are the previewed ones
    link, token = new_link(clinic_a)
    http = HttpClient()
    intake_text, intake_fingerprint = shown(http.get(step_url(token, "consent")).content.decode())
    assert (intake_text, intake_fingerprint) == (text, fingerprint)
    answers = step_answers()
    answers["consent"]["consent_version"] = "clinic-1"
    fill_all(http, token, answers)
    assert http.post(review_url(token)).status_code == 200
    with clinic_scope(clinic_a.clinic):
        consent = IntakeSubmission.objects.get(link=link).consent
        assert consent is not None
        assert (consent.text, consent.text_sha256, consent.text_version) == (text, fingerprint, "clinic-1")
    # and the practitioner's consent page in the clinic shows the same
    practitioner = web_as(clinic_a.users[Role.PRACTITIONER])
    clinic_page = practitioner.get(reverse("clients:consent_create", args=[clinic_a.client.pk])).content.decode()
    assert shown(clinic_page) == (text, fingerprint)


def test_a_new_version_leaves_signed_consents_with_their_text(
    clinic_a: Any, web_as: Callable[[User], HttpClient]
) -> None:
    owner = web_as(clinic_a.users[Role.OWNER])
    assert save(owner, BODY).status_code == 302
    with clinic_scope(clinic_a.clinic):
        first = consent_texts.render("treatment-consent", clinic_a.clinic)
    practitioner = web_as(clinic_a.users[Role.PRACTITIONER])
    form = {"signed_by": "Ann Client", "relationship": "self", "method": "signed_in_clinic", "agreed": "on"}
    create = reverse("clients:consent_create", args=[clinic_a.client.pk])
    assert practitioner.post(create, {**form, "shown_sha256": first.sha256}).status_code == 302
    second_body = BODY.replace("hands-on therapy", "massage and stretching")
    assert save(owner, second_body).status_code == 302
    with clinic_scope(clinic_a.clinic):
        assert list(ConsentTextVersion.objects.values_list("version", flat=True)) == ["clinic-2", "clinic-1"]
        signed = Consent.objects.filter(client=clinic_a.client, text_version="clinic-1").get()
    detail = practitioner.get(reverse("clients:consent_detail", args=[clinic_a.client.pk, signed.pk])).content.decode()
    section = SECTION.search(detail)
    assert section is not None
    assert consent_texts.text_of(section.group(1)) == first.text
    assert MARKER in first.text
    assert first.sha256 in detail
    assert "massage and stretching" not in detail
    # the old fingerprint can no longer be signed: the text changed after it was shown
    response = practitioner.post(create, {**form, "shown_sha256": first.sha256})
    assert response.status_code == 200
    assert "changed after it was shown" in response.content.decode()
    page = owner.get(URL).content.decode()
    assert "clinic version 2" in page
    assert "clinic version 1" in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "cannot be empty"),
        ("   \n\n  ", "cannot be empty"),
        ("x" * (consent_texts.MAX_BODY + 1), "at most 20,000"),
        ("Yes.", "too short"),
        ("I agree to be treated by {clinic}, \x00 and more words here to be long.", "Null characters are not allowed"),
    ],
)
def test_bad_text_gets_a_clear_error_and_saves_nothing(
    clinic_a: Any, web_as: Callable[[User], HttpClient], body: str, message: str
) -> None:
    owner = web_as(clinic_a.users[Role.OWNER])
    for action in ("preview", "save"):
        response = owner.post(URL, {"body": body, "action": action, "previewed_sha256": "0" * 64})
        assert response.status_code == 200
        page = response.content.decode()
        assert message in page, page[:3000]
        assert 'id="consent-fingerprint"' not in page  # no preview of a text that cannot be saved
    with clinic_scope(clinic_a.clinic):
        assert ConsentTextVersion.objects.count() == 0


def test_saving_without_a_matching_preview_saves_nothing(clinic_a: Any, web_as: Callable[[User], HttpClient]) -> None:
    owner = web_as(clinic_a.users[Role.OWNER])
    _, _, fingerprint = preview(owner, BODY)
    changed = BODY.replace("hands-on", "gentle")
    response = owner.post(URL, {"body": changed, "previewed_sha256": fingerprint, "action": "save"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed after its preview" in page
    text, new_fingerprint = shown(page)  # the new preview is shown, ready to be saved
    assert "gentle" in text
    assert new_fingerprint != fingerprint
    assert f'value="{new_fingerprint}"' in page
    with clinic_scope(clinic_a.clinic):
        assert ConsentTextVersion.objects.count() == 0
    # saving the text already in use makes no new version
    assert save(owner, BODY).status_code == 302
    again = save(owner, BODY)
    assert again.status_code == 200
    assert "already in use" in again.content.decode()
    with clinic_scope(clinic_a.clinic):
        assert ConsentTextVersion.objects.count() == 1


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FRONT_DESK])
def test_only_the_owner_may_edit(clinic_a: Any, web_as: Callable[[User], HttpClient], role: str) -> None:
    http = web_as(clinic_a.users[role])
    assert http.get(URL).status_code == 403
    fingerprint = consent_texts.render_body(BODY, clinic_a.clinic.name).sha256
    response = http.post(URL, {"body": BODY, "previewed_sha256": fingerprint, "action": "save"})
    assert response.status_code == 403
    with clinic_scope(clinic_a.clinic):
        assert ConsentTextVersion.objects.count() == 0
        assert consent_texts.load("treatment-consent", clinic=clinic_a.clinic).version == "1.0"


def test_another_clinic_never_sees_the_text(clinic_a: Any, clinic_b: Any, web_as: Callable[[User], HttpClient]) -> None:
    assert save(web_as(clinic_a.users[Role.OWNER]), BODY).status_code == 302
    owner_b = web_as(clinic_b.users[Role.OWNER])
    page = owner_b.get(URL).content.decode()
    assert MARKER not in page
    assert "standard version 1.0" in page
    _, token = new_link(clinic_b)
    text, _ = shown(HttpClient().get(step_url(token, "consent")).content.decode())
    assert MARKER not in text
    assert clinic_b.clinic.name in text
    practitioner_b = web_as(clinic_b.users[Role.PRACTITIONER])
    consent_page = practitioner_b.get(reverse("clients:consent_create", args=[clinic_b.client.pk])).content.decode()
    assert MARKER not in consent_page
    with clinic_scope(clinic_b.clinic):
        assert ConsentTextVersion.objects.count() == 0
        assert re.search(r"1\.0", consent_texts.load("treatment-consent", clinic=clinic_b.clinic).version)
