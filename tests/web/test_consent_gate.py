"""The consent gate: clinical work needs an active consent, photos and videos a written one, and a
withdrawal stops what the consent covered at once (intake links, gait analyses), audited and kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.audit.models import AuditEntry
from taut.clients import gate
from taut.clients import services as clients
from taut.clients.models import Consent
from taut.intake import services as intake
from taut.motion import jobs
from taut.motion.models import GaitVideo
from tests.factories import ClinicWorld, give_consent, make_clinic
from tests.web import motion_media
from tests.web.routes import FAST_HASHERS, ROUTES, Route, audit_after, http_for, last_audit_id, send

pytestmark = pytest.mark.django_db

PRACTITIONER = Role.PRACTITIONER
CLINICAL_APPS = ("clients", "assessments", "motion", "notes")
# Visits are booked by the front desk before any consent; a visit route is gated by its clinical content.
GATED = [
    r
    for r in ROUTES
    if r.method != "GET"
    and (r.capability == "can_edit_clinical" or r.capability == "can_edit_visit")
    and not r.name.startswith(("intake:", "safety:"))
    and "addend" not in r.name
    and "void" not in r.name
    and "resolve" not in r.name
    and "fill" not in r.name
    and r.name != "clients:consent_verbal"  # recording a consent is what opens the gate
    and "client_id" in r.kwargs  # a practitioner's own phrases and templates belong to no client
]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


def rows() -> dict[str, int]:
    """Row counts of every clinical model, and the media files on disk."""
    with unscoped():
        counts = {
            m.__name__: m.objects.count() for label in CLINICAL_APPS for m in apps.get_app_config(label).get_models()
        }
    return counts


def values() -> dict[str, Any]:
    with unscoped():
        return {
            m.__name__: sorted(map(repr, m.objects.values()))
            for label in CLINICAL_APPS
            for m in apps.get_app_config(label).get_models()
            if m is not Consent
        }


def withdraw_all(world: ClinicWorld) -> None:
    with clinic_scope(world.clinic):
        for consent in Consent.objects.filter(client=world.client, withdrawn_at=None):
            clients.do_withdraw_consent(consent, Role.OWNER, world.users[Role.OWNER])


def test_the_gate_covers_every_clinical_write_route() -> None:
    """The table of gated routes is not empty and holds both channels and each clinical area."""
    names = {r.name for r in GATED}
    assert {"web", "api"} == {r.channel for r in GATED}
    assert len(GATED) >= 20
    for needle in ("pain", "rom", "posture", "gait", "special", "measure", "wellness", "visit"):
        assert any(needle in n for n in names), needle


@pytest.mark.parametrize("route", GATED, ids=lambda r: r.id)
def test_a_clinical_write_without_consent_is_refused_and_saves_nothing(route: Route) -> None:
    """Without an active consent each clinical write answers 409 with the reason (a page with a link to
    record consent, or the API's error shape), saves nothing and audits the refusal."""
    world = make_clinic()
    url = route.url(world, PRACTITIONER)
    body = route.body(world, PRACTITIONER)
    http = http_for(route.channel, world, PRACTITIONER)
    withdraw_all(world)
    before, before_values, last = rows(), values(), last_audit_id()
    response = send(http, route, url, body)
    assert response.status_code == 409, response.content[:400]
    if route.channel == "web":
        page = response.content.decode()
        assert "withdrew consent" in page
        assert reverse("clients:consent_create", args=[world.client.pk]) in page
    else:
        [error] = response.json()["errors"]
        assert error["type"] == "consent_required"
        assert "consent" in error["msg"]
    assert rows() == before
    assert values() == before_values
    entries = audit_after(last)
    assert [(e.action, e.outcome) for e in entries if e.object_type == "consent"] == [("access", "denied")]
    assert not [e for e in entries if e.outcome == AuditEntry.Outcome.SUCCESS and e.action != "read"]


def test_reads_of_existing_records_stay_allowed() -> None:
    world = make_clinic()
    withdraw_all(world)
    http = http_for("web", world, PRACTITIONER)
    for name in ("clients:client_detail", "clients:visit_detail"):
        kwargs = {"client_id": world.client.pk} | ({"visit_id": world.visit.pk} if "visit" in name else {})
        assert http.get(reverse(name, kwargs=kwargs)).status_code == 200
    api = http_for("api", world, PRACTITIONER)
    assert api.get(f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}").status_code == 200


def test_booking_a_visit_needs_no_consent_but_clinical_content_does() -> None:
    world = make_clinic()
    withdraw_all(world)
    api = http_for("api", world, PRACTITIONER)
    url = f"/api/v1/clients/{world.client.pk}/visits"
    who = world.users[PRACTITIONER].pk
    booked = api.post(url, {"date": "2026-12-01", "practitioner_id": who}, content_type="application/json")
    assert booked.status_code == 201, booked.content
    body = {"date": "2026-12-01", "practitioner_id": who, "notes": "tender"}
    charted = api.post(url, body, content_type="application/json")
    assert charted.status_code == 409
    assert charted.json()["errors"][0]["type"] == "consent_required"


def test_session_notes_need_consent() -> None:
    """Notes have no routes of their own yet: their services are gated (start, save, sign)."""
    from taut.notes import services as notes

    world = make_clinic()
    with clinic_scope(world.clinic):
        note = notes.do_start_note(world.visit, world.users[PRACTITIONER], PRACTITIONER)
    withdraw_all(world)
    before = rows()
    with clinic_scope(world.clinic):
        user = world.users[PRACTITIONER]
        for attempt in (
            lambda: notes.do_start_note(world.visit, user, PRACTITIONER),
            lambda: notes.do_save_draft(note, {}, user, PRACTITIONER),
            lambda: notes.do_sign_note(note, user, PRACTITIONER),
        ):
            with pytest.raises(gate.ConsentRequired):
                attempt()
    assert rows() == before


def _verbal(world: ClinicWorld) -> Consent:
    with clinic_scope(world.clinic):
        return gate.do_record_verbal_consent(
            world.client,
            world.client.full_name,
            "Agreed by telephone to an assessment and treatment of the neck.",
            world.users[PRACTITIONER],
            PRACTITIONER,
        )


def test_verbal_consent_is_refused_unless_the_clinic_allows_it() -> None:
    world = make_clinic()
    withdraw_all(world)
    with pytest.raises(ValidationError, match="does not accept verbal consent"):
        _verbal(world)
    with clinic_scope(world.clinic):
        assert not Consent.objects.filter(client=world.client, withdrawn_at=None).exists()


def test_verbal_consent_covers_clinical_work_when_the_clinic_allows_it_but_never_media() -> None:
    world = make_clinic()
    withdraw_all(world)
    world.clinic.allow_verbal_consent = True
    world.clinic.save()
    consent = _verbal(world)
    assert consent.method == Consent.Method.VERBAL
    assert consent.recorded_by == world.users[PRACTITIONER]
    assert "telephone" in consent.statement
    assert consent.signed_at is not None
    api = http_for("api", world, PRACTITIONER)
    chart = api.put(
        f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/pain-chart",
        {"pain": [{"zone": "temple_l", "intensity": 4}]},
        content_type="application/json",
    )
    assert chart.status_code == 200, chart.content
    before = rows()
    upload = api.post(
        f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/gait",
        {"view": "sagittal", "video": motion_media.video_upload()},
    )
    assert upload.status_code == 409
    assert "written consent" in upload.json()["errors"][0]["msg"]
    web = http_for("web", world, PRACTITIONER)
    photo = web.post(
        reverse("motion:posture", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk}),
        {"view": "front", "photo": motion_media.photo_upload()},
    )
    assert photo.status_code == 409
    assert rows() == before


