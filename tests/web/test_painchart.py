"""Pain charts filed with a visit: one per visit, audited once per save, clinic-scoped, clinical-only.

The web form and the API PUT both go through `do_save_pain_chart`; the preview and the stateless
API ranking read and store nothing. The stored analysis is exactly what the core computes.
"""

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
from taut.audit.models import AuditEntry
from taut.clients.services import age_on
from taut.core.knowledge.loader import load_base
from taut.core.reasoning.analysis import analyse
from taut.core.reasoning.parse import chart_from_inputs
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id

pytestmark = pytest.mark.django_db

WebAs = Callable[[User], HttpClient]
ApiAs = Callable[[ClinicWorld, str], HttpClient]

# Whiplash neck pain with a temple headache: upper trapezius territory.
WEB_FORM = {
    "pain": "temple_l:7:aching\nposterior_neck_l:6\nshoulder_top_l:5:deep",
    "qualities": ["aching"],
    "mechanism": "whiplash",
}
WEB_INPUTS = {
    "pain": [
        {"zone": "temple_l", "intensity": 7, "quality": "aching"},
        {"zone": "posterior_neck_l", "intensity": 6, "quality": None},
        {"zone": "shoulder_top_l", "intensity": 5, "quality": "deep"},
    ],
    "qualities": ["aching"],
    "mechanism": "whiplash",
}
API_BODY = {
    "pain": [{"zone": "left temple", "intensity": 4}, {"zone": "mastoid_l", "intensity": 3, "quality": "dull"}],
    "aggravating": ["cervical_rotation"],
}


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def chart_url(world: ClinicWorld, client_id: int | None = None, visit_id: int | None = None) -> str:
    return reverse(
        "assessments:pain_chart",
        kwargs={"client_id": client_id or world.client.pk, "visit_id": visit_id or world.visit.pk},
    )


def api_url(world: ClinicWorld, client_id: int | None = None, visit_id: int | None = None) -> str:
    return f"/api/v1/clients/{client_id or world.client.pk}/visits/{visit_id or world.visit.pk}/pain-chart"


def put(http: HttpClient, url: str, body: Any) -> Any:
    return http.put(url, json.dumps(body), content_type="application/json")


def charts() -> list[PainChart]:
    with unscoped():
        return list(PainChart.objects.order_by("pk"))


def expected_analysis(world: ClinicWorld, inputs: dict[str, Any]) -> dict[str, Any]:
    """What the core computes for these inputs and this client, as it reads back from JSON."""
    base = load_base()
    client, visit = world.client, world.visit
    sex = client.sex if client.sex in ("female", "male") else None
    chart = chart_from_inputs(base, inputs, age=age_on(client, visit.date), sex=sex)
    return json.loads(json.dumps(analyse(base, chart).to_dict()))  # type: ignore[no-any-return]


