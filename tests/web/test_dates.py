"""Dates of birth and visit dates: ISO only, plausible ranges, the same rule in the API, the web
forms and the services; an odd stored date of birth never breaks a page (issue 10, item 5)."""

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
from taut.assessments import services as assessments
from taut.clients import dates
from taut.clients import services as clients
from taut.clients.models import Client, Visit
from taut.core.knowledge.loader import load_base
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
BAD_BIRTH: list[Any] = [
    0, 19840601, "0", "", "1984", "1984-6-1", "01/06/1984", "1984-06-01T00:00:00", 1.5, True,
    (TODAY + dt.timedelta(days=1)).isoformat(), "9999-12-31", "1899-12-31",
]  # fmt: skip
BAD_VISIT: list[Any] = [
    0, "0", 20260101, "2026-1-1", "1989-12-31", (TODAY + dt.timedelta(days=2 * 366 + 1)).isoformat(), "9999-12-31",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _client_body(**overrides: Any) -> dict[str, Any]:
    return {"given_name": "Dora", "family_name": "Date", "date_of_birth": "1984-06-01", **overrides}


def _counts() -> tuple[int, int]:
    with unscoped():
        return Client.objects.count(), Visit.objects.count()


# The API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_BIRTH, ids=repr)
def test_api_refuses_a_date_of_birth_that_is_not_a_plausible_iso_date(
    value: Any, clinic_a: ClinicWorld, api_as: Any
) -> None:
    """Create and update refuse it with 422 naming date_of_birth; nothing is stored or changed."""
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    before = _counts()
    response = http.post("/api/v1/clients", json.dumps(_client_body(date_of_birth=value)), "application/json")
    assert response.status_code == 422, response.content
    assert any("date_of_birth" in e["loc"] for e in response.json()["errors"])
    url = f"/api/v1/clients/{clinic_a.client.pk}"
    response = http.patch(url, json.dumps({"date_of_birth": value}), "application/json")
    assert response.status_code == 422, response.content
    assert _counts() == before
    with unscoped():
        assert Client.objects.get(pk=clinic_a.client.pk).date_of_birth == clinic_a.client.date_of_birth


@pytest.mark.parametrize("value", [dates.earliest_birth().isoformat(), "1984-06-01", TODAY.isoformat()])
def test_api_accepts_iso_dates_of_birth_in_range(value: str, clinic_a: ClinicWorld, api_as: Any) -> None:
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    response = http.post("/api/v1/clients", json.dumps(_client_body(date_of_birth=value)), "application/json")
    assert response.status_code == 201, response.content
    assert response.json()["date_of_birth"] == value


@pytest.mark.parametrize("value", BAD_VISIT, ids=repr)
def test_api_refuses_a_visit_date_out_of_range_or_not_iso(value: Any, clinic_a: ClinicWorld, api_as: Any) -> None:
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    before = _counts()
    body = {"date": value, "practitioner_id": clinic_a.users[Role.PRACTITIONER].pk}
    url = f"/api/v1/clients/{clinic_a.client.pk}/visits"
    response = http.post(url, json.dumps(body), "application/json")
    assert response.status_code == 422, response.content
    assert any("date" in e["loc"] for e in response.json()["errors"])
    response = http.patch(f"{url}/{clinic_a.visit.pk}", json.dumps({"date": value}), "application/json")
    assert response.status_code == 422, response.content
    assert _counts() == before


@pytest.mark.parametrize("days", [-365 * 30, 0, 365])
def test_api_accepts_visit_dates_in_range(days: int, clinic_a: ClinicWorld, api_as: Any) -> None:
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    day = (TODAY + dt.timedelta(days=days)).isoformat()
    body = {"date": day, "practitioner_id": clinic_a.users[Role.PRACTITIONER].pk}
    response = http.post(f"/api/v1/clients/{clinic_a.client.pk}/visits", json.dumps(body), "application/json")
    assert response.status_code == 201, response.content


# The web forms and the services -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["9999-12-31", "1899-12-31", (TODAY + dt.timedelta(days=1)).isoformat()])
def test_web_form_refuses_an_implausible_date_of_birth(value: str, clinic_a: ClinicWorld, web_as: Any) -> None:
    http: HttpClient = web_as(clinic_a.users[Role.FRONT_DESK])
    before = _counts()
    response = http.post(reverse("clients:client_create"), _client_body(date_of_birth=value, sex="female"))
    assert response.status_code == 200
    assert "date of birth" in response.content.decode().lower()
    assert _counts() == before


@pytest.mark.parametrize("value", ["1989-12-31", (TODAY + dt.timedelta(days=2 * 366 + 1)).isoformat()])
def test_web_form_refuses_an_implausible_visit_date(value: str, clinic_a: ClinicWorld, web_as: Any) -> None:
    http: HttpClient = web_as(clinic_a.users[Role.PRACTITIONER])
    before = _counts()
    data = {"date": value, "kind": "treatment", "status": "planned", "duration_minutes": "60"}
    data["practitioner"] = str(clinic_a.users[Role.PRACTITIONER].pk)
    response = http.post(reverse("clients:visit_create", kwargs={"client_id": clinic_a.client.pk}), data)
    assert response.status_code == 200
    assert "visit date" in response.content.decode().lower()
    assert _counts() == before


def test_services_refuse_implausible_dates(clinic_a: ClinicWorld) -> None:
    """The CLI and every other caller go through the services, which keep the same rule."""
    with clinic_scope(clinic_a.clinic):
        data = {**_client_body(), "date_of_birth": dt.date(9999, 12, 31)}
        with pytest.raises(ValidationError) as caught:
            clients.do_create_client(clinic_a.clinic, data, Role.PRACTITIONER)
        assert "date_of_birth" in caught.value.message_dict
        visit = {"date": dt.date(1989, 12, 31)}
        with pytest.raises(ValidationError) as caught:
            clients.do_create_visit(clinic_a.client, visit, clinic_a.users[Role.PRACTITIONER].pk, Role.PRACTITIONER)
        assert "date" in caught.value.message_dict


# An odd stored date of birth ----------------------------------------------------------------------


@pytest.mark.parametrize("born", [dt.date(9999, 12, 31), dt.date(1850, 1, 1), TODAY + dt.timedelta(days=3)])
def test_an_odd_stored_date_of_birth_breaks_no_page(born: dt.date, clinic_a: ClinicWorld, web_as: Any) -> None:
    """A date of birth stored before these rules (or by an import) shows no negative or absurd
    age, and the client's pain charts are still filed (the age is then unknown)."""
    with unscoped():
        Client.objects.filter(pk=clinic_a.client.pk).update(date_of_birth=born)
    http: HttpClient = web_as(clinic_a.users[Role.PRACTITIONER])
    page = http.get(reverse("clients:client_detail", kwargs={"client_id": clinic_a.client.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "years)" not in text
    assert "check this date" in text
    with clinic_scope(clinic_a.clinic):
        client = Client.objects.get(pk=clinic_a.client.pk)
        assert clients.age_on(client) is None
        visit = Visit.objects.get(pk=clinic_a.visit.pk)
        zone = sorted(load_base().zones)[0]
        chart = assessments.do_save_pain_chart(
            visit, {"pain": [{"zone": zone, "intensity": 5}]}, clinic_a.users[Role.PRACTITIONER], Role.PRACTITIONER
        )
        assert chart.pk is not None
