"""The visit records when the complaint began and the areas with a skin condition or recent surgery;
the visit form checks them (the dates rules, the body map's zones) and the plan made from the visit
applies the precautions they raise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.clients.models import Visit
from taut.plans import services
from taut.plans.models import TreatmentPlan
from tests.factories import ClinicWorld, make_clinic
from tests.web.routes import ROUTES  # noqa: F401  (loads the route rows first)
from tests.web.routes_plans import file_findings

pytestmark = pytest.mark.django_db
P = Role.PRACTITIONER.value


def _web(world: ClinicWorld, role: str = P) -> HttpClient:
    http = HttpClient()
    http.force_login(world.users[role])
    return http


def _form(world: ClinicWorld, **fields: Any) -> dict[str, Any]:
    visit = world.visit
    data = {
        "practitioner": world.users[P].pk,
        "date": visit.date.isoformat(),
        "start_time": "",
        "duration_minutes": 60,
        "kind": visit.kind,
        "status": visit.status,
        "chief_complaint": "neck pain after a car accident",
        "notes": "",
        "onset_date": "",
        "skin_areas": "",
        "surgery_areas": "",
    }
    return {**data, **fields}


def _post(world: ClinicWorld, **fields: Any) -> Any:
    url = reverse("clients:visit_edit", args=[world.client.pk, world.visit.pk])
    return _web(world).post(url, _form(world, **fields))


def _visit(world: ClinicWorld) -> Visit:
    with clinic_scope(world.clinic):
        return Visit.objects.get(pk=world.visit.pk)


def _make_plan(world: ClinicWorld) -> TreatmentPlan:
    with clinic_scope(world.clinic):
        record = services.do_create_plan(_visit(world), world.users[P], P)
        record.refresh_from_db()
    return record


def test_form_saves_onset_and_areas_as_zone_ids() -> None:
    """Plain words and zone ids both become the body map's sided zone ids."""
    world = make_clinic()
    onset = world.visit.date - dt.timedelta(days=3)
    response = _post(
        world,
        onset_date=onset.isoformat(),
        skin_areas="left posterior neck",
        surgery_areas="lumbar_paraspinal_r, lumbar_paraspinal_r",
    )
    assert response.status_code == 302
    visit = _visit(world)
    assert visit.onset_date == onset
    assert visit.skin_areas == ["posterior_neck_l"]
    assert visit.surgery_areas == ["lumbar_paraspinal_r"]
    page = _web(world).get(reverse("clients:visit_edit", args=[world.client.pk, world.visit.pk])).content.decode()
    assert 'value="posterior_neck_l"' in page


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"skin_areas": "left elbowz"}, "skin_areas", "No body zone is called"),
        ({"surgery_areas": "posterior_neck_l, kneecap_q"}, "surgery_areas", "No body zone is called"),
        ({"onset_date": "2099-01-01"}, "onset_date", "cannot begin after this visit"),
        ({"onset_date": "1900-01-01"}, "onset_date", "before the client was born"),
        ({"onset_date": "2024-02-30"}, "onset_date", "Enter a valid date"),
    ],
)
def test_bad_onset_or_zone_is_refused_and_nothing_saved(fields: dict[str, str], field: str, words: str) -> None:
    world = make_clinic()
    before = _visit(world)
    response = _post(world, **fields)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert words in " ".join(errors[field])
    after = _visit(world)
    assert (after.onset_date, after.skin_areas, after.surgery_areas, after.chief_complaint) == (
        before.onset_date,
        before.skin_areas,
        before.surgery_areas,
        before.chief_complaint,
    )


def test_service_refuses_an_unknown_zone_id() -> None:
    """The rule holds outside the form: the visit service refuses a zone id the body map lacks."""
    from django.core.exceptions import ValidationError

    from taut.clients import services as clients

    world = make_clinic()
    with clinic_scope(world.clinic), pytest.raises(ValidationError) as caught:
        clients.do_update_visit(_visit(world), {"skin_areas": ["posterior_neck_l", "nowhere_x"]}, P)
    assert "nowhere_x" in str(caught.value)
    assert _visit(world).skin_areas == []


def test_front_desk_does_not_see_the_clinical_fields() -> None:
    world = make_clinic()
    page = _web(world, Role.FRONT_DESK.value).get(reverse("clients:visit_edit", args=[world.client.pk, world.visit.pk]))
    body = page.content.decode()
    assert 'name="skin_areas"' not in body
    assert 'name="onset_date"' not in body
    url = reverse("clients:visit_edit", args=[world.client.pk, world.visit.pk])
    assert 'name="skin_areas"' in _web(world).get(url).content.decode()


