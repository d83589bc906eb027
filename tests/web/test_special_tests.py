"""Special tests filed with a visit: one row per test and side, one audit entry per row written,
clinical roles only, clinic-scoped, bad input refused with nothing stored; recorded results are
weighed into the visit's pain-chart analysis ("confirmed by" / "argued against by")."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role, User
from taut.access.scoping import unscoped
from taut.assessments.models import PainChart, SpecialTestResult
from taut.audit.models import AuditEntry
from tests.factories import ClinicWorld, make_client
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id

pytestmark = pytest.mark.django_db

WebAs = Callable[[User], HttpClient]
ApiAs = Callable[[ClinicWorld, str], HttpClient]
FINGERS = {
    "pain": [
        {"zone": z, "intensity": 5, "quality": "numbness"}
        for z in ("thumb_palmar_r", "index_palmar_r", "middle_palmar_r")
    ]
}
PHALEN_RIGHT = {"test": "phalen", "side": "right", "result": "positive"}


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def page(world: ClinicWorld, client_id: int | None = None, visit_id: int | None = None) -> str:
    ids = {"client_id": client_id or world.client.pk, "visit_id": visit_id or world.visit.pk}
    return reverse("assessments:special_tests", kwargs=ids)


def api(world: ClinicWorld, client_id: int | None = None, visit_id: int | None = None) -> str:
    return f"/api/v1/clients/{client_id or world.client.pk}/visits/{visit_id or world.visit.pk}/special-tests"


def put(http: HttpClient, url: str, body: Any) -> Any:
    return http.put(url, json.dumps(body), content_type="application/json")


def stored() -> list[tuple[int, str, str, str, str]]:
    with unscoped():
        rows = SpecialTestResult.objects.order_by("visit_id", "test", "side")
        return list(rows.values_list("visit_id", "test", "side", "result", "note"))


def entries(start: int) -> list[tuple[str, str, str]]:
    return [(e.action, e.object_type, e.object_id) for e in audit_after(start)]


def ids(*pairs: tuple[str, str]) -> dict[tuple[str, str], str]:
    with unscoped():
        rows = SpecialTestResult.objects.values_list("test", "side", "pk")
    return {(t, s): str(pk) for t, s, pk in rows if (t, s) in pairs}


# Writing and reading ---------------------------------------------------------------------------


def test_web_form_records_each_result_with_one_audit_entry(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """Posting two results stores two rows (test id, side, result, note, who) and writes one 'create'
    entry per row; the page then shows them selected."""
    user = clinic_a.users[Role.PRACTITIONER]
    http = web_as(user)
    start = last_audit_id()
    form = {"phalen.right": "positive", "phalen.left": "", "phalen.note": "at 20 s", "tinel_wrist.right": "negative"}
    response = http.post(page(clinic_a), form)
    assert response.status_code == 302
    assert response["Location"] == page(clinic_a)
    v = clinic_a.visit.pk
    assert stored() == [(v, "phalen", "right", "positive", "at 20 s"), (v, "tinel_wrist", "right", "negative", "")]
    with unscoped():
        record = SpecialTestResult.objects.get(test="phalen")
    assert (record.clinic_id, record.client_id, record.recorded_by_id) == (
        clinic_a.clinic.pk,
        clinic_a.client.pk,
        user.pk,
    )
    pks = ids(("phalen", "right"), ("tinel_wrist", "right"))
    assert entries(start) == [
        ("create", "specialtestresult", pks[("phalen", "right")]),
        ("create", "specialtestresult", pks[("tinel_wrist", "right")]),
    ]
    assert all(
        e.outcome == AuditEntry.Outcome.SUCCESS and e.clinic_id == clinic_a.clinic.pk for e in audit_after(start)
    )
    start = last_audit_id()
    text = http.get(page(clinic_a)).content.decode()
    assert entries(start) == [("read", "visit", str(clinic_a.visit.pk))]
    assert '<select name="phalen.right" aria-label="Phalen test, right">' in text
    assert 'value="positive" selected' in text
    assert 'value="at 20 s"' in text


def test_posting_the_same_results_again_writes_nothing_and_a_change_is_an_update(
    clinic_a: ClinicWorld, web_as: WebAs
) -> None:
    """Re-saving unchanged results writes no row and no entry; changing one writes one 'update' entry."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    assert http.post(page(clinic_a), {"phalen.right": "positive", "spurling.left": "negative"}).status_code == 302
    before, start = stored(), last_audit_id()
    assert http.post(page(clinic_a), {"phalen.right": "positive", "spurling.left": "negative"}).status_code == 302
    assert stored() == before
    assert entries(start) == []
    assert http.post(page(clinic_a), {"phalen.right": "negative", "spurling.left": "negative"}).status_code == 302
    assert ("phalen", "right", "negative") in [r[1:4] for r in stored()]
    assert len(stored()) == 2
    assert entries(start) == [("update", "specialtestresult", ids(("phalen", "right"))[("phalen", "right")])]


