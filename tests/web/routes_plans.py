"""Permission rows for the plans app's routes (see tests/web/routes.py).

The builder files, for the world's visit, an intake that reports a blood thinner and a pain chart
on the neck (whiplash), through their own services, then makes a plan of the visit: `plan_id` is
that plan (a draft; the sign rows sign it, the edit rows change its dose).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.assessments import services as assessments
from taut.intake import services as intake
from taut.plans import services
from taut.plans.models import TreatmentPlan
from tests.factories import ClinicWorld
from tests.web.routes import Route
from tests.web.routes_intake import flat_answers

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
CLINICAL_REDIRECT = {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403}
CLINICAL_ONLY = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 403}
CHART = {"pain": [{"zone": "posterior_neck_r", "intensity": 6}, {"zone": "occiput_r", "intensity": 5}],
         "condition": "whiplash"}  # fmt: skip


def file_findings(world: ClinicWorld) -> None:
    """The world's visit gets an intake (blood thinner: warfarin) and a pain chart of the neck."""
    if "findings" in world.extra:
        return
    with clinic_scope(world.clinic):
        client, user = world.client, world.users[PRACTITIONER]
        data = flat_answers(
            contact__given_name=client.given_name,
            contact__family_name=client.family_name,
            health__medications="Warfarin 5 mg",
        )
        data["ci_anticoagulants"] = "yes"
        submission, checked = intake.do_submit_in_clinic(client, data, user, PRACTITIONER)
        assert submission is not None, checked.errors()
        assessments.do_save_pain_chart(world.visit, dict(CHART), user, PRACTITIONER)
    world.extra["findings"] = True


def plan_id(world: ClinicWorld, role: str) -> int:
    if "plan" not in world.extra:
        file_findings(world)
        with clinic_scope(world.clinic):
            world.extra["plan"] = services.do_create_plan(world.visit, world.users[PRACTITIONER], PRACTITIONER)
    return int(world.extra["plan"].pk)


def signed_plan_id(world: ClinicWorld, role: str) -> int:
    """A signed plan of a second visit of the world's client (the plan_id rows keep their draft)."""
    if "signed_plan" not in world.extra:
        file_findings(world)
        from taut.clients import services as clients

        with clinic_scope(world.clinic):
            user = world.users[PRACTITIONER]
            visit = clients.do_create_visit(world.client, {"date": world.visit.date}, user.pk, PRACTITIONER)
            assessments.do_save_pain_chart(visit, dict(CHART), user, PRACTITIONER)
            record = services.do_create_plan(visit, user, PRACTITIONER)
            world.extra["signed_plan"] = services.do_sign_plan(record, user, PRACTITIONER)
    return int(world.extra["signed_plan"].pk)


OBJECT_IDS: dict[str, Callable[[ClinicWorld, str], Any]] = {"plan_id": plan_id, "signed_plan_id": signed_plan_id}


def edit_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    with clinic_scope(world.clinic):
        record = TreatmentPlan.objects.get(pk=plan_id(world, role))
    muscle = services.plan_of(record).items[0].muscle
    return {"op": "change_dose", "muscle": muscle, "dose": f"3 rounds of 60 s ({role})"}


CV, CP = ("client_id", "visit_id"), ("client_id", "plan_id")
CS = ("client_id", "signed_plan_id")

WEB_ROUTES: tuple[Route, ...] = (
    Route(
        "plans:create_plan",
        "web",
        "POST",
        CV,
        "can_edit_plan",
        CLINICAL_REDIRECT,
        audit=("create", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "plans:client_plans",
        "web",
        "GET",
        ("client_id",),
        "can_view_plan",
        CLINICAL_ONLY,
        audit=("list", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "plans:plan_detail",
        "web",
        "GET",
        CP,
        "can_view_plan",
        CLINICAL_ONLY,
        audit=("read", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "plans:edit_plan",
        "web",
        "POST",
        CP,
        "can_edit_plan",
        CLINICAL_REDIRECT,
        edit_payload,
        audit=("update", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "plans:sign_plan",
        "web",
        "POST",
        CP,
        "can_sign_plan",
        CLINICAL_REDIRECT,
        audit=("update", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "plans:plan_history",
        "web",
        "GET",
        CP,
        "can_view_plan",
        CLINICAL_ONLY,
        audit=("list", "treatmentplan"),
        client_data=True,
    ),
    # the signed plan's exercises become the client's home programme (made the first time, then updated)
    Route(
        "homecare:programme_from_plan",
        "web",
        "POST",
        CS,
        "can_edit_clinical",
        CLINICAL_REDIRECT,
        audit=("create", "homeprogramme"),
        client_data=True,
    ),
)
API_ROUTES: tuple[Route, ...] = (
    Route(
        "create_plan",
        "api",
        "POST",
        CV,
        "can_edit_plan",
        {OWNER: 201, PRACTITIONER: 201, FRONT_DESK: 403},
        None,
        "/clients/{client_id}/visits/{visit_id}/plans",
        ("create", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "list_plans",
        "api",
        "GET",
        ("client_id",),
        "can_view_plan",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/plans",
        audit=("list", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "get_plan",
        "api",
        "GET",
        CP,
        "can_view_plan",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/plans/{plan_id}",
        audit=("read", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "update_plan",
        "api",
        "POST",
        CP,
        "can_edit_plan",
        CLINICAL_ONLY,
        edit_payload,
        "/clients/{client_id}/plans/{plan_id}/edits",
        ("update", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "sign_plan",
        "api",
        "POST",
        CP,
        "can_sign_plan",
        CLINICAL_ONLY,
        None,
        "/clients/{client_id}/plans/{plan_id}/sign",
        ("update", "treatmentplan"),
        client_data=True,
    ),
    Route(
        "list_plan_versions",
        "api",
        "GET",
        CP,
        "can_view_plan",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/plans/{plan_id}/versions",
        audit=("list", "treatmentplan"),
        client_data=True,
    ),
)
