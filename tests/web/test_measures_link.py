"""Outcome measures sent to the client's phone: the practitioner sends a private link for a visit,
the client fills it without an account, the scores land with the visit (client-reported, scored by
the core) and the link closes; half-filled forms, other clinics, the front desk and dead links
change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut.access.models import Role, User
from taut.access.scoping import clinic_scope, unscoped
from taut.assessments import links as measure_links
from taut.assessments.link_models import MeasuresLink
from taut.assessments.models import OutcomeMeasure
from taut.audit.models import AuditEntry
from taut.core.measures import scoring
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
NDI = [3, 2, 1, 4, 0, 2, 5, 1, 3, 2]  # sum 23 of 50: 46 percent, moderate
LEFS_COUNT = 20


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def send(world: ClinicWorld, instruments: list[str], **kwargs: Any) -> tuple[MeasuresLink, str]:
    with clinic_scope(world.clinic):
        return measure_links.do_send_link(world.visit, instruments, world.users[PRACTITIONER], PRACTITIONER, **kwargs)


def page(token: str) -> str:
    return reverse("assessments:measures_link", kwargs={"measures_token": token})


def form(instrument: str, answers: list[Any]) -> dict[str, str]:
    return {f"{instrument}.item_{n}": "" if v is None else str(v) for n, v in enumerate(answers, 1)}


def measures() -> list[OutcomeMeasure]:
    with unscoped():
        return list(OutcomeMeasure.objects.all())


def test_practitioner_sends_from_the_visit_page_and_the_url_is_shown_once(
    clinic_a: ClinicWorld, web_as: Callable[[User], HttpClient]
) -> None:
    http = web_as(clinic_a.users[PRACTITIONER])
    url = reverse("assessments:measures_send", kwargs={"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk})
    response = http.post(url, {"instrument": ["ndi", "lefs"], "days": "5"})
    assert response.status_code == 302
    with clinic_scope(clinic_a.clinic):
        link = MeasuresLink.objects.get()
    assert link.instruments == ["ndi", "lefs"]
    assert link.visit_id == clinic_a.visit.pk
    assert dt.timedelta(days=4, hours=23) < link.expires_at - timezone.now() <= dt.timedelta(days=5)
    shown = http.get(url)
    assert "/m/" in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    again = http.get(url).content.decode()
    assert "/m/" not in again
    assert "Active" in again


def test_the_client_fills_the_form_and_the_score_equals_the_cores(clinic_a: ClinicWorld) -> None:
    link, token = send(clinic_a, ["ndi"])
    phone = HttpClient()
    shown = phone.get(page(token))
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "Neck Disability Index" in text
    assert "Pain intensity" in text
    assert "Recreation" in text
    assert "no-store" in shown["Cache-Control"]
    assert shown["Referrer-Policy"] == "no-referrer"
    done = phone.post(page(token), form("ndi", NDI))
    assert done.status_code == 200
    assert "Thank you" in done.content.decode()
    [stored] = measures()
    expected = scoring.score("ndi", NDI).to_dict()
    assert stored.score == expected
    assert stored.answers == NDI
    assert stored.score["value"] == 23
    assert stored.client_reported is True
    assert stored.visit_id == clinic_a.visit.pk
    assert stored.recorded_by_id == clinic_a.users[PRACTITIONER].pk
    with unscoped():
        entry = AuditEntry.objects.filter(object_type="outcomemeasure", action="create").get()
        link.refresh_from_db()
    assert entry.detail["client_reported"] is True
    assert entry.user_id is None
    assert entry.channel == "measures"
    assert token not in str(entry.detail)
    assert link.status == MeasuresLink.Status.USED
    # the link then closes: neither page nor a second post works, nothing more is filed
    assert phone.get(page(token)).status_code == 404
    assert phone.post(page(token), form("ndi", [0] * 10)).status_code == 404
    assert [m.score for m in measures()] == [expected]


def test_two_instruments_on_one_link_are_filed_together(clinic_a: ClinicWorld) -> None:
    _, token = send(clinic_a, ["ndi", "nprs"])
    phone = HttpClient()
    response = phone.post(page(token), {**form("ndi", NDI), **form("nprs", [6])})
    assert response.status_code == 200
    got = {m.instrument: m.score for m in measures()}
    assert got == {"ndi": scoring.score("ndi", NDI).to_dict(), "nprs": scoring.score("nprs", [6]).to_dict()}


@pytest.mark.parametrize(
    "data",
    [
        form("ndi", [*NDI[:9], None]),  # one left blank: the scorer would prorate, the phone form refuses
        form("ndi", NDI[:4]),  # half-filled
        {**form("ndi", NDI[:9]), "ndi.item_10": "9"},  # out of range
        {**form("ndi", NDI[:9]), "ndi.item_10": "two"},  # not a number
        {},  # nothing at all
    ],
)
def test_a_half_filled_or_wrong_form_changes_nothing(clinic_a: ClinicWorld, data: dict[str, str]) -> None:
    link, token = send(clinic_a, ["ndi"])
    phone = HttpClient()
    response = phone.post(page(token), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was sent yet" in body
    assert 'role="alert"' in body
    assert measures() == []
    with unscoped():
        link.refresh_from_db()
    assert link.usable
    assert link.used_at is None
    # what the client entered is kept on the page
    if data.get("ndi.item_1"):
        assert 'value="3" checked' in body


def test_one_bad_instrument_keeps_the_other_unsaved_too(clinic_a: ClinicWorld) -> None:
    _, token = send(clinic_a, ["ndi", "nprs"])
    response = HttpClient().post(page(token), {**form("ndi", NDI), **form("nprs", [None])})
    assert response.status_code == 400
    assert "Numeric pain rating scale (0-10): answer every question" in response.content.decode()
    assert measures() == []


def test_another_clinic_cannot_send_for_a_client_not_theirs(
    clinic_a: ClinicWorld, clinic_b: ClinicWorld, web_as: Callable[[User], HttpClient], api_as: Any
) -> None:
    kwargs = {"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk}
    http = web_as(clinic_b.users[OWNER])
    assert http.post(reverse("assessments:measures_send", kwargs=kwargs), {"instrument": ["ndi"]}).status_code == 404
    api = api_as(clinic_b, OWNER)
    path = f"/api/v1/clients/{clinic_a.client.pk}/visits/{clinic_a.visit.pk}/measures-links"
    response = api.post(path, {"instruments": ["ndi"]}, content_type="application/json")
    assert response.status_code == 404
    with unscoped():
        assert MeasuresLink.objects.count() == 0


def test_a_staff_session_of_another_clinic_sees_nothing_behind_the_link(
    clinic_a: ClinicWorld, clinic_b: ClinicWorld, web_as: Callable[[User], HttpClient]
) -> None:
    _, token = send(clinic_a, ["ndi"])
    other = web_as(clinic_b.users[OWNER])
    assert other.get(page(token)).status_code == 404
    assert other.post(page(token), form("ndi", NDI)).status_code == 404
    assert measures() == []


def test_front_desk_is_refused(clinic_a: ClinicWorld, web_as: Callable[[User], HttpClient], api_as: Any) -> None:
    kwargs = {"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk}
    http = web_as(clinic_a.users[FRONT_DESK])
    assert http.get(reverse("assessments:measures_send", kwargs=kwargs)).status_code == 403
    assert http.post(reverse("assessments:measures_send", kwargs=kwargs), {"instrument": ["ndi"]}).status_code == 403
    api = api_as(clinic_a, FRONT_DESK)
    path = f"/api/v1/clients/{clinic_a.client.pk}/visits/{clinic_a.visit.pk}/measures-links"
    assert api.post(path, {"instruments": ["ndi"]}, content_type="application/json").status_code == 403
    with unscoped():
        assert MeasuresLink.objects.count() == 0


def test_the_api_creates_a_link_that_opens(clinic_a: ClinicWorld, api_as: Any) -> None:
    api = api_as(clinic_a, PRACTITIONER)
    path = f"/api/v1/clients/{clinic_a.client.pk}/visits/{clinic_a.visit.pk}/measures-links"
    response = api.post(path, {"instruments": ["ndi"], "expires_in_days": 3}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "active"
    assert body["instruments"] == ["ndi"]
    token = body["url"].rstrip("/").rsplit("/", 1)[-1]
    assert HttpClient().get(page(token)).status_code == 200
    bad = api.post(path, {"instruments": ["no_such"]}, content_type="application/json")
    assert bad.status_code == 422
    assert "not an outcome measure" in bad.content.decode()


@pytest.mark.parametrize("instruments", [[], ["no_such"], ["ndi", "lefs", "nprs", "rmdq", "psfs", "pss10"]])
def test_a_bad_choice_makes_no_link(clinic_a: ClinicWorld, instruments: list[str]) -> None:
    with pytest.raises(ValidationError, match="outcome measure"):
        send(clinic_a, instruments)
    with unscoped():
        assert MeasuresLink.objects.count() == 0


def test_expired_and_revoked_links_give_a_clear_page(clinic_a: ClinicWorld) -> None:
    link, token = send(clinic_a, ["ndi"])
    with unscoped():
        MeasuresLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    phone = HttpClient()
    response = phone.get(page(token))
    assert response.status_code == 404
    assert "This link cannot be used" in response.content.decode()
    assert phone.post(page(token), form("ndi", NDI)).status_code == 404
    assert measures() == []
    second, token2 = send(clinic_a, ["ndi"])
    with clinic_scope(clinic_a.clinic):
        measure_links.do_revoke_link(second, PRACTITIONER)
    assert phone.get(page(token2)).status_code == 404
    with unscoped():
        denied = AuditEntry.objects.filter(object_type="measureslink", outcome=AuditEntry.Outcome.DENIED)
        assert denied.count() >= 3
        assert all(token not in str(e.detail) and token2 not in str(e.detail) for e in denied)


def test_a_new_link_for_the_visit_replaces_the_open_one(clinic_a: ClinicWorld) -> None:
    _, first = send(clinic_a, ["ndi"])
    _, second = send(clinic_a, ["nprs"])
    phone = HttpClient()
    assert phone.get(page(first)).status_code == 404
    assert phone.get(page(second)).status_code == 200
