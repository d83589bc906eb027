"""Outcome measures and the wellness questionnaire filed with a visit.

The web form and the API PUT both go through `do_record_measure` / `do_save_wellness`: what is
stored is exactly what the core scorer (`taut.core.measures.scoring.score`) and the wellness
logic (`taut.core.measures.wellness.evaluate`) compute; every write is one audit entry; front
desk is refused and never sees a score; another clinic's ids are 404; bad answers store nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role, User
from taut.access.scoping import clinic_scope, unscoped
from taut.assessments import measures
from taut.assessments.models import OutcomeMeasure, WellnessAnswers
from taut.audit.models import AuditEntry
from taut.clients import services as clients
from taut.clients.models import Visit
from taut.core.knowledge.loader import load_base
from taut.core.measures.scoring import change, score
from taut.core.measures.wellness import evaluate
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id

pytestmark = pytest.mark.django_db

WebAs = Callable[[User], HttpClient]
ApiAs = Callable[[ClinicWorld, str], HttpClient]

NDI = [2, 2, 2, 2, 2, 2, 2, None, 1, 1]  # one blank item: prorated, with a warning
WELLNESS = {
    "hydration.fluid_intake": "under_1_litre",
    "sleep.sleep_hours": "seven_to_nine",
    "sleep.pain_wakes": "never",
}


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def api_url(world: ClinicWorld, instrument: str = "ndi", visit: Visit | None = None) -> str:
    visit = visit or world.visit
    return f"/api/v1/clients/{visit.client_id}/visits/{visit.pk}/measures/{instrument}"


def wellness_api_url(world: ClinicWorld) -> str:
    return f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/wellness"


def page_url(world: ClinicWorld, name: str = "measures", visit: Visit | None = None) -> str:
    visit = visit or world.visit
    return reverse(f"assessments:{name}", kwargs={"client_id": visit.client_id, "visit_id": visit.pk})


def put(http: HttpClient, url: str, body: Any) -> Any:
    return http.put(url, json.dumps(body), content_type="application/json")


def form(answers: list[Any], instrument: str = "ndi") -> dict[str, str]:
    return {"instrument": instrument} | {f"item_{n}": "" if v is None else str(v) for n, v in enumerate(answers, 1)}


def stored_measures() -> list[OutcomeMeasure]:
    with unscoped():
        return list(OutcomeMeasure.objects.all())


def stored_wellness() -> list[WellnessAnswers]:
    with unscoped():
        return list(WellnessAnswers.objects.all())


def add_visit(world: ClinicWorld, days_ago: int) -> Visit:
    with clinic_scope(world.clinic):
        return clients.do_create_visit(
            world.client,
            {"date": world.visit.date - dt.timedelta(days=days_ago)},
            world.users[Role.PRACTITIONER].pk,
            Role.PRACTITIONER,
        )


# Scoring stored equals the core's, one audit entry per write ---------------------------------


def test_api_put_stores_the_cores_score_and_writes_one_entry(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """PUT scores through the core: the stored and returned score equal `score()`; one "create"
    entry, then one "update" entry when saved again (still one row for the instrument)."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    expected = score("ndi", NDI).to_dict()
    last = last_audit_id()
    response = put(http, api_url(clinic_a), {"answers": NDI})
    assert response.status_code == 200, response.content[:300]
    (record,) = stored_measures()
    assert record.score == expected
    assert record.answers == NDI
    assert record.kb_version == expected["kb_version"]
    assert record.visit_id == clinic_a.visit.pk
    assert record.client_id == clinic_a.client.pk
    body = response.json()
    assert body["score"]["value"] == expected["value"] == 17.78
    assert body["score"]["percent"] == expected["percent"]
    assert body["score"]["band"] == expected["band"] == "moderate"
    assert body["score"]["warnings"] == expected["warnings"]
    assert body["mcid"] == load_base().instruments["ndi"].mcid.value  # type: ignore[union-attr]
    entries = audit_after(last)
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [("create", "outcomemeasure", str(record.pk))]

    last = last_audit_id()
    again = [3] * 10
    assert put(http, api_url(clinic_a), {"answers": again}).status_code == 200
    (record,) = stored_measures()
    assert record.score == score("ndi", again).to_dict()
    assert [(e.action, e.object_type) for e in audit_after(last)] == [("update", "outcomemeasure")]