def test_a_verbal_consent_stops_counting_when_the_clinic_turns_it_off() -> None:
    world = make_clinic()
    withdraw_all(world)
    world.clinic.allow_verbal_consent = True
    world.clinic.save()
    _verbal(world)
    with clinic_scope(world.clinic):
        assert gate.consent_problem(world.client) is None
        world.clinic.allow_verbal_consent = False
        world.clinic.save()
        world.client.refresh_from_db()
        problem = gate.consent_problem(world.client)
    assert problem is not None
    assert "verbal" in problem


def test_withdrawal_kills_an_open_intake_link() -> None:
    world = make_clinic()
    with clinic_scope(world.clinic):
        link, token = intake.do_create_link(world.client, world.users[PRACTITIONER], PRACTITIONER)
    start = reverse("intake:intake_start", kwargs={"intake_token": token})
    assert HttpClient().get(start).status_code in (200, 302)
    withdraw_all(world)
    assert HttpClient().get(start).status_code in (404, 410)
    with clinic_scope(world.clinic):
        link.refresh_from_db()
        revoked = AuditEntry.objects.filter(action="revoke", object_type="intakelink", object_id=str(link.pk))
        assert revoked.count() == 1
    assert link.revoked_at is not None
    assert link.draft == {}


def test_withdrawal_refuses_a_new_gait_analysis_and_a_queued_one_at_its_start() -> None:
    world = make_clinic()
    queued = motion_media.make_video(world, analysed=False)
    done = motion_media.make_video(world, analysed=True)
    withdraw_all(world)
    with clinic_scope(world.clinic):
        assert jobs.run_analysis(queued.pk) == "refused"
        queued.refresh_from_db()
        denied = AuditEntry.objects.filter(object_type="gaitvideo", object_id=str(queued.pk), outcome="denied")
        assert denied.count() == 1
    assert queued.status == GaitVideo.Status.FAILED
    assert "withdrew consent" in queued.error
    assert queued.report is None
    api = http_for("api", world, PRACTITIONER)
    again = api.post(
        f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/gait/{done.pk}/reanalyse",
        {"seed": None},
        content_type="application/json",
    )
    assert again.status_code == 409
    new = api.post(
        f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/gait",
        {"view": "sagittal", "video": motion_media.video_upload()},
    )
    assert new.status_code == 409
    with clinic_scope(world.clinic):
        assert GaitVideo.objects.filter(client=world.client).count() == 2


