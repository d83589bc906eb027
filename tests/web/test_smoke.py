"""The main pages answer, for the roles that may see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from taut.access.models import Role
from tests.factories import CLINICAL_MARKER, ClinicWorld

pytestmark = pytest.mark.django_db


def test_login_page_renders_without_a_session(client: Any) -> None:
    """The login page is the only page an anonymous person gets."""
    response = client.get(reverse("access:login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_anonymous_is_sent_to_login(client: Any) -> None:
    response = client.get(reverse("clients:client_list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_practitioner_sees_client_with_clinical_fields(clinic_a: ClinicWorld, web_as: Any) -> None:
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    response = http.get(reverse("clients:client_detail", args=[clinic_a.client.pk]))
    assert response.status_code == 200
    assert clinic_a.client.family_name in response.content.decode()
    assert CLINICAL_MARKER in response.content.decode()


def test_client_list_search_finds_by_family_name(clinic_a: ClinicWorld, web_as: Any) -> None:
    http = web_as(clinic_a.users[Role.FRONT_DESK])
    response = http.get(reverse("clients:client_list"), {"q": clinic_a.client.family_name})
    assert response.status_code == 200
    assert clinic_a.client.family_name in response.content.decode()
    response = http.get(reverse("clients:client_list"), {"q": "nobody-by-this-name"})
    assert clinic_a.client.family_name not in response.content.decode()


def test_api_lists_only_own_clinic(clinic_a: ClinicWorld, clinic_b: ClinicWorld, api_as: Any) -> None:
    http = api_as(clinic_a)
    body = http.get("/api/v1/clients").json()
    names = {item["family_name"] for item in body["items"]}
    assert clinic_a.client.family_name in names
    assert clinic_b.client.family_name not in names
