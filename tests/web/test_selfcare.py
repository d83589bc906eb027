"""The public self-care pages: every exercise and every condition answers without a login, with its
steps or red flags in plain words and its sources; unknown ids get a 404 page; the JSON-LD parses;
no cookie is set; nothing of the staff atlas or of any client shows."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from taut.core.knowledge import queries
from taut.core.knowledge.loader import load_base
from taut.directory.templatetags.directory_jsonld import jsonld
from taut.selfcare import pages
from tests.factories import ClinicWorld

pytestmark = pytest.mark.django_db

BASE = load_base()

# The conditions the mission names, by their knowledge-base ids.
NAMED_CONDITIONS = {
    "whiplash": "whiplash",
    "acute and chronic headache": ("tension_type_headache", "cervicogenic_headache", "migraine"),
    "seat-belt injury": "seat_belt_injury",
    "shoulder pain": "shoulder_pain",
    "elbow pain": ("lateral_epicondylalgia", "medial_epicondylalgia"),
    "wrist pain": "wrist_pain",
    "back pain": ("low_back_pain", "thoracic_pain"),
    "hip pain": "hip_pain",
    "knee pain": "knee_pain",
    "ankle pain": "ankle_pain",
    "plantar fasciitis": "plantar_fasciitis",
    "sciatica": "sciatica",
    "TMJ dysfunction": "tmj_dysfunction",
    "carpal tunnel syndrome": "carpal_tunnel_syndrome",
}
NAMED_IDS = sorted({i for ids in NAMED_CONDITIONS.values() for i in ((ids,) if isinstance(ids, str) else ids)})
STAFF_WORDS = ("Treatment protocol", "stop and refer", "Muscles involved", "of patients", "Log out", "Ask: ")
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def _many_requests(settings: Any) -> None:
    settings.TAUT_SELFCARE_REQUESTS_PER_MINUTE = 10_000
    from django.core.cache import cache

    cache.clear()


def _text(response: Any) -> str:
    return unescape(response.content.decode())


def _ld(response: Any) -> dict[str, Any]:
    found = LD.findall(response.content.decode())
    assert len(found) == 1, "one JSON-LD element per page"
    data = json.loads(found[0])
    assert isinstance(data, dict)
    return data


def _assert_public(response: Any, url: str) -> None:
    assert response.status_code == 200, url
    assert "Set-Cookie" not in response.headers, url
    assert not response.cookies, url
    body = _text(response)
    for word in STAFF_WORDS:
        assert word not in body, (url, word)
    assert "do not replace an assessment" in body, url


def test_the_mission_names_only_conditions_the_base_holds() -> None:
    """Every condition the mission names has an entry in the knowledge base (so it has a page)."""
    assert [i for i in NAMED_IDS if i not in BASE.conditions] == []


@pytest.mark.parametrize("condition_id", sorted(BASE.conditions))
def test_each_condition_page_answers_with_red_flags_exercises_and_sources(condition_id: str) -> None:
    """Without a login: the name, plain-language red flags with what to do, the exercises that
    help, a link to the directory filtered on the condition, and every cited source."""
    found = BASE.conditions[condition_id]
    url = reverse("selfcare:condition", args=[condition_id])
    response = HttpClient().get(url)
    _assert_public(response, url)
    body = _text(response)
    assert f"<h1>{found.name}</h1>" in body
    flags = pages.flags(BASE, condition_id)
    assert flags, f"{condition_id} names no red flag"
    assert "When to see a physician first" in body
    for f in flags:
        assert f.name in body
        assert f.why in body
        assert f.action in body
    for e in queries.exercises_for_condition(BASE, condition_id):
        assert reverse("selfcare:exercise", args=[e.id]) in body
    assert f'href="/find/?condition={condition_id}"' in body
    care = queries.care_for_condition(BASE, condition_id)
    flag_refs = [r for f in flags for r in BASE.red_flags[f.id].sources]
    for ref in (*found.sources, *(care.sources if care else ()), *flag_refs):
        assert BASE.sources[ref.source].title in body
        assert not ref.locator or ref.locator in body
    data = _ld(response)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["about"]["@type"] == "MedicalCondition"
    assert data["about"]["name"] == found.name
    assert {c["name"] for c in data["citation"]} >= {BASE.sources[r.source].title for r in found.sources}


@pytest.mark.parametrize("exercise_id", sorted(BASE.exercises))
def test_each_exercise_page_answers_with_steps_picture_dose_safety_and_sources(exercise_id: str) -> None:
    """Without a login: the steps, the stick figure, how much, the safety notes and the sources;
    the JSON-LD is a MedicalWebPage whose main entity is a HowTo with the same steps."""
    found = BASE.exercises[exercise_id]
    url = reverse("selfcare:exercise", args=[exercise_id])
    response = HttpClient().get(url)
    _assert_public(response, url)
    body = _text(response)
    assert f"<h1>{found.name}</h1>" in body
    for step in found.steps:
        assert f"<li>{step}</li>" in body
    if found.figure is not None:
        assert '<img src="data:image/svg+xml;base64,' in body
    if found.dose is not None:
        assert found.dose.frequency in body
    assert "Safety" in body
    for c in found.contraindications:
        assert f"<li>{c[0].upper()}{c[1:]}</li>" in body
    for ref in found.sources:
        assert BASE.sources[ref.source].title in body
    data = _ld(response)
    assert data["@type"] == "MedicalWebPage"
    how = data["mainEntity"]
    assert how["@type"] == "HowTo"
    assert [s["text"] for s in how["step"]] == list(found.steps)
    assert [s["position"] for s in how["step"]] == list(range(1, len(found.steps) + 1))


def test_the_index_links_every_condition_and_exercise() -> None:
    url = reverse("selfcare:index")
    response = HttpClient().get(url)
    _assert_public(response, url)
    body = response.content.decode()
    for condition_id in BASE.conditions:
        assert f'href="{reverse("selfcare:condition", args=[condition_id])}"' in body
    for exercise_id in BASE.exercises:
        assert f'href="{reverse("selfcare:exercise", args=[exercise_id])}"' in body
    assert _ld(response)["@type"] == "MedicalWebPage"
    assert 'href="/find/"' in body


@pytest.mark.parametrize(
    "url",
    [
        "/self-care/conditions/no_such_condition/",
        "/self-care/exercises/no-such-exercise/",
        "/self-care/conditions/chin_tuck/",  # an exercise's id is not a condition
        "/self-care/exercises/whiplash/",
        "/self-care/exercises/%3Cscript%3E/",  # not a slug: the site's own 404
        "/self-care/nothing-here/",
    ],
)
def test_an_unknown_page_is_a_404_page(url: str) -> None:
    """An unknown id answers 404 with a page (never a 500), and sets no cookie."""
    response = HttpClient().get(url)
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers
    assert "<script>" not in response.content.decode()


def test_only_get_is_answered() -> None:
    """The pages take no input: a POST is refused (405), not processed."""
    response = HttpClient().post(reverse("selfcare:condition", args=["whiplash"]), {"x": "1"})
    assert response.status_code == 405


def test_a_logged_in_user_sees_no_staff_or_client_content(clinic_a: ClinicWorld) -> None:
    """A practitioner who is logged in gets the same public page: no staff menu, no client's name."""
    http = HttpClient()
    http.force_login(clinic_a.users[Role.PRACTITIONER])
    for url in (
        reverse("selfcare:index"),
        reverse("selfcare:condition", args=["whiplash"]),
        reverse("selfcare:exercise", args=["chin_tuck"]),
    ):
        response = http.get(url)
        assert response.status_code == 200
        body = _text(response)
        assert clinic_a.client.family_name not in body
        assert clinic_a.clinic.name not in body
        for word in STAFF_WORDS:
            assert word not in body, (url, word)


def test_the_pages_are_rate_limited(settings: Any) -> None:
    settings.TAUT_SELFCARE_REQUESTS_PER_MINUTE = 3
    anon = HttpClient()
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=dt.UTC), tick=False):  # one window
        codes = [anon.get(reverse("selfcare:index")).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_json_ld_cannot_close_its_element() -> None:
    """Text that looks like markup is escaped inside the JSON-LD, and still parses back to itself."""
    payload = {"name": "</script><script>alert(1)</script> & <!--"}
    element = str(jsonld(payload))
    assert element.startswith('<script type="application/ld+json">')
    assert element.endswith("</script>")
    inner = element[len('<script type="application/ld+json">') : -len("</script>")]
    assert "<" not in inner
    assert ">" not in inner
    assert "&" not in inner
    assert json.loads(inner) == payload


def test_dose_words_read_plainly() -> None:
    """The dose reads as a sentence: sets and repetitions, holds in seconds or minutes, each side."""
    assert pages.dose_words(BASE.exercises["chin_tuck"]) == "2 sets of 10, hold 5 seconds; several times a day"
    held = pages.dose_words(BASE.exercises["plantar_ball_roll"])
    assert held.startswith("for 2 minutes;"), held
