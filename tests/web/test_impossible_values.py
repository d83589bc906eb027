"""Impossible dates are refused with a clear message and nothing saved (issue 13, item 4): a date
of birth in the future (2030, once shown as "-4 years") or more than 120 years ago; a visit before
the client was born (a visit in 1900) or more than two years ahead. The same rule holds in the web
forms, the API and the services every other caller (the CLI's demo, the intake) goes through."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.clients import dates
from taut.clients import services as clients
from taut.clients.models import Client, Visit
from tests.factories import ClinicWorld, make_client
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOO_OLD = dates.years_from(TODAY, -120) - dt.timedelta(days=1)  # one day over 120 years
OLDEST = dates.years_from(TODAY, -120)  # exactly 120 today: plausible
TOO_FAR = dates.years_from(TODAY, 2) + dt.timedelta(days=1)
FAR_BUT_FINE = dates.years_from(TODAY, 2) - dt.timedelta(days=30)
BORN_2000 = dt.date(2000, 6, 15)


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _text(response: Any) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _client_form(**overrides: Any) -> dict[str, Any]:
    return {"given_name": "Ivy", "family_name": "Impossible", "date_of_birth": "1984-06-01", "sex": "female",
            **overrides}  # fmt: skip


def _visit_form(world: ClinicWorld, day: dt.date | str) -> dict[str, str]:
    return {"date": str(day), "kind": "treatment", "status": "planned", "duration_minutes": "60",
            "practitioner": str(world.users[Role.PRACTITIONER].pk)}  # fmt: skip


def _snapshot() -> tuple[int, int, list[tuple[int, dt.date]], list[tuple[int, dt.date]]]:
    with unscoped():
        return (
            Client.objects.count(),
            Visit.objects.count(),
            sorted(Client.objects.values_list("pk", "date_of_birth")),
            sorted(Visit.objects.values_list("pk", "date")),
        )


# The web forms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "message"),
    [
        ("2030-01-01", "A date of birth cannot be in the future"),
        (TOO_OLD.isoformat(), "A date of birth more than 120 years ago is not plausible"),
    ],
)
def test_web_refuses_an_impossible_date_of_birth_on_create_and_edit(
    born: str, message: str, clinic_a: ClinicWorld, web_as: Any
) -> None:
    http: HttpClient = web_as(clinic_a.users[Role.PRACTITIONER])
    before = _snapshot()
    response = http.post(reverse("clients:client_create"), _client_form(date_of_birth=born))
    assert response.status_code == 200
    assert message in _text(response)
    edit = reverse("clients:client_edit", kwargs={"client_id": clinic_a.client.pk})
    response = http.post(edit, _client_form(date_of_birth=born))
    assert response.status_code == 200
    assert message in _text(response)
    assert _snapshot() == before
    page = http.get(reverse("clients:client_detail", kwargs={"client_id": clinic_a.client.pk}))
    assert "-4 years" not in _text(page)
    assert "years)" in _text(page)  # the stored, plausible date still gives an age


def test_web_accepts_a_client_exactly_120_years_old(clinic_a: ClinicWorld, web_as: Any) -> None:
    http: HttpClient = web_as(clinic_a.users[Role.PRACTITIONER])
    response = http.post(reverse("clients:client_create"), _client_form(date_of_birth=OLDEST.isoformat()))
    assert response.status_code == 302
    with unscoped():
        assert Client.objects.filter(family_name="Impossible", date_of_birth=OLDEST).exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("1900-01-01", "not plausible"),
        ("1999-01-01", "A visit cannot be before the client was born (2000-06-15)"),
        (TOO_FAR.isoformat(), "A visit date more than 2 years ahead is not plausible"),
    ],
)
def test_web_refuses_an_impossible_visit_date_on_create_and_edit(
    day: str, message: str, clinic_a: ClinicWorld, web_as: Any
) -> None:
    with clinic_scope(clinic_a.clinic):
        clients.do_update_client(clinic_a.client, {"date_of_birth": BORN_2000}, Role.PRACTITIONER)
    http: HttpClient = web_as(clinic_a.users[Role.PRACTITIONER])
    before = _snapshot()
    create = reverse("clients:visit_create", kwargs={"client_id": clinic_a.client.pk})
    response = http.post(create, _visit_form(clinic_a, day))
    assert response.status_code == 200
    assert message in _text(response)
    edit = reverse("clients:visit_edit", kwargs={"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk})
    response = http.post(edit, _visit_form(clinic_a, day))
    assert response.status_code == 200
    assert message in _text(response)
    assert _snapshot() == before


def test_web_accepts_a_visit_booked_almost_two_years_ahead(clinic_a: ClinicWorld, web_as: Any) -> None:
    http: HttpClient = web_as(clinic_a.users[Role.PRACTITIONER])
    create = reverse("clients:visit_create", kwargs={"client_id": clinic_a.client.pk})
    response = http.post(create, _visit_form(clinic_a, FAR_BUT_FINE))
    assert response.status_code == 302
    with unscoped():
        assert Visit.objects.filter(client=clinic_a.client, date=FAR_BUT_FINE).exists()


def test_web_refuses_a_date_of_birth_after_the_clients_first_visit(clinic_a: ClinicWorld, web_as: Any) -> None:
    """Moving the birth past a recorded visit would put that visit before the birth."""
    http: HttpClient = web_as(clinic_a.users[Role.PRACTITIONER])
    with clinic_scope(clinic_a.clinic):
        clients.do_update_visit(clinic_a.visit, {"date": dt.date(2010, 3, 1)}, Role.PRACTITIONER)
    before = _snapshot()
    edit = reverse("clients:client_edit", kwargs={"client_id": clinic_a.client.pk})
    response = http.post(edit, _client_form(date_of_birth="2012-01-01"))
    assert response.status_code == 200
    assert "The client has a visit on 2010-03-01, before this date of birth." in _text(response)
    assert _snapshot() == before


# The API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("born", ["2030-01-01", TOO_OLD.isoformat()])
def test_api_refuses_an_impossible_date_of_birth(born: str, clinic_a: ClinicWorld, api_as: Any) -> None:
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    before = _snapshot()
    body = {"given_name": "Ivy", "family_name": "Impossible", "date_of_birth": born}
    response = http.post("/api/v1/clients", json.dumps(body), "application/json")
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert "date_of_birth" in error["loc"]
    assert "date of birth" in error["msg"].lower()
    url = f"/api/v1/clients/{clinic_a.client.pk}"
    response = http.patch(url, json.dumps({"date_of_birth": born}), "application/json")
    assert response.status_code == 422, response.content
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("day", "words"),
    [("1900-01-01", "not plausible"), ("1999-01-01", "before the client was born"), (TOO_FAR.isoformat(), "2 years")],
)
def test_api_refuses_an_impossible_visit_date(day: str, words: str, clinic_a: ClinicWorld, api_as: Any) -> None:
    with clinic_scope(clinic_a.clinic):
        clients.do_update_client(clinic_a.client, {"date_of_birth": BORN_2000}, Role.PRACTITIONER)
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    before = _snapshot()
    url = f"/api/v1/clients/{clinic_a.client.pk}/visits"
    body = {"date": day, "practitioner_id": clinic_a.users[Role.PRACTITIONER].pk}
    response = http.post(url, json.dumps(body), "application/json")
    assert response.status_code == 422, response.content
    assert any("date" in e["loc"] and words in e["msg"] for e in response.json()["errors"])
    response = http.patch(f"{url}/{clinic_a.visit.pk}", json.dumps({"date": day}), "application/json")
    assert response.status_code == 422, response.content
    assert any(words in e["msg"] for e in response.json()["errors"])
    assert _snapshot() == before


def test_api_refuses_a_date_of_birth_after_a_recorded_visit(clinic_a: ClinicWorld, api_as: Any) -> None:
    with clinic_scope(clinic_a.clinic):
        clients.do_update_visit(clinic_a.visit, {"date": dt.date(2010, 3, 1)}, Role.PRACTITIONER)
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    before = _snapshot()
    url = f"/api/v1/clients/{clinic_a.client.pk}"
    response = http.patch(url, json.dumps({"date_of_birth": "2012-01-01"}), "application/json")
    assert response.status_code == 422, response.content
    assert "before this date of birth" in response.content.decode()
    assert _snapshot() == before


# The services (the CLI's demo and the intake create clients and visits through them) -----------


def test_services_keep_the_same_rules(clinic_a: ClinicWorld) -> None:
    with clinic_scope(clinic_a.clinic):
        young = make_client(clinic_a.clinic, date_of_birth=BORN_2000)
        before = _snapshot()
        for born in (dt.date(2030, 1, 1), TOO_OLD):
            with pytest.raises(ValidationError) as caught:
                clients.do_create_client(clinic_a.clinic, {**_client_form(), "date_of_birth": born}, Role.PRACTITIONER)
            assert "date_of_birth" in caught.value.message_dict
        practitioner = clinic_a.users[Role.PRACTITIONER].pk
        for day in (dt.date(1900, 1, 1), dt.date(1999, 1, 1), TOO_FAR):
            with pytest.raises(ValidationError) as caught:
                clients.do_create_visit(young, {"date": day}, practitioner, Role.PRACTITIONER)
            assert "date" in caught.value.message_dict
        assert _snapshot() == before
