"""Treatment plans: made from a visit's findings, every item says why, the contraindication check is
recorded, signing locks, an edit after signing makes version 2 with the history, other clinics get
404, front desk is refused, a bad edit changes nothing; the API and the CLI go round the same loop."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from typer.testing import CliRunner

from taut.access import services as access
from taut.access.capabilities import CapabilityDenied
from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.atlas.templatetags.words import cite
from taut.audit.models import AuditEntry
from taut.cli import app
from taut.plans import services
from taut.plans.models import TreatmentPlan
from tests.factories import ClinicWorld, make_clinic
from tests.web.routes import ROUTES
from tests.web.routes_plans import file_findings, plan_id

pytestmark = pytest.mark.django_db
P, F = Role.PRACTITIONER.value, Role.FRONT_DESK.value


def _plan(world: ClinicWorld) -> TreatmentPlan:
    with clinic_scope(world.clinic):
        return TreatmentPlan.objects.get(pk=plan_id(world, P))


def _web(world: ClinicWorld, role: str = P) -> HttpClient:
    http = HttpClient()
    http.force_login(world.users[role])
    return http


def _api(world: ClinicWorld, role: str = P) -> HttpClient:
    with clinic_scope(world.clinic):
        _, token = access.do_create_token(world.users[role], world.clinic, "plans")
    return HttpClient(headers={"Authorization": f"Bearer {token}"})


def test_plan_from_findings_has_why_and_the_check() -> None:
    """The plan treats the charted muscles, each item and exercise says why and cites sources, and
    the blood thinner from the intake made the pressure light and is recorded as checked."""
    world = make_clinic()
    record = _plan(world)
    plan = record.plan
    assert record.version == 1
    assert record.status == "draft"
    assert plan["safety"]["ran"] is True
    assert "anticoagulants" in plan["safety"]["applied"]
    assert any("Warfarin" in line for line in plan["safety"]["checked"])
    assert plan["items"], "the neck chart names muscles to treat"
    for item in plan["items"] + plan["exercises"]:
        assert item["why"]
        assert item["sources"]
    assert all(i["light_pressure"] for i in plan["items"])
    assert record.inputs["plan_inputs"]["condition"] == "whiplash"
    assert record.kb_version == plan["kb_version"]


def test_plan_page_shows_why_sources_and_banner() -> None:
    """The plan page shows each item's why, its sources, the check, and the red-flag banner."""
    world = make_clinic()
    record = _plan(world)
    response = _web(world).get(reverse("plans:plan_detail", args=[world.client.pk, record.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    first = record.plan["items"][0]
    assert f"Why: {first['why']}" in body
    assert cite(first["sources"][0]) in body  # the source as a short citation, not its id
    assert "Contraindication check" in body
    assert 'data-testid="safety-banner"' in body  # the blood thinner shows as a caution


def test_visit_page_offers_make_a_plan() -> None:
    """The visit page carries the "Make a plan" button for clinical roles, and nothing for front desk."""
    world = make_clinic()
    url = reverse("clients:visit_detail", args=[world.client.pk, world.visit.pk])
    assert "Make a plan" in _web(world).get(url).content.decode()
    assert "Make a plan" not in _web(world, F).get(url).content.decode()


def test_sign_locks_and_edit_after_sign_makes_version_2() -> None:
    """A signed plan cannot be signed again and stays as signed; an edit makes version 2, a draft,
    with the change in words; signing version 2 supersedes version 1."""
    world = make_clinic()
    record = _plan(world)
    user = world.users[Role.PRACTITIONER]
    with clinic_scope(world.clinic):
        services.do_sign_plan(record, user, P)
        with pytest.raises(ValidationError):
            services.do_sign_plan(record, user, P)
        muscle = record.plan["items"][0]["muscle"]
        v2 = services.do_edit_plan(record, {"op": "remove_muscle", "muscle": muscle}, user, P)
        record.refresh_from_db()
        assert record.status == "signed"
        assert muscle in {i["muscle"] for i in record.plan["items"]}
        assert v2.version == 2
        assert v2.status == "draft"
        assert v2.previous_id == record.pk
        assert f"muscle removed: {muscle}" in v2.changes
        with pytest.raises(ValidationError):
            services.do_edit_plan(record, {"op": "change_dose", "muscle": muscle, "dose": "x"}, user, P)
        services.do_sign_plan(v2, user, P)
        record.refresh_from_db()
        assert record.status == "superseded"
    response = _web(world).get(reverse("plans:plan_history", args=[world.client.pk, v2.pk]))
    assert f"Muscle removed: {muscle}" in response.content.decode()


@pytest.mark.parametrize(
    "edit",
    [
        {"op": "remove_muscle", "muscle": "no_such_muscle"},
        {"op": "add_muscle", "muscle": "no_such_muscle"},
        {"op": "reorder_muscles", "order": ["upper_trapezius", "upper_trapezius"]},
        {"op": "change_technique", "muscle": "FIRST", "technique": "stripping_hard"},
        {"op": "change_technique", "muscle": "FIRST", "technique": "ischemic_compression"},  # not with warfarin
        {"op": "change_technique", "muscle": "FIRST", "technique": "dry_needling_referral"},  # out of scope
        {"op": "change_dose", "muscle": "FIRST", "dose": ""},
        {"op": "add_exercise", "exercise": "no_such_exercise"},
        {"op": "remove_exercise", "exercise": "no_such_exercise"},
        {"op": "explode"},
    ],
)
def test_bad_edit_changes_nothing(edit: dict[str, Any]) -> None:
    """A bad edit is refused with a message; the plan, its versions and the audit log are unchanged."""
    world = make_clinic()
    record = _plan(world)
    edit = {k: (record.plan["items"][0]["muscle"] if v == "FIRST" else v) for k, v in edit.items()}
    with clinic_scope(world.clinic):
        before = (TreatmentPlan.objects.count(), AuditEntry.objects.count(), record.plan)
        with pytest.raises(ValidationError):
            services.do_edit_plan(record, edit, world.users[Role.PRACTITIONER], P)
        record.refresh_from_db()
        assert (TreatmentPlan.objects.count(), AuditEntry.objects.count(), record.plan) == before


def test_edits_of_a_draft() -> None:
    """Adding a muscle and an exercise, changing a dose and reordering change the draft in place."""
    world = make_clinic()
    record = _plan(world)
    user = world.users[Role.PRACTITIONER]
    with clinic_scope(world.clinic):
        first = record.plan["items"][0]["muscle"]
        services.do_edit_plan(record, {"op": "add_muscle", "muscle": "levator_scapulae"}, user, P)
        services.do_edit_plan(record, {"op": "change_dose", "muscle": first, "dose": "two rounds"}, user, P)
        order = [i["muscle"] for i in TreatmentPlan.objects.get(pk=record.pk).plan["items"]][::-1]
        services.do_edit_plan(record, {"op": "reorder_muscles", "order": order}, user, P)
        record.refresh_from_db()
        count = TreatmentPlan.objects.count()
    items = {i["muscle"]: i for i in record.plan["items"]}
    assert items["levator_scapulae"]["why"] == "added by the practitioner"
    assert items["levator_scapulae"]["light_pressure"] is True  # the blood thinner still applies
    assert items[first]["dose"] == "two rounds"
    assert [i["muscle"] for i in record.plan["items"]] == order
    assert record.version == 1
    assert count == 1


def test_other_clinic_gets_404() -> None:
    """A plan of clinic A is not found from clinic B, through the page and the API."""
    a, b = make_clinic(), make_clinic()
    record = _plan(a)
    assert _web(b).get(reverse("plans:plan_detail", args=[a.client.pk, record.pk])).status_code == 404
    assert _api(b).get(f"/api/v1/clients/{a.client.pk}/plans/{record.pk}").status_code == 404
    # the plan's id under clinic B's own client is not found either
    assert _web(b).get(reverse("plans:plan_detail", args=[b.client.pk, record.pk])).status_code == 404


def test_front_desk_is_refused() -> None:
    """Front desk may not make, read or sign a plan (403, nothing stored)."""
    world = make_clinic()
    file_findings(world)
    with clinic_scope(world.clinic), pytest.raises(CapabilityDenied):
        services.do_create_plan(world.visit, world.users[Role.FRONT_DESK], F)
    url = reverse("plans:create_plan", args=[world.client.pk, world.visit.pk])
    assert _web(world, F).post(url).status_code == 403
    assert _api(world, F).post(f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/plans").status_code == 403
    with clinic_scope(world.clinic):
        assert TreatmentPlan.objects.filter(visit=world.visit).count() == 0


def test_api_round_trip() -> None:
    """Create, read, edit, sign, edit again (version 2) and list versions through the API."""
    world = make_clinic()
    file_findings(world)
    api, base = _api(world), f"/api/v1/clients/{world.client.pk}"
    created = api.post(f"{base}/visits/{world.visit.pk}/plans")
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "draft"
    assert plan["plan"]["safety"]["ran"]
    got = api.get(f"{base}/plans/{plan['id']}").json()
    assert got["plan"] == plan["plan"]
    muscle = plan["plan"]["items"][0]["muscle"]
    edit = {"op": "change_dose", "muscle": muscle, "dose": "90 s hold"}
    edited = api.post(f"{base}/plans/{plan['id']}/edits", json.dumps(edit), content_type="application/json").json()
    assert edited["id"] == plan["id"]
    assert edited["plan"]["items"][0]["dose"] == "90 s hold"
    assert api.post(f"{base}/plans/{plan['id']}/sign").json()["status"] == "signed"
    v2 = api.post(
        f"{base}/plans/{plan['id']}/edits",
        json.dumps({"op": "remove_muscle", "muscle": muscle}),
        content_type="application/json",
    ).json()
    assert v2["version"] == 2
    assert v2["status"] == "draft"
    versions = api.get(f"{base}/plans/{v2['id']}/versions").json()
    assert [v["version"] for v in versions] == [2, 1]
    bad = api.post(f"{base}/plans/{v2['id']}/edits", json.dumps({"op": "explode"}), content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"][0] == "body"
    unknown = api.post(
        f"{base}/plans/{v2['id']}/edits",
        json.dumps({"op": "add_muscle", "muscle": "nope"}),
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["body", "muscle"]


def test_cli_json_parses_and_saves_only_with_save() -> None:
    """`taut plan VISIT_ID --json` prints a plan that parses and stores nothing; --save stores a
    draft; `taut plan show PLAN_ID` prints it back."""
    world = make_clinic()
    file_findings(world)
    runner = CliRunner()
    user = world.users[Role.PRACTITIONER].username
    result = runner.invoke(app, ["plan", str(world.visit.pk), "--json", "--user", user])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["saved"] is False
    assert out["plan"]["safety"]["ran"] is True
    assert out["plan"]["items"]
    with clinic_scope(world.clinic):
        assert TreatmentPlan.objects.count() == 0
    saved = json.loads(runner.invoke(app, ["plan", str(world.visit.pk), "--json", "--save", "--user", user]).output)
    shown = runner.invoke(app, ["plan", "show", str(saved["id"]), "--json", "--user", user])
    assert json.loads(shown.output)["plan"] == saved["plan"]
    other = make_clinic()
    refused = runner.invoke(app, ["plan", str(world.visit.pk), "--user", other.users[Role.PRACTITIONER].username])
    assert refused.exit_code == 2
    desk = runner.invoke(app, ["plan", str(world.visit.pk), "--user", world.users[Role.FRONT_DESK].username])
    assert desk.exit_code == 2


def test_every_plan_route_has_a_row() -> None:
    """The permission table holds a row for each plans page and API operation."""
    names = {r.name for r in ROUTES}
    assert {"plans:create_plan", "plans:plan_detail", "plans:edit_plan", "plans:sign_plan"} <= names
    assert {"create_plan", "get_plan", "update_plan", "sign_plan", "list_plan_versions"} <= names


def test_emergency_red_flag_gives_a_referral_instead_of_treatment() -> None:
    """An intake reporting saddle anaesthesia makes a plan that is a referral, shown first on the
    page, with no treatment items; adding a muscle to it is refused."""
    from taut.intake import services as intake
    from tests.web.routes_intake import flat_answers

    world = make_clinic()
    user = world.users[Role.PRACTITIONER]
    with clinic_scope(world.clinic):
        data = flat_answers(contact__given_name=world.client.given_name, contact__family_name=world.client.family_name)
        data["rf_saddle_anaesthesia"] = "yes"
        submission, checked = intake.do_submit_in_clinic(world.client, data, user, P)
        assert submission is not None, checked.errors()
        record = services.do_create_plan(world.visit, user, P)
        with pytest.raises(ValidationError):
            services.do_edit_plan(record, {"op": "add_muscle", "muscle": "upper_trapezius"}, user, P)
    plan = record.plan
    assert plan["referrals"][0]["instead_of_treatment"] is True
    assert plan["items"] == []
    body = _web(world).get(reverse("plans:plan_detail", args=[world.client.pk, record.pk])).content.decode()
    assert body.index('data-testid="plan-referral"') < body.index('data-testid="plan-safety"')
    assert "Refer instead of treating" in body


def test_web_edit_moves_a_muscle_to_the_top_and_signs() -> None:
    """The page's forms change one thing per post: a muscle moved to the top, then the plan signed."""
    world = make_clinic()
    record = _plan(world)
    http = _web(world)
    assert len(record.plan["items"]) >= 2
    last = record.plan["items"][-1]["muscle"]
    edit = reverse("plans:edit_plan", args=[world.client.pk, record.pk])
    assert http.post(edit, {"op": "reorder_muscles", "order": last}).status_code == 302
    assert http.post(reverse("plans:sign_plan", args=[world.client.pk, record.pk])).status_code == 302
    with clinic_scope(world.clinic):
        record.refresh_from_db()
    assert record.plan["items"][0]["muscle"] == last
    assert record.status == "signed"
    assert record.signed_by == world.users[Role.PRACTITIONER]


def test_wellness_answers_reach_the_plan() -> None:
    """The visit's wellness answers (little water) give the plan a wellness item."""
    from taut.assessments import measures

    world = make_clinic()
    file_findings(world)
    with clinic_scope(world.clinic):
        measures.do_save_wellness(
            world.visit, {"hydration.fluid_intake": "under_1_litre"}, world.users[Role.PRACTITIONER], P
        )
        record = services.do_create_plan(world.visit, world.users[Role.PRACTITIONER], P)
        record.refresh_from_db()
    assert record.inputs["plan_inputs"]["wellness"] == [["hydration.fluid_intake", "under_1_litre"]]
    assert record.plan["wellness"]
    page = _web(world).get(reverse("plans:plan_detail", args=[world.client.pk, record.pk])).content.decode()
    assert "Wellness and perpetuating factors" in page
    assert record.plan["wellness"][0]["why"] in page


def _chart_plan(world: ClinicWorld, zones: list[str]) -> TreatmentPlan:
    """A plan of a visit whose pain chart has tingling in the given zones (no intake)."""
    from taut.assessments import services as assessments

    user = world.users[Role.PRACTITIONER]
    chart = {"pain": [{"zone": z, "intensity": 5, "quality": "tingling"} for z in zones]}
    with clinic_scope(world.clinic):
        assessments.do_save_pain_chart(world.visit, chart, user, P)
        record = services.do_create_plan(world.visit, user, P)
        record.refresh_from_db()
    return record


def test_neural_suspect_above_threshold_gives_referral_and_entrapping_muscle() -> None:
    """Tingling in the thumb, index and middle fingers points to the carpal tunnel (compression in a
    fibro-osseous tunnel, score above the threshold): the plan refers beside treatment, and the
    pronator teres (a soft-tissue entrapment of the same nerve above the threshold) joins the items."""
    world = make_clinic()
    record = _chart_plan(world, ["thumb_palmar_r", "index_palmar_r", "middle_palmar_r"])
    neural = record.inputs["plan_inputs"]["neural"]
    assert neural
    assert all(n["score"] >= services.NEURAL_THRESHOLD for n in neural)
    assert not any(n["structure"] == "brachial_plexus" for n in neural)  # a large territory stays below
    reasons = [r["reason"] for r in record.plan["referrals"]]
    assert any("Carpal tunnel" in r for r in reasons), reasons
    assert not any(r["instead_of_treatment"] for r in record.plan["referrals"])
    assert "pronator_teres" in {i["muscle"] for i in record.plan["items"]}
    body = _web(world).get(reverse("plans:plan_detail", args=[world.client.pk, record.pk])).content.decode()
    assert "Refer as well" in body
    assert "the neural differential points to" in body


def test_neural_suspect_below_threshold_gives_no_referral() -> None:
    """Tingling in the palm alone fits many territories, none closely (scores below the threshold):
    no neural input, no referral, no entrapping muscle; the suspects are still shown as found."""
    world = make_clinic()
    record = _chart_plan(world, ["palm_r"])
    assert record.inputs["plan_inputs"]["neural"] == []
    assert record.plan["referrals"] == []
    assert "pronator_teres" not in {i["muscle"] for i in record.plan["items"]}
    assert record.inputs["found"]["neural"], "the differential is kept with the inputs"
    body = _web(world).get(reverse("plans:plan_detail", args=[world.client.pk, record.pk])).content.decode()
    assert 'data-testid="plan-referral"' not in body
    assert "Also found at this visit" in body
