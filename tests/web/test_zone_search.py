"""The API's zone search reads plain words the way `taut zones search` does, and writes a pain
chart from phrases ("hip and thigh") through the same reader."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role, User
from taut.access.scoping import unscoped
from taut.assessments.models import PainChart
from taut.core.bodymap import resolve_phrase
from taut.core.bodymap.phrases import resolution_data
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import Side
from tests.factories import ClinicWorld

pytestmark = pytest.mark.django_db

ApiAs = Callable[[ClinicWorld, str], HttpClient]
WebAs = Callable[[User], HttpClient]


def search(http: HttpClient, **params: str) -> Any:
    return http.get("/api/v1/kb/zones", params)


def test_the_api_gives_every_zone_of_a_phrase(api_as: ApiAs, clinic_a: ClinicWorld) -> None:
    response = search(api_as(clinic_a, Role.PRACTITIONER), q="jaw, cheek and ear", side="left")
    assert response.status_code == 200, response.content
    body = response.json()
    expected = resolution_data(resolve_phrase(load_base(), "jaw, cheek and ear", default_side=Side.LEFT))
    assert {k: body[k] for k in expected} == json.loads(json.dumps(expected))
    assert [p["text"] for p in body["parts"]] == ["jaw", "cheek", "ear"]
    assert [z["id"] for z in body["zones"]] == body["zone_ids"]
    assert all(z.endswith("_l") for z in body["zone_ids"])
    assert all(c["base_id"] not in {b for p in body["parts"] for b in p["base_ids"]} for c in body["close"])


def test_nothing_found_says_so_with_the_nearest_names(api_as: ApiAs, clinic_a: ClinicWorld) -> None:
    body = search(api_as(clinic_a, Role.PRACTITIONER), q="left tmpl").json()
    assert body["zone_ids"] == []
    assert body["unresolved"] == ["left tmpl"]
    assert "Temple" in body["suggestions"]


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "x" * 201}, {"q": "temple", "side": "up"}, {"q": "temple", "limit": "0"}],
)
def test_bad_search_input_is_a_clear_422(api_as: ApiAs, clinic_a: ClinicWorld, params: dict[str, str]) -> None:
    response = search(api_as(clinic_a, Role.PRACTITIONER), **params)
    assert response.status_code == 422, response.content


def test_the_search_needs_a_token(clinic_a: ClinicWorld) -> None:
    assert search(HttpClient(), q="temple").status_code == 401


def test_a_pain_chart_can_be_ranked_from_phrases(api_as: ApiAs, clinic_a: ClinicWorld) -> None:
    http = api_as(clinic_a, Role.PRACTITIONER)
    body = {"pain": [{"zone": "side of the head and behind the eye", "intensity": 6}]}
    response = http.post("/api/v1/reasoning/rank", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content


def test_a_phrase_with_an_unknown_piece_is_refused_with_suggestions(api_as: ApiAs, clinic_a: ClinicWorld) -> None:
    http = api_as(clinic_a, Role.PRACTITIONER)
    body = {"pain": [{"zone": "temple and the xqzv", "intensity": 6}]}
    response = http.post("/api/v1/reasoning/rank", json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.content
    assert "xqzv" in response.content.decode()


def _chart_url(world: ClinicWorld) -> str:
    return reverse("assessments:pain_chart", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})


def test_the_pain_chart_form_takes_plain_words(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """A form line in plain words becomes every sided zone it names, each with the line's intensity."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    response = http.post(_chart_url(clinic_a), {"pain": "left side of the neck and behind the ear:6"})
    assert response.status_code == 302
    with unscoped():
        [record] = list(PainChart.objects.all())
    assert record.inputs["pain"] == [
        {"zone": "lateral_neck_l", "intensity": 6, "quality": None},
        {"zone": "mastoid_l", "intensity": 6, "quality": None},
    ]


def test_the_form_refuses_a_line_with_an_unknown_place_and_saves_nothing(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    response = http.post(_chart_url(clinic_a), {"pain": "temple:5\nthe xqzv:4"})
    assert response.status_code == 200
    assert "xqzv" in response.content.decode()
    with unscoped():
        assert not PainChart.objects.exists()