def test_api_put_records_results_and_get_lists_them(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """PUT stores each result (by id even when named by name) with one entry each and answers with the
    visit's results; GET lists them and writes one 'list' entry naming the client."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    start = last_audit_id()
    body = {"tests": [PHALEN_RIGHT, {"test": "Straight leg raise", "side": "left", "result": "negative", "note": "n"}]}
    response = put(http, api(clinic_a), body)
    assert response.status_code == 200, response.content[:300]
    v = clinic_a.visit.pk
    assert stored() == [(v, "phalen", "right", "positive", ""), (v, "straight_leg_raise", "left", "negative", "n")]
    assert [(r["test"], r["side"], r["result"], r["name"]) for r in response.json()] == [
        ("phalen", "right", "positive", "Phalen test"),
        ("straight_leg_raise", "left", "negative", "Straight leg raise"),
    ]
    assert [e[:2] for e in entries(start)] == [("create", "specialtestresult")] * 2
    start = last_audit_id()
    listed = http.get(api(clinic_a))
    assert listed.status_code == 200
    assert [r["test"] for r in listed.json()] == ["phalen", "straight_leg_raise"]
    [entry] = audit_after(start)
    assert (entry.action, entry.object_type, entry.detail["client"]) == (
        "list",
        "specialtestresult",
        clinic_a.client.pk,
    )


# Roles and clinics ------------------------------------------------------------------------------


def test_front_desk_is_refused_everywhere_and_nothing_is_stored(
    clinic_a: ClinicWorld, web_as: WebAs, api_as: ApiAs
) -> None:
    """Front desk gets 403 on the page, the form post, the API read and the API write; one denied entry each."""
    web, token = web_as(clinic_a.users[Role.FRONT_DESK]), api_as(clinic_a, Role.FRONT_DESK)
    for send in (
        lambda: web.get(page(clinic_a)),
        lambda: web.post(page(clinic_a), {"phalen.right": "positive"}),
        lambda: token.get(api(clinic_a)),
        lambda: put(token, api(clinic_a), {"tests": [PHALEN_RIGHT]}),
    ):
        start = last_audit_id()
        assert send().status_code == 403
        [entry] = audit_after(start)
        assert (entry.action, entry.outcome) == ("access", AuditEntry.Outcome.DENIED)
    assert stored() == []


def test_another_clinics_visit_is_404_and_nothing_is_stored(
    clinic_a: ClinicWorld, clinic_b: ClinicWorld, web_as: WebAs, api_as: ApiAs
) -> None:
    """Clinic A's practitioner writing to clinic B's visit (or to A's visit under another client) gets 404."""
    web, token = web_as(clinic_a.users[Role.PRACTITIONER]), api_as(clinic_a, Role.PRACTITIONER)
    with unscoped():
        other_client = make_client(clinic_a.clinic)
    for response in (
        web.post(page(clinic_b), {"phalen.right": "positive"}),
        web.get(page(clinic_b)),
        put(token, api(clinic_b), {"tests": [PHALEN_RIGHT]}),
        token.get(api(clinic_b)),
        put(token, api(clinic_a, client_id=other_client.pk), {"tests": [PHALEN_RIGHT]}),
    ):
        assert response.status_code == 404
    assert stored() == []


# Bad input --------------------------------------------------------------------------------------

BAD_API = [
    ({"tests": [{"test": "phalens", "side": "right", "result": "positive"}]}, "Phalen test (phalen)"),
    ({"tests": [{"test": "phalen", "side": "up", "result": "positive"}]}, "side"),
    ({"tests": [{"test": "phalen", "side": "right", "result": "maybe"}]}, "result"),
    ({"tests": [{"test": "phal\x00en", "side": "right", "result": "positive"}]}, "NUL"),
    ({"tests": [{**PHALEN_RIGHT, "note": "a\x00b"}]}, "NUL"),
    ({"tests": [{**PHALEN_RIGHT, "note": "x" * 501}]}, "note"),
    ({"tests": [{**PHALEN_RIGHT, "test": "p" * 101}]}, "test"),
    ({"tests": [PHALEN_RIGHT] * 101}, "tests"),
    ({"tests": []}, "tests"),
    (
        {"tests": [PHALEN_RIGHT, {"test": "phalens", "side": "right", "result": "positive"}]},
        '["body", "tests", 1, "test"]',
    ),
    ({"tests": [PHALEN_RIGHT, {**PHALEN_RIGHT, "test": "Phalen test"}]}, "twice"),
    ({"tests": [PHALEN_RIGHT, {"test": "nope", "side": "left", "result": "positive"}]}, "not a special test"),
    ({"tests": [{**PHALEN_RIGHT, "extra": 1}]}, "extra"),
]


@pytest.mark.parametrize(("body", "words"), BAD_API)
def test_api_refuses_bad_results_with_the_error_shape_and_stores_nothing(
    body: dict[str, Any], words: str, clinic_a: ClinicWorld, api_as: ApiAs
) -> None:
    """Unknown tests (with suggestions), bad sides or results, NUL, oversized or duplicated input: 422."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    start = last_audit_id()
    response = put(http, api(clinic_a), body)
    assert response.status_code == 422, response.content[:300]
    errors = response.json()["errors"]
    assert errors
    assert all(set(e) == {"type", "loc", "msg"} for e in errors)
    assert words in json.dumps(errors)
    assert stored() == []
    assert entries(start) == []


BAD_WEB = [
    ({"phalens.right": "positive"}, "Did you mean: Phalen test (phalen)"),
    ({"phalen.up": "positive"}, "use one of: left, right, midline"),
    ({"phalen.right": "maybe"}, "use one of: positive, negative, equivocal"),
    ({"phalen.right": "positive", "phalen.note": "a\x00b"}, "NUL"),
    ({"phalen.right": "positive", "phalen.note": "x" * 501}, "at most 500"),
    ({"phalen.note": "a note alone"}, "A note needs a result"),
    ({"phalen.right": ""}, "Record at least one test result"),
    ({"phalen.right": "positive", "nope.left": "negative"}, "not a special test"),
    ({"x" * 500 + ".right": "positive"}, "not a special test"),
    ({"phalen.right": "p" * 100_000}, "use one of: positive, negative, equivocal"),
]


@pytest.mark.parametrize(("form", "words"), BAD_WEB)
def test_web_form_shows_errors_and_stores_nothing(
    form: dict[str, str], words: str, clinic_a: ClinicWorld, web_as: WebAs
) -> None:
    """A bad post is shown again (200) with an alert saying how to fix it; no row and no write entry."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    start = last_audit_id()
    response = http.post(page(clinic_a), form)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'role="alert"' in text
    assert words.replace("'", "&#x27;") in text
    assert stored() == []
    assert entries(start) == []


# The analysis weighs the results -----------------------------------------------------------------


def test_recording_a_result_re_analyses_the_filed_pain_chart(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """With fingers-only median numbness filed, a positive Phalen raises the carpal tunnel finding in the
    stored analysis, says "confirmed by", and is audited as a chart update beside the result's entry."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    chart_api = f"/api/v1/clients/{clinic_a.client.pk}/visits/{clinic_a.visit.pk}/pain-chart"
    assert put(http, chart_api, FINGERS).status_code == 200
    with unscoped():
        chart = PainChart.objects.get()
    before = next(n for n in chart.analysis["neural"] if "carpal tunnel" in n["site"].lower())
    assert before["confirmed_by"] == []
    start = last_audit_id()
    assert put(http, api(clinic_a), {"tests": [PHALEN_RIGHT]}).status_code == 200
    with unscoped():
        chart.refresh_from_db()
    after = next(n for n in chart.analysis["neural"] if "carpal tunnel" in n["site"].lower())
    assert after["score"] == pytest.approx(before["score"] * 2, abs=1e-3)
    assert after["confirmed_by"] == ["phalen"]
    assert chart.analysis["tests"] == [PHALEN_RIGHT]
    assert [e[:2] for e in entries(start)] == [("create", "specialtestresult"), ("update", "painchart")]
    start = last_audit_id()
    assert put(http, api(clinic_a), {"tests": [{**PHALEN_RIGHT, "result": "negative"}]}).status_code == 200
    with unscoped():
        chart.refresh_from_db()
    lowered = next(n for n in chart.analysis["neural"] if "carpal tunnel" in n["site"].lower())
    assert lowered["score"] == pytest.approx(before["score"] / 2, abs=1e-3)
    assert lowered["argued_against_by"] == ["phalen"]
    assert "carpal tunnel" not in chart.analysis["neural"][0]["site"].lower()
    assert [e[:2] for e in entries(start)] == [("update", "specialtestresult"), ("update", "painchart")]
    got = http.get(chart_api).json()
    assert got["analysis"]["tests"] == [{**PHALEN_RIGHT, "result": "negative"}]


def test_the_pain_chart_page_weighs_the_recorded_tests_in_its_ranking(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """The chart page carries the visit's results to the live ranking, which shows "Confirmed by";
    saving the chart stores the weighed analysis."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    assert http.post(page(clinic_a), {"phalen.right": "positive"}).status_code == 302
    chart_url = reverse(
        "assessments:pain_chart", kwargs={"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk}
    )
    text = http.get(chart_url).content.decode()
    assert '<input type="hidden" name="test" value="phalen:right:positive">' in text
    form = {"pain": "thumb_palmar_r:5:numbness\nindex_palmar_r:5:numbness\nmiddle_palmar_r:5:numbness"}
    ranking = http.post(
        reverse("assessments:reasoning_preview"), {**form, "test": "phalen:right:positive"}
    ).content.decode()
    assert "Confirmed by: Phalen test." in ranking
    plain = http.post(reverse("assessments:reasoning_preview"), form).content.decode()
    assert "Confirmed by" not in plain
    negative = http.post(
        reverse("assessments:reasoning_preview"), {**form, "test": "phalen:right:negative"}
    ).content.decode()
    assert "Argued against by: Phalen test." in negative
    assert http.post(chart_url, form).status_code == 302
    with unscoped():
        analysis = PainChart.objects.get().analysis
    assert analysis["neural"][0]["confirmed_by"] == ["phalen"]


def test_api_rank_weighs_tests_and_refuses_unknown_ones(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """The stateless rank takes optional "tests"; an unknown test is 422 in the one error shape."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    start = last_audit_id()
    body = json.dumps({**FINGERS, "tests": [PHALEN_RIGHT]})
    ok = http.post("/api/v1/reasoning/rank", body, content_type="application/json")
    assert ok.status_code == 200, ok.content[:300]
    top = ok.json()["neural"][0]
    assert top["confirmed_by"] == ["phalen"]
    assert "Phalen test positive (right)" in top["evidence"][0]
    bad_body = {**FINGERS, "tests": [{"test": "phalens", "side": "right", "result": "positive"}]}
    bad = http.post("/api/v1/reasoning/rank", json.dumps(bad_body), content_type="application/json")
    assert bad.status_code == 422
    [error] = bad.json()["errors"]
    assert set(error) == {"type", "loc", "msg"}
    assert "tests" in error["loc"]
    assert "Phalen test (phalen)" in error["msg"]
    wrong_side = {**FINGERS, "tests": [{**PHALEN_RIGHT, "side": "up"}]}
    assert (
        http.post("/api/v1/reasoning/rank", json.dumps(wrong_side), content_type="application/json").status_code == 422
    )
    assert stored() == []
    with unscoped():
        assert not PainChart.objects.exists()
    assert entries(start) == []


@pytest.mark.parametrize("zone", ["temple_\x00l", "left\x00 temple", "\x00temple_l"])
def test_api_rank_refuses_a_nul_inside_a_zone_name(zone: str, clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """A NUL inside a zone name is refused (422 naming the mark), not silently normalised away."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    body = json.dumps({"pain": [{"zone": zone, "intensity": 6}], "tests": [PHALEN_RIGHT]})
    response = http.post("/api/v1/reasoning/rank", body, content_type="application/json")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert "pain" in error["loc"]
    assert error["msg"].startswith("pain.0.zone: remove the NUL")