def test_a_job_runs_again_once_a_new_consent_is_given() -> None:
    """The refusal follows the consent, not the video: with a new written consent the job is not refused."""
    world = make_clinic()
    video = motion_media.make_video(world, analysed=False)
    withdraw_all(world)
    give_consent(world.client, world.users[Role.FRONT_DESK])
    with clinic_scope(world.clinic):
        assert jobs.run_analysis(video.pk) in {"done", "failed"}
        video.refresh_from_db()
    assert "consent" not in video.error


def test_withdrawal_from_the_client_page_is_kept_and_audited() -> None:
    world = make_clinic()
    owner = http_for("web", world, Role.OWNER)
    page = owner.get(reverse("clients:client_detail", args=[world.client.pk])).content.decode()
    action = reverse("clients:consent_withdraw", args=[world.client.pk, world.consent.pk])
    assert action in page
    assert "Withdraw consent" in page
    last = last_audit_id()
    response = owner.post(action)
    assert response.status_code == 302
    with clinic_scope(world.clinic):
        consent = Consent.objects.get(pk=world.consent.pk)
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == world.users[Role.OWNER]
    entries = [e for e in audit_after(last) if e.object_type == "consent" and e.action == "withdraw"]
    assert len(entries) == 1
    assert entries[0].user_id == world.users[Role.OWNER].pk
    page = owner.get(reverse("clients:client_detail", args=[world.client.pk])).content.decode()
    assert "withdrawn" in page
    assert action not in page
    twice = http_for("api", world, Role.OWNER).post(f"/api/v1/clients/{world.client.pk}/consents/{consent.pk}/withdraw")
    assert twice.status_code == 422
    with clinic_scope(world.clinic):
        assert Consent.objects.filter(pk=consent.pk).exists()


def test_withdrawal_through_the_api_records_who() -> None:
    world = make_clinic()
    api = http_for("api", world, PRACTITIONER)
    response = api.post(f"/api/v1/clients/{world.client.pk}/consents/{world.consent.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["status"] == "inactive"
    with clinic_scope(world.clinic):
        consent = Consent.objects.get(pk=world.consent.pk)
    assert consent.withdrawn_by == world.users[PRACTITIONER]
