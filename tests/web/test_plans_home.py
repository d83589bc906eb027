"""A signed plan's home exercises become the client's home programme in one step: the doses carry
over, the same checks as the client page apply (dose ranges, exercises ruled out by the client's
precautions, refused with the reason), a draft is refused, and a second start updates the programme."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.audit.models import AuditEntry
from taut.core.planning.dose import dose_numbers
from taut.homecare.models import HomeProgramme
from taut.plans import services
from taut.plans.models import TreatmentPlan
from tests.factories import ClinicWorld, make_clinic
from tests.web.routes import ROUTES  # noqa: F401  (loads the route rows first)
from tests.web.routes_intake import flat_answers
from tests.web.routes_plans import file_findings, plan_id

pytestmark = pytest.mark.django_db
P = Role.PRACTITIONER.value


def _web(world: ClinicWorld, role: str = P) -> HttpClient:
    http = HttpClient()
    http.force_login(world.users[role])
    return http


def _plan(world: ClinicWorld) -> TreatmentPlan:
    with clinic_scope(world.clinic):
        return TreatmentPlan.objects.get(pk=plan_id(world, P))


def _sign(world: ClinicWorld, record: TreatmentPlan) -> TreatmentPlan:
    with clinic_scope(world.clinic):
        return services.do_sign_plan(record, world.users[P], P)


def _start(world: ClinicWorld, record: TreatmentPlan, role: str = P) -> Any:
    url = reverse("homecare:programme_from_plan", args=[world.client.pk, record.pk])
    return _web(world, role).post(url, follow=True)


def _programmes(world: ClinicWorld) -> list[HomeProgramme]:
    with clinic_scope(world.clinic):
        return list(HomeProgramme.objects.filter(client=world.client))


def test_dose_words_give_the_numbers() -> None:
    assert dose_numbers("3 x 10, hold 30 s each side, twice a day") == {
        "sets": 3,
        "reps": 10,
        "hold_seconds": 30,
        "per_day": 2,
    }
    assert dose_numbers("2 x 8, every other day") == {"sets": 2, "reps": 8, "per_week": 3}
    assert dose_numbers("as advised") == {}


def test_signed_plan_starts_the_programme_with_its_doses() -> None:
    world = make_clinic()
    record = _sign(world, _plan(world))
    assert record.plan["exercises"], "the whiplash plan has home exercises"
    page = _web(world).get(reverse("plans:plan_detail", args=[world.client.pk, record.pk])).content.decode()
    assert "Start home programme from this plan" in page
    response = _start(world, record)
    assert response.status_code == 200
    assert "The home programme was started from plan version 1." in response.content.decode()
    [programme] = _programmes(world)
    assert programme.plan_id == record.pk
    assert [i["exercise"] for i in programme.items] == [e["exercise"] for e in record.plan["exercises"]]
    for item, planned in zip(programme.items, record.plan["exercises"], strict=True):
        for field, value in dose_numbers(planned["dose"]).items():
            assert item[field] == value, (field, planned["dose"])
        assert item["note"] == f"Plan dose: {planned['dose']}"
    with clinic_scope(world.clinic):
        entry = AuditEntry.objects.filter(object_type="homeprogramme", action="create").latest("id")
    assert entry.detail["plan_id"] == record.pk


def test_a_changed_plan_updates_the_same_programme() -> None:
    """Version 2 (a dose changed, an exercise removed, signed) updates the client's programme."""
    world = make_clinic()
    record = _sign(world, _plan(world))
    _start(world, record)
    exercises = record.plan["exercises"]
    assert len(exercises) >= 2
    first, gone = exercises[0]["exercise"], exercises[-1]["exercise"]
    user = world.users[P]
    with clinic_scope(world.clinic):
        v2 = services.do_edit_plan(record, {"op": "remove_exercise", "exercise": gone}, user, P)
        dose = services.plan_of(v2).exercises[0].dose
        reps = dose_numbers(dose)["reps"]
        edit = {"op": "change_exercise_dose", "exercise": first, "dose": f"1 x {reps}, daily"}
        v2 = services.do_edit_plan(v2, edit, user, P)
        v2 = services.do_sign_plan(v2, user, P)
    body = _start(world, v2).content.decode()
    assert "brought up to date from plan version 2" in body
    [programme] = _programmes(world)
    assert programme.plan_id == v2.pk
    ids = [i["exercise"] for i in programme.items]
    assert gone not in ids
    assert programme.items[0]["sets"] == 1
    assert programme.items[0]["per_day"] == 1


def test_a_draft_is_refused_and_nothing_made() -> None:
    world = make_clinic()
    record = _plan(world)
    body = _start(world, record).content.decode()
    assert "Sign the plan first" in body
    assert _programmes(world) == []
    page = _web(world).get(reverse("plans:plan_detail", args=[world.client.pk, record.pk])).content.decode()
    assert "Start home programme from this plan" not in page


def test_an_exercise_ruled_out_since_signing_is_refused_with_the_reason() -> None:
    """The plan holds a ball release of the suboccipitals; the client then reports a skin condition
    at intake: starting the programme is refused, naming the exercise and the precaution."""
    from taut.intake import services as intake

    world = make_clinic()
    record = _plan(world)
    user = world.users[P]
    with clinic_scope(world.clinic):
        record = services.do_edit_plan(record, {"op": "add_exercise", "exercise": "suboccipital_release_ball"}, user, P)
        record = services.do_sign_plan(record, user, P)
        data = flat_answers(
            contact__given_name=world.client.given_name,
            contact__family_name=world.client.family_name,
            health__medications="Warfarin 5 mg",
        )
        data["ci_anticoagulants"] = "yes"
        data["ci_skin_condition"] = "yes"
        submission, checked = intake.do_submit_in_clinic(world.client, data, user, P)
        assert submission is not None, checked.errors()
    body = _start(world, record).content.decode()
    assert "The home programme was not changed" in body
    assert "is ruled out for this client" in body
    assert _programmes(world) == []


def test_a_dose_outside_the_range_is_refused() -> None:
    """A stored plan whose dose is outside the exercise's range now (the range was narrowed in a
    later knowledge base) is refused by the programme's dose check."""
    world = make_clinic()
    record = _sign(world, _plan(world))
    with clinic_scope(world.clinic):
        plan = dict(record.plan)
        plan["exercises"] = [{**plan["exercises"][0], "dose": "99 x 999, daily"}]
        TreatmentPlan.objects.filter(pk=record.pk).update(plan=plan)
    body = _start(world, record).content.decode()
    assert "is outside its range" in body
    assert _programmes(world) == []


def test_front_desk_and_other_clinics_cannot_start_it() -> None:
    world, other = make_clinic(), make_clinic()
    file_findings(world)
    record = _sign(world, _plan(world))
    url = reverse("homecare:programme_from_plan", args=[world.client.pk, record.pk])
    assert _web(world, Role.FRONT_DESK.value).post(url).status_code == 403
    assert _web(other).post(url).status_code == 404
    assert _programmes(world) == []