def test_skin_area_from_the_visit_leaves_the_neck_alone_in_the_plan() -> None:
    """A skin condition on the back of the neck (typed on the visit form) makes the plan apply the
    skin-condition precaution: the neck muscles of the chart are left alone, with the reason."""
    world = make_clinic()
    file_findings(world)  # a neck chart (whiplash) and an intake
    plain = _make_plan(world)
    neck = [i["muscle"] for i in plain.plan["items"] if i["region"] == "neck"]
    assert neck, "the neck chart names neck muscles"
    assert "skin_condition" not in plain.plan["safety"]["applied"]

    assert _post(world, skin_areas="right posterior neck").status_code == 302
    record = _make_plan(world)
    assert record.inputs["plan_inputs"]["skin_areas"] == ["posterior_neck_r"]
    assert "skin_condition" in record.plan["safety"]["applied"]
    left_alone = {a["muscle"] for a in record.plan["avoided"]}
    assert set(neck) <= left_alone
    assert not {i["muscle"] for i in record.plan["items"]} & set(neck)
    body = _web(world).get(reverse("plans:plan_detail", args=[world.client.pk, record.pk])).content.decode()
    assert 'data-testid="plan-avoided"' in body
    assert "Skin conditions: posterior_neck_r" in body


def test_onset_date_sets_the_phase_of_care() -> None:
    """Whiplash three days ago is acute (light pressure on the neck, no deep work); the same chart
    with an onset a year ago is not, and the days since onset are recorded with the inputs."""
    world = make_clinic()
    file_findings(world)
    assert _post(world, onset_date=(world.visit.date - dt.timedelta(days=3)).isoformat()).status_code == 302
    acute = _make_plan(world)
    assert acute.inputs["plan_inputs"]["days_since_onset"] == 3
    assert _post(world, onset_date=(world.visit.date - dt.timedelta(days=365)).isoformat()).status_code == 302
    chronic = _make_plan(world)
    assert chronic.inputs["plan_inputs"]["days_since_onset"] == 365
    assert "acute_whiplash" in acute.plan["safety"]["applied"]
    assert "acute_whiplash" not in chronic.plan["safety"]["applied"]


def test_surgery_area_applies_recent_surgery() -> None:
    world = make_clinic()
    file_findings(world)
    assert _post(world, surgery_areas="right posterior neck").status_code == 302
    record = _make_plan(world)
    assert "recent_surgery" in record.plan["safety"]["applied"]
    assert record.plan["avoided"]


def _api_url(world: ClinicWorld) -> str:
    return f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}"


def test_api_sets_and_reads_onset_and_areas(api_as: Any) -> None:
    """The API takes the onset date and the areas as zone ids, as the form does, and the plan uses them."""
    world = make_clinic()
    file_findings(world)
    onset = (world.visit.date - dt.timedelta(days=3)).isoformat()
    api = api_as(world, P)
    sent = {"onset_date": onset, "skin_areas": ["posterior_neck_r"], "surgery_areas": ["elbow_lateral_l"]}
    answer = api.patch(_api_url(world), sent, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert {k: answer.json()[k] for k in sent} == sent
    assert {k: api.get(_api_url(world)).json()[k] for k in sent} == sent
    record = _make_plan(world)
    assert record.inputs["plan_inputs"]["days_since_onset"] == 3
    assert {"skin_condition", "recent_surgery", "acute_whiplash"} <= set(record.plan["safety"]["applied"])
    created = api.post(
        f"/api/v1/clients/{world.client.pk}/visits",
        {"date": world.visit.date.isoformat(), "practitioner_id": world.users[P].pk, "onset_date": onset,
         "surgery_areas": ["posterior_neck_l"], "book_anyway": True},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["surgery_areas"] == ["posterior_neck_l"]
    assert created.json()["onset_date"] == onset


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"skin_areas": ["posterior_neck_r", "nowhere_x"]}, "nowhere_x"),
        ({"surgery_areas": "posterior_neck_r"}, "list"),
        ({"onset_date": "yesterday"}, "date"),
        ({"onset_date": "2999-01-01"}, "onset"),
        ({"skin_areas": None}, "null"),
    ],
)
def test_api_refuses_bad_onset_or_areas_and_changes_nothing(api_as: Any, fields: dict[str, Any], words: str) -> None:
    world = make_clinic()
    before = _visit(world)
    answer = api_as(world, P).patch(_api_url(world), fields, content_type="application/json")
    assert answer.status_code in (400, 422), answer.content
    assert words in answer.content.decode().lower()
    after = _visit(world)
    assert (after.onset_date, after.skin_areas, after.surgery_areas) == (
        before.onset_date,
        before.skin_areas,
        before.surgery_areas,
    )


def test_api_front_desk_neither_sees_nor_sets_the_areas(api_as: Any) -> None:
    world = make_clinic()
    api = api_as(world, Role.FRONT_DESK.value)
    body = api.get(_api_url(world)).json()
    assert "skin_areas" not in body
    assert "onset_date" not in body
    answer = api.patch(_api_url(world), {"skin_areas": ["posterior_neck_r"]}, content_type="application/json")
    assert answer.status_code == 422, answer.content
    assert "cannot be set" in answer.content.decode()
    assert _visit(world).skin_areas == []
