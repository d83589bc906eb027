"""The public directory's API, `GET /api/v1/directory/search`, on a real database: the same
results as the page `/find/`, only what a public listing shows, clear 400s for bad input with
suggestions, pages of 20, and the same rate limit; no token needed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from taut.directory import services
from tests.factories import ClinicWorld
from tests.web.test_directory import OWNER, PRACTITIONER, _settings, form, many_listings, publish  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/api/v1/directory/search"


def api(**params: str) -> Any:
    return HttpClient().get(URL, params)


def test_the_api_answers_what_the_page_shows_nearest_first(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    near = publish(clinic_a)  # Beverly Hills 90210
    far = publish(clinic_b, display_name="Sam Santa Monica", postal_code="90401", city="Santa Monica")
    publish(clinic_b, OWNER, display_name="Nora New York", postal_code="10001", city="New York")
    response = api(near="90210", radius_km="25")
    assert response.status_code == 200
    body = response.json()
    assert [r["name"] for r in body["results"]] == [near.display_name, far.display_name]
    assert body["count"] == 2
    assert body["place"]["country"] == "US"
    assert body["radius_km"] == 25.0
    assert body["results"][0]["distance_km"] == 0.0
    assert 0 < body["results"][1]["distance_km"] <= 25
    page = HttpClient().get(reverse("directory:find"), {"near": "90210", "radius": "25"}).content.decode()
    assert "2 within 25 km" in page
    assert body["results"][0]["url"].endswith(reverse("directory:public_listing", args=[near.pk]))


def test_the_api_shows_only_what_the_listing_makes_public(clinic_a: ClinicWorld) -> None:
    """The street stays hidden unless shown; no position, e-mail, account or clinic id is answered."""
    hidden = publish(clinic_a)  # show_street is off by default
    text = api(near="90210").content.decode()
    assert "9 Secret Lane" not in text
    hit = api(near="90210").json()["results"][0]
    assert set(hit) == {
        "id", "name", "clinic", "area", "street", "country", "distance_km", "credentials", "conditions",
        "languages", "modalities", "booking_url", "url",
    }  # fmt: skip
    assert hit["street"] == ""
    assert hit["area"] == "Beverly Hills 902"
    user = clinic_a.users[PRACTITIONER]
    for private in (user.get_username(), user.email, str(hidden.lat), str(hidden.lon)):
        if private:
            assert private not in text
    publish(clinic_a, show_street="yes", show_clinic="no")
    shown = api(near="90210").json()["results"][0]
    assert shown["street"].startswith("9 Secret Lane, Beverly Hills")
    assert shown["clinic"] == ""


def test_filters_narrow_the_api_as_they_narrow_the_page(clinic_a: ClinicWorld) -> None:
    publish(clinic_a)  # cmtpt + lmt, tension-type headache, English and Spanish, trigger point therapy
    assert api(near="90210", credential="cmtpt").json()["count"] == 1
    assert api(near="90210", credential="rmt").json()["count"] == 0
    assert api(near="90210", language="spanish").json()["count"] == 1
    assert api(near="90210", language="french").json()["count"] == 0
    assert api(near="90210", condition="tension_type_headache").json()["count"] == 1
    assert api(near="90210", modality="trigger POINT").json()["count"] == 1
    assert api(near="90210", modality="cupping").json()["count"] == 0


def test_a_withdrawn_listing_leaves_the_api_at_once(clinic_a: ClinicWorld) -> None:
    listing = publish(clinic_a)
    assert api(near="90210").json()["count"] == 1
    services.do_opt_out(listing)
    assert api(near="90210").json()["count"] == 0


def test_an_unknown_place_is_a_400_with_suggestions(db: Any) -> None:
    response = api(near="Lndon")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["loc"] == ["query", "near"]
    assert "London, GB" in error["suggestions"]


def test_an_ambiguous_place_asks_which_one(db: Any) -> None:
    response = api(near="London")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["loc"] == ["query", "near"]
    assert len(error["suggestions"]) >= 2
    assert any(s.startswith("London") and "GB" in s for s in error["suggestions"])
    assert any(s.startswith("London") and "CA" in s for s in error["suggestions"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"radius_km": "-5"}, "radius_km"),
        ({"radius_km": "abc"}, "radius_km"),
        ({"radius_km": "9999"}, "radius_km"),
        ({"credential": "x"}, "credential"),
        ({"condition": "no_such_condition"}, "condition"),
        ({"near": ""}, "near"),
    ],
)
def test_bad_input_is_a_clear_400_naming_the_field(db: Any, params: dict[str, str], field: str) -> None:
    response = api(**{"near": "90210", **params})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["loc"][-1] == field
    assert error["msg"]


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "abc"}, {"near": "x" * 101}])
def test_malformed_parameters_are_refused_by_the_schema(db: Any, params: dict[str, str]) -> None:
    response = api(**{"near": "90210", **params})
    assert response.status_code in (400, 422)
    assert response.json()["errors"]


def test_results_come_twenty_to_a_page(clinic_a: ClinicWorld) -> None:
    many_listings(clinic_a, 45)
    first = api(near="90210", radius_km="100", credential="lmt").json()
    assert (first["count"], first["pages"], first["per_page"], first["page"]) == (45, 3, 20, 1)
    assert [r["name"] for r in first["results"]] == [f"Listed {i:02d}" for i in range(20)]
    third = api(near="90210", radius_km="100", credential="lmt", page="3").json()
    assert [r["name"] for r in third["results"]] == [f"Listed {i:02d}" for i in range(40, 45)]
    beyond = api(near="90210", radius_km="100", page="4")
    assert beyond.status_code == 400
    assert re.search(r"no page 4; there are 3 pages", beyond.json()["errors"][0]["msg"])


def test_the_api_is_rate_limited_per_address(db: Any, settings: Any) -> None:
    settings.TAUT_DIRECTORY_REQUESTS_PER_MINUTE = 3
    anon = HttpClient()
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=dt.UTC), tick=False):  # one window
        codes = [anon.get(URL, {"near": "90210"}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        assert anon.get(URL, {"near": "90210"}).json()["errors"][0]["type"] == "too_many_requests"


def test_the_api_needs_no_token_and_sets_no_cookie(clinic_a: ClinicWorld) -> None:
    publish(clinic_a)
    response = api(near="90210")
    assert response.status_code == 200
    assert not response.cookies