def test_api_get_returns_what_was_stored_and_audits_the_read(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """GET returns the stored answers and score and writes one "read" entry."""
    http = api_as(clinic_a, Role.OWNER)
    assert put(http, api_url(clinic_a, "lefs"), {"answers": [3] * 20}).status_code == 200
    last = last_audit_id()
    response = http.get(api_url(clinic_a, "lefs"))
    assert response.status_code == 200
    assert response.json()["score"]["value"] == score("lefs", [3] * 20).value == 60
    assert response.json()["answers"] == [3] * 20
    assert [(e.action, e.object_type) for e in audit_after(last)] == [("read", "outcomemeasure")]
    assert http.get(api_url(clinic_a, "ndi")).status_code == 404  # nothing filed for that instrument


def test_several_instruments_per_visit_but_one_of_each(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """A visit holds one score per instrument; the database refuses a second row for the same one."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    assert put(http, api_url(clinic_a, "ndi"), {"answers": [1] * 10}).status_code == 200
    assert put(http, api_url(clinic_a, "nprs"), {"answers": [6]}).status_code == 200
    assert sorted(m.instrument for m in stored_measures()) == ["ndi", "nprs"]
    first = stored_measures()[0]
    with pytest.raises(IntegrityError), transaction.atomic(), unscoped():
        OutcomeMeasure.objects.create(
            clinic=first.clinic,
            client=first.client,
            visit=first.visit,
            instrument=first.instrument,
            answers=first.answers,
            score=first.score,
            kb_version=first.kb_version,
            recorded_by=first.recorded_by,
        )


def test_web_form_stores_the_cores_score_and_shows_score_band_and_mcid(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """The form has one range-checked number input per item, labelled by number and the KB's
    domain label; saving stores the core's score (one audit entry) and the page then shows the
    score, band and MCID."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    url = page_url(clinic_a)
    page = http.get(url + "?instrument=ndi").content.decode()
    inputs = re.findall(r'<input id="item_(\d+)" type="number"[^>]*min="0" max="5" step="1"', page)
    assert inputs == [str(n) for n in range(1, 11)]
    for n, label in enumerate(load_base().instruments["ndi"].items.domains, 1):
        assert f'<label for="item_{n}">{label}</label>' in page
    last = last_audit_id()
    response = http.post(url, form(NDI))
    assert response.status_code == 302
    assert response["Location"].endswith("?instrument=ndi")
    (record,) = stored_measures()
    assert record.score == score("ndi", NDI).to_dict()
    assert [(e.action, e.object_type) for e in audit_after(last)] == [("create", "outcomemeasure")]
    shown = http.get(response["Location"]).content.decode()
    assert "Score 17.78" in shown
    assert "Band: <strong>moderate</strong>" in shown
    assert "Minimal clinically important difference: 5 points" in shown
    assert "Item 8 unanswered" in shown  # the core's warning
    assert 'value="2"' in shown  # the saved answers fill the form again


def test_visit_page_links_to_measures_and_wellness(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """The visit page links a clinical role to the outcome measures and the wellness questionnaire."""
    page = web_as(clinic_a.users[Role.PRACTITIONER]).get(
        reverse("clients:visit_detail", kwargs={"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk})
    )
    text = page.content.decode()
    assert f'href="{page_url(clinic_a)}">Outcome measures<' in text
    assert f'href="{page_url(clinic_a, "wellness")}">Wellness<' in text


# Front desk ----------------------------------------------------------------------------------


def test_front_desk_is_refused_and_never_sees_scores(clinic_a: ClinicWorld, api_as: ApiAs, web_as: WebAs) -> None:
    """Front desk gets 403 on every measure and wellness route (API and web), stores nothing, and
    the client page shows them no scores while a practitioner sees them."""
    assert put(api_as(clinic_a, Role.PRACTITIONER), api_url(clinic_a), {"answers": NDI}).status_code == 200
    desk_api = api_as(clinic_a, Role.FRONT_DESK)
    assert desk_api.get(api_url(clinic_a)).status_code == 403
    assert desk_api.get(f"/api/v1/clients/{clinic_a.client.pk}/measures").status_code == 403
    assert desk_api.get(wellness_api_url(clinic_a)).status_code == 403
    refused = put(desk_api, api_url(clinic_a, "nprs"), {"answers": [3]})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["type"] == "forbidden"
    assert put(desk_api, wellness_api_url(clinic_a), {"answers": WELLNESS}).status_code == 403
    desk = web_as(clinic_a.users[Role.FRONT_DESK])
    assert desk.get(page_url(clinic_a) + "?instrument=ndi").status_code == 403
    assert desk.post(page_url(clinic_a), form([4], "nprs")).status_code == 403
    assert desk.post(page_url(clinic_a, "wellness"), WELLNESS).status_code == 403
    assert [m.instrument for m in stored_measures()] == ["ndi"]
    assert stored_wellness() == []
    client_page = reverse("clients:client_detail", kwargs={"client_id": clinic_a.client.pk})
    desk_text = desk.get(client_page).content.decode()
    assert "Outcome measures" not in desk_text
    assert "17.78" not in desk_text
    practitioner_text = web_as(clinic_a.users[Role.PRACTITIONER]).get(client_page).content.decode()
    assert "Outcome measures" in practitioner_text
    assert "17.78" in practitioner_text


# Another clinic's ids ---------------------------------------------------------------------------


def test_other_clinics_ids_are_404_and_store_nothing(
    clinic_a: ClinicWorld, clinic_b: ClinicWorld, api_as: ApiAs, web_as: WebAs
) -> None:
    """Clinic A's practitioner naming clinic B's client or visit gets 404 on every route, with
    nothing stored and one "denied" entry per request."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    web = web_as(clinic_a.users[Role.PRACTITIONER])
    body = {"answers": NDI}
    requests: list[Callable[[], Any]] = [
        lambda: put(http, api_url(clinic_b), {"answers": NDI}),
        lambda: http.get(api_url(clinic_b)),
        lambda: http.get(f"/api/v1/clients/{clinic_b.client.pk}/measures"),
        lambda: put(http, wellness_api_url(clinic_b), {"answers": WELLNESS}),
        lambda: http.get(wellness_api_url(clinic_b)),
        lambda: web.post(page_url(clinic_b), form(NDI)),
        lambda: web.get(page_url(clinic_b) + "?instrument=ndi"),
        lambda: web.post(page_url(clinic_b, "wellness"), WELLNESS),
        # A's client with B's visit
        lambda: put(http, f"/api/v1/clients/{clinic_a.client.pk}/visits/{clinic_b.visit.pk}/measures/ndi", body),
    ]  # fmt: skip
    for send in requests:
        last = last_audit_id()
        response = send()
        assert response.status_code == 404
        entries = audit_after(last)
        assert [(e.action, e.outcome) for e in entries] == [("access", AuditEntry.Outcome.DENIED)]
    assert stored_measures() == []
    assert stored_wellness() == []


def test_unknown_instrument_is_404(clinic_a: ClinicWorld, api_as: ApiAs, web_as: WebAs) -> None:
    """An instrument the knowledge base does not have is 404 in the API and the web; a malformed
    id is 422; nothing is stored."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    assert put(http, api_url(clinic_a, "odi"), {"answers": [1] * 10}).status_code == 404
    assert put(http, api_url(clinic_a, "ND%00I"), {"answers": [1] * 10}).status_code == 422
    web = web_as(clinic_a.users[Role.PRACTITIONER])
    assert web.get(page_url(clinic_a) + "?instrument=odi").status_code == 404
    assert web.post(page_url(clinic_a), form([1] * 10, "odi")).status_code == 404
    assert stored_measures() == []


# Bad answers ------------------------------------------------------------------------------------

BAD_API = {
    "too few": ([1] * 9, "10 items"),
    "too many": ([1] * 11, "10 items"),
    "out of range": ([1, 1, 6, 1, 1, 1, 1, 1, 1, 1], "answers.3"),
    "negative": ([1, -1, 1, 1, 1, 1, 1, 1, 1, 1], "answers.2"),
    "not whole": ([1, 1, 1, 2.5, 1, 1, 1, 1, 1, 1], "answers.4"),
    "too many missing": ([1, None, None, 1, 1, 1, 1, 1, 1, 1], "at most 1"),
    "huge number": ([1e308] + [1] * 9, "answers.1"),
    "huge list": ([1] * 100_000, "answers"),
    "NUL": (["\x00"] + [1] * 9, "answers"),
    "text": (["two"] + [1] * 9, "answers"),
    "numeric text": (["2"] + [1] * 9, "answers"),
    "boolean": ([True] + [1] * 9, "answers"),
    "empty": ([], "answers"),
    "not a list": ({"1": 2}, "answers"),
}


@pytest.mark.parametrize("case", sorted(BAD_API))
def test_api_rejects_bad_answers_and_stores_nothing(case: str, clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """Wrong counts, out-of-range or non-whole answers, too many blanks, NUL, text and huge input
    get 422 in the one error shape naming the problem (the item where there is one); nothing is
    stored and no audit entry is written."""
    answers, named = BAD_API[case]
    http = api_as(clinic_a, Role.PRACTITIONER)
    last = last_audit_id()
    response = put(http, api_url(clinic_a), {"answers": answers})
    assert response.status_code == 422, response.content[:300]
    errors = response.json()["errors"]
    assert errors
    assert all(set(e) == {"type", "loc", "msg"} for e in errors)
    if named.startswith("answers"):  # the field at fault, in the one location shape
        where = ["body", *(int(p) if p.isdigit() else p for p in named.split("."))]
        assert any(e["loc"][: len(where)] == where for e in errors), errors
    else:  # the whole list is at fault: the message says why
        assert any(e["loc"] == ["body", "answers"] and named in e["msg"] for e in errors), errors
    assert stored_measures() == []
    assert audit_after(last) == []


def test_api_rejects_extra_fields_and_non_json(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """An unknown field or a body that is not JSON is refused with 4xx; nothing is stored."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    assert put(http, api_url(clinic_a), {"answers": [1] * 10, "score": 0}).status_code == 422
    response = http.put(api_url(clinic_a), b"\x00{", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert stored_measures() == []


BAD_FORM = {
    "out of range": ({"item_3": "9"}, "item 3"),
    "not a number": ({"item_5": "lots"}, "Item 5"),
    "NUL": ({"item_2": "1\x00"}, "Item 2"),
    "huge": ({"item_1": "9" * 5000}, "Item 1"),
    "too many missing": ({"item_1": "", "item_2": ""}, "at most 1"),
    "not whole": ({"item_4": "1.5"}, "item 4"),
    "an item it does not have": ({"item_11": "1"}, "does not have"),
}


@pytest.mark.parametrize("case", sorted(BAD_FORM))
def test_web_form_rejects_bad_answers_and_stores_nothing(case: str, clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """A bad answer shows the form again with an alert naming the item; nothing is stored or audited."""
    change_, expected = BAD_FORM[case]
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    last = last_audit_id()
    response = http.post(page_url(clinic_a), form([1] * 10) | change_)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'role="alert"' in text
    assert expected in text
    assert "\x00" not in text
    assert stored_measures() == []
    assert audit_after(last) == []


# History and MCID on the client page ------------------------------------------------------------


def test_history_and_mcid_flag_on_client_page_and_api(clinic_a: ClinicWorld, api_as: ApiAs, web_as: WebAs) -> None:
    """The client page lists each instrument's scores across visits (oldest first) with the change
    since the first and whether it reaches the MCID, as the core's change() says; the API agrees."""
    first, second = add_visit(clinic_a, 28), add_visit(clinic_a, 14)
    http = api_as(clinic_a, Role.PRACTITIONER)
    answers = {first: [3] * 10, second: [3] * 8 + [2, 2], clinic_a.visit: [1] * 10}  # 30, 28, 10
    for visit, given in answers.items():
        assert put(http, api_url(clinic_a, visit=visit), {"answers": given}).status_code == 200
    small, big = change("ndi", 30, 28), change("ndi", 30, 10)
    assert (small.exceeds_mcid, big.exceeds_mcid, big.improved) == (False, True, True)

    text = (
        web_as(clinic_a.users[Role.PRACTITIONER])
        .get(reverse("clients:client_detail", kwargs={"client_id": clinic_a.client.pk}))
        .content.decode()
    )
    section = text[text.index('id="h-measures"') :]
    assert "Neck Disability Index" in section
    rows = re.findall(r"<tr><td><a [^>]*>([\d-]+)</a></td>\s*<td>([\d.]+)", section)
    assert rows == [
        (first.date.isoformat(), "30.0"),
        (second.date.isoformat(), "28.0"),
        (clinic_a.visit.date.isoformat(), "10.0"),
    ]
    assert "baseline" in section
    assert f"{small.difference}\n" in section
    assert "within MCID" in section
    assert f"{big.difference}\n" in section
    assert "beyond MCID, better" in section
    assert section.count("beyond MCID") == 1

    last = last_audit_id()
    response = http.get(f"/api/v1/clients/{clinic_a.client.pk}/measures")
    assert response.status_code == 200
    (ndi,) = response.json()
    assert ndi["instrument"] == "ndi"
    scores = [(s["value"], s["difference"], s["exceeds_mcid"], s["improved"]) for s in ndi["scores"]]
    assert scores == [
        (30.0, None, False, False),
        (28.0, small.difference, False, True),
        (10.0, big.difference, True, True),
    ]
    assert [(e.action, e.object_type, e.detail.get("client")) for e in audit_after(last)] == [
        ("list", "outcomemeasure", clinic_a.client.pk)
    ]


def test_history_of_another_client_is_not_mixed_in(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """The history lists only the client's own scores."""
    assert put(api_as(clinic_a, Role.PRACTITIONER), api_url(clinic_a), {"answers": [2] * 10}).status_code == 200
    with clinic_scope(clinic_a.clinic):
        other = clients.get_client(clinic_a.client.pk)
        assert [h.instrument.id for h in measures.history(other)] == ["ndi"]
        from tests.factories import make_client

        stranger = make_client(clinic_a.clinic)
        assert measures.history(stranger) == []


# Wellness ---------------------------------------------------------------------------------------


def test_wellness_api_stores_the_cores_advice(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """PUT stores the answers and exactly what evaluate() raises (one "create" entry); GET returns it."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    expected = evaluate(WELLNESS).to_dict()
    last = last_audit_id()
    response = put(http, wellness_api_url(clinic_a), {"answers": WELLNESS})
    assert response.status_code == 200, response.content[:300]
    (record,) = stored_wellness()
    assert record.advice == expected
    assert record.answers == WELLNESS
    assert [a["id"] for a in response.json()["advice"]] == [a["id"] for a in expected["advice"]] == ["drink_regularly"]
    assert response.json()["flags"]["hydration"] is True
    assert [(e.action, e.object_type) for e in audit_after(last)] == [("create", "wellnessanswers")]
    assert http.get(wellness_api_url(clinic_a)).json()["advice"] == response.json()["advice"]


@pytest.mark.parametrize(
    "answers",
    [
        {"hydration.fluid_intake": "a_bucket"},
        {"hydration.nonsense": "under_1_litre"},
        {"hydration.fluid_intake": "under_1\x00_litre"},
        {"x" * 5000: "under_1_litre"},
        {"hydration.fluid_intake": 3},
        {},
    ],
)
def test_wellness_api_rejects_bad_answers(answers: dict[str, Any], clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """Unknown questions or options, NUL, huge keys, non-text answers and no answers get 422; nothing is stored."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    response = put(http, wellness_api_url(clinic_a), {"answers": answers})
    assert response.status_code == 422, response.content[:300]
    assert set(response.json()["errors"][0]) == {"type", "loc", "msg"}
    assert stored_wellness() == []


def test_wellness_form_shows_the_advice_raised(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """The form offers every question of wellness.yaml as radio buttons; saving shows the advice
    items the answers raise (one audit entry); an unknown option is refused with nothing stored."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    url = page_url(clinic_a, "wellness")
    page = http.get(url).content.decode()
    base = load_base()
    for domain in base.wellness.values():
        for question in domain.questions:
            assert f'name="{domain.id}.{question.id}"' in page
    bad = http.post(url, {"hydration.fluid_intake": "a_bucket"})
    assert bad.status_code == 200
    assert 'role="alert"' in bad.content.decode()
    assert stored_wellness() == []
    last = last_audit_id()
    answers = {"sleep.pain_wakes": "most_nights", "hydration.fluid_intake": "over_2_litres"}
    response = http.post(url, answers)
    assert response.status_code == 302
    assert [(e.action, e.object_type) for e in audit_after(last)] == [("create", "wellnessanswers")]
    (record,) = stored_wellness()
    assert record.advice == evaluate(answers).to_dict()
    shown = http.get(url).content.decode()
    raised = evaluate(answers).advice
    assert {a.id for a in raised} == {"sleep_position", "night_pain_doctor"}
    for advice in raised:
        assert advice.text.split(".")[0] in shown
    assert 'value="most_nights" checked' in shown


def test_web_form_for_a_variable_count_and_a_checklist(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """PSFS takes 1 to 5 activities: blank trailing activities are not named ones, so three ratings
    score as the mean of three. RMDQ items are unticked (blank or 0) or ticked (1)."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    url = page_url(clinic_a)
    page = http.get(url + "?instrument=psfs").content.decode()
    assert len(re.findall(r'<input id="item_\d+" type="number"[^>]*min="0" max="10"', page)) == 5
    assert "Activity 1 (the client&#x27;s own)" in page
    assert http.post(url, form([4, 6, 8, None, None], "psfs")).status_code == 302
    ticks = [1] * 7 + [None] + [0] * 16
    assert http.post(url, form(ticks, "rmdq")).status_code == 302
    stored = {m.instrument: m for m in stored_measures()}
    assert stored["psfs"].answers == [4, 6, 8]
    assert stored["psfs"].score == score("psfs", [4, 6, 8]).to_dict()
    assert stored["psfs"].score["value"] == 6
    assert stored["rmdq"].score == score("rmdq", ticks).to_dict()
    assert stored["rmdq"].score["value"] == 7
    gap = http.post(url, form([4, None, 8, None, None], "psfs"))  # a named activity without a rating
    assert gap.status_code == 200
    assert 'role="alert"' in gap.content.decode()
    after = {m.instrument: m for m in stored_measures()}
    assert after["psfs"].answers == [4, 6, 8]
    assert after["psfs"].score == stored["psfs"].score