def test_web_save_files_one_chart_with_inputs_analysis_and_version(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """Saving the form redirects to the visit and stores one chart with its inputs, analysis and KB version."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    start = last_audit_id()
    response = http.post(chart_url(clinic_a), WEB_FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "clients:visit_detail", kwargs={"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk}
    )
    [record] = charts()
    assert record.visit_id == clinic_a.visit.pk
    assert record.client_id == clinic_a.client.pk
    assert record.clinic_id == clinic_a.clinic.pk
    assert record.recorded_by_id == clinic_a.users[Role.PRACTITIONER].pk
    assert record.inputs == WEB_INPUTS
    assert record.kb_version == load_base().version
    assert record.analysis["kb_version"] == record.kb_version
    assert record.analysis == expected_analysis(clinic_a, record.inputs)
    assert record.analysis["candidates"], "a temple and neck chart has candidates"
    entries = audit_after(start)
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [("create", "painchart", str(record.pk))]
    assert entries[0].outcome == AuditEntry.Outcome.SUCCESS
    assert entries[0].clinic_id == clinic_a.clinic.pk
    assert entries[0].user_id == clinic_a.users[Role.PRACTITIONER].pk


def test_second_web_save_replaces_the_chart_and_is_audited_as_update(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """A second save of the same visit's chart replaces it in place: still one row, one 'update' entry."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    assert http.post(chart_url(clinic_a), WEB_FORM).status_code == 302
    [first] = charts()
    start = last_audit_id()
    response = http.post(chart_url(clinic_a), {"pain": "heel_r:3"})
    assert response.status_code == 302
    [second] = charts()
    assert second.pk == first.pk
    assert second.inputs == {"pain": [{"zone": "heel_r", "intensity": 3, "quality": None}]}
    assert second.analysis == expected_analysis(clinic_a, second.inputs)
    assert second.analysis != first.analysis
    entries = audit_after(start)
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [("update", "painchart", str(first.pk))]


def test_api_put_files_then_replaces_one_chart_and_get_reads_it(clinic_a: ClinicWorld, api_as: ApiAs) -> None:
    """PUT stores the chart (one audit entry each), a second PUT replaces it, GET returns what was stored."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    start = last_audit_id()
    response = put(http, api_url(clinic_a), API_BODY)
    assert response.status_code == 200, response.content[:500]
    [record] = charts()
    body = response.json()
    assert body["id"] == record.pk
    assert body["visit_id"] == clinic_a.visit.pk
    assert record.inputs == {
        "pain": [{"zone": "left temple", "intensity": 4}, {"zone": "mastoid_l", "intensity": 3, "quality": "dull"}],
        "qualities": [],
        "aggravating": ["cervical_rotation"],
        "easing": [],
        "restricted": [],
        "symptoms": [],
        "red_flags": [],
    }
    assert record.analysis == expected_analysis(clinic_a, record.inputs)
    assert body["analysis"]["candidates"] == record.analysis["candidates"]
    assert body["kb_version"] == record.kb_version == load_base().version
    assert [(e.action, e.object_type) for e in audit_after(start)] == [("create", "painchart")]

    start = last_audit_id()
    again = put(http, api_url(clinic_a), {"pain": [{"zone": "calf_r", "intensity": 8}]})
    assert again.status_code == 200, again.content[:500]
    [replaced] = charts()
    assert replaced.pk == record.pk
    assert replaced.inputs["pain"] == [{"zone": "calf_r", "intensity": 8}]
    assert replaced.analysis == expected_analysis(clinic_a, replaced.inputs)
    assert [(e.action, e.object_type) for e in audit_after(start)] == [("update", "painchart")]

    read = http.get(api_url(clinic_a))
    assert read.status_code == 200
    assert read.json()["inputs"] == replaced.inputs
    assert read.json()["analysis"]["candidates"] == replaced.analysis["candidates"]


def test_each_visit_gets_its_own_chart(clinic_a: ClinicWorld, web_as: WebAs, api_as: ApiAs) -> None:
    """Saving through the web and through the API on the same visit keeps one row; the web save is an update."""
    assert put(api_as(clinic_a, Role.PRACTITIONER), api_url(clinic_a), API_BODY).status_code == 200
    start = last_audit_id()
    assert web_as(clinic_a.users[Role.OWNER]).post(chart_url(clinic_a), WEB_FORM).status_code == 302
    [record] = charts()
    assert record.inputs == WEB_INPUTS
    assert record.recorded_by_id == clinic_a.users[Role.OWNER].pk
    assert [(e.action, e.object_type) for e in audit_after(start)] == [("update", "painchart")]


def test_front_desk_is_refused_the_chart_and_never_sees_its_data(
    clinic_a: ClinicWorld, web_as: WebAs, api_as: ApiAs
) -> None:
    """Front desk gets 403 for the chart page, its POST and the API GET/PUT, and sees no chart data on the visit."""
    assert web_as(clinic_a.users[Role.PRACTITIONER]).post(chart_url(clinic_a), WEB_FORM).status_code == 302
    [record] = charts()
    muscle = record.analysis["explaining"][0]["name"]
    visit_page = reverse(
        "clients:visit_detail", kwargs={"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk}
    )

    practitioner_view = web_as(clinic_a.users[Role.PRACTITIONER]).get(visit_page).content.decode()
    assert "Pain chart</h2>" in practitioner_view
    assert muscle in practitioner_view
    assert record.kb_version in practitioner_view

    desk = web_as(clinic_a.users[Role.FRONT_DESK])
    assert desk.get(chart_url(clinic_a)).status_code == 403
    assert desk.post(chart_url(clinic_a), {"pain": "heel_r:3"}).status_code == 403
    page = desk.get(visit_page)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pain chart" not in text
    assert muscle not in text
    assert record.kb_version not in text
    assert (
        reverse("assessments:pain_chart", kwargs={"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk})
        not in text
    )

    api = api_as(clinic_a, Role.FRONT_DESK)
    assert api.get(api_url(clinic_a)).status_code == 403
    assert put(api, api_url(clinic_a), {"pain": [{"zone": "heel_r"}]}).status_code == 403
    visit_json = api.get(f"/api/v1/clients/{clinic_a.client.pk}/visits/{clinic_a.visit.pk}")
    assert visit_json.status_code == 200
    raw = visit_json.content.decode()
    for leak in (muscle, "pain_chart", "analysis", "temple_l", record.kb_version):
        assert leak not in raw
    [unchanged] = charts()
    assert (unchanged.inputs, unchanged.updated_at) == (record.inputs, record.updated_at)


@pytest.mark.parametrize("channel", ["web", "api"])
def test_another_clinics_visit_is_404_and_nothing_is_stored(
    channel: str, clinic_a: ClinicWorld, clinic_b: ClinicWorld, web_as: WebAs, api_as: ApiAs
) -> None:
    """Clinic A's practitioner naming clinic B's client or visit gets 404, and no chart or success entry is written."""
    targets = [
        (clinic_b.client.pk, clinic_b.visit.pk),  # B's client and visit
        (clinic_a.client.pk, clinic_b.visit.pk),  # A's client, B's visit
    ]
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    api = api_as(clinic_a, Role.PRACTITIONER)
    start = last_audit_id()
    for client_id, visit_id in targets:
        if channel == "web":
            url = chart_url(clinic_a, client_id, visit_id)
            assert http.get(url).status_code == 404
            assert http.post(url, WEB_FORM).status_code == 404
        else:
            url = api_url(clinic_a, client_id, visit_id)
            assert api.get(url).status_code == 404
            response = put(api, url, API_BODY)
            assert response.status_code == 404
            assert set(response.json()) == {"errors"}
    assert charts() == []
    assert not [e for e in audit_after(start) if e.object_type == "painchart"]
    entries = audit_after(start)
    assert entries, "a cross-clinic attempt is recorded"
    assert {e.outcome for e in entries} == {AuditEntry.Outcome.DENIED}, [str(e) for e in entries]


def test_preview_ranks_without_storing_or_auditing(clinic_a: ClinicWorld, web_as: WebAs, api_as: ApiAs) -> None:
    """The htmx preview and the API ranking answer with candidates but store nothing and write no audit entry."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    api = api_as(clinic_a, Role.PRACTITIONER)
    start = last_audit_id()
    response = http.post(reverse("assessments:reasoning_preview"), WEB_FORM)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="candidate"' in text
    assert "Upper trapezius" in text
    ranked = api.post("/api/v1/reasoning/rank", json.dumps(API_BODY), content_type="application/json")
    assert ranked.status_code == 200
    assert ranked.json()["candidates"]
    assert charts() == []
    assert audit_after(start) == []


def test_preview_matches_the_core_and_names_no_client(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """The preview shows the core's top candidates for the chart and nothing of the client's record."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    text = http.post(reverse("assessments:reasoning_preview"), WEB_FORM).content.decode()
    base = load_base()
    core = analyse(base, chart_from_inputs(base, WEB_INPUTS))
    assert core.candidates
    assert core.candidates[0].name in text
    assert clinic_a.client.family_name not in text


def test_front_desk_may_preview_but_it_reads_no_client_data(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """The preview takes no client or visit and writes nothing, whoever posts it."""
    start = last_audit_id()
    response = web_as(clinic_a.users[Role.FRONT_DESK]).post(reverse("assessments:reasoning_preview"), WEB_FORM)
    assert response.status_code == 200
    assert clinic_a.client.family_name not in response.content.decode()
    assert charts() == []
    assert audit_after(start) == []


def test_anonymous_preview_is_refused(db: Any) -> None:
    """Without a login the preview redirects to the login page and ranks nothing."""
    response = HttpClient().post(reverse("assessments:reasoning_preview"), WEB_FORM)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert b"candidate" not in response.content
