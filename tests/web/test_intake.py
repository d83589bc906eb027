"""The client intake: private links, the steps a client fills on a phone, the submission filed
through the existing services, and what the practitioner then sees."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.assessments import services as assessments
from taut.assessments.models import PainChart, WellnessAnswers
from taut.audit.models import AuditEntry
from taut.clients.models import Client, Consent, Visit
from taut.intake import services as intake
from taut.intake.forms import STEPS
from taut.intake.models import IntakeLink, IntakeSubmission
from tests.factories import CLINICAL_MARKER, ClinicWorld, make_client
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id
from tests.web.routes_intake import step_answers

pytestmark = pytest.mark.django_db

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
XSS = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def new_link(world: ClinicWorld, role: str = PRACTITIONER, **kwargs: Any) -> tuple[IntakeLink, str]:
    with clinic_scope(world.clinic):
        return intake.do_create_link(world.client, world.users[role], role, **kwargs)


def step_url(token: str, step: str) -> str:
    return reverse("intake:intake_step", kwargs={"intake_token": token, "step": step})


def review_url(token: str) -> str:
    return reverse("intake:intake_review", kwargs={"intake_token": token})


def fill_all(http: HttpClient, token: str, answers: dict[str, dict[str, str]]) -> None:
    for step in STEPS:
        response = http.post(step_url(token, step.slug), answers[step.slug])
        assert response.status_code == 302, (step.slug, response.content.decode()[:2000])


def counts() -> dict[str, int]:
    with unscoped():
        return {
            m.__name__: m.objects.count()
            for m in (Client, Consent, Visit, PainChart, WellnessAnswers, IntakeSubmission, IntakeLink)
        }


def red_flag_answers() -> dict[str, dict[str, str]]:
    return step_answers(
        screen__rf_night_pain_unrelieved="yes",
        screen__ci_anticoagulants="yes",
        screen__ci_anticoagulants_detail="warfarin",
        screen__ci_blood_clot="yes",
    )


# Links ---------------------------------------------------------------------------------------------


def test_token_is_stored_only_as_its_hash(clinic_a: ClinicWorld, web_as: Any) -> None:
    """Creating a link from the client's page shows the full address once; the database and the
    audit log hold only the token's SHA-256, never the token."""
    http = web_as(clinic_a.users[PRACTITIONER])
    with clinic_scope(clinic_a.clinic):
        member = intake.clinical_members().get(user=clinic_a.users[PRACTITIONER])
    response = http.post(
        reverse("intake:intake_links", args=[clinic_a.client.pk]), {"days": "5", "practitioner": member.pk}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    marker = "/intake/"
    start = body.index(marker) + len(marker)
    token = body[start : body.index("/", start)]
    assert len(token) >= 40
    with unscoped():
        link = IntakeLink.objects.get(client=clinic_a.client)
        stored = list(IntakeLink.objects.filter(pk=link.pk).values().get().values())
        audit_text = " ".join(f"{e.object_repr} {e.detail}" for e in AuditEntry.objects.all())
    assert link.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(v) for v in stored)
    assert token not in audit_text
    assert link.practitioner == clinic_a.users[PRACTITIONER]
    assert dt.timedelta(days=4, hours=23) < link.expires_at - timezone.now() <= dt.timedelta(days=5)
    again = http.get(reverse("intake:intake_links", args=[clinic_a.client.pk])).content.decode()
    assert token not in again  # shown once


def test_a_new_link_revokes_the_open_one(clinic_a: ClinicWorld) -> None:
    """One usable link per client: creating another revokes the first, whose token then fails."""
    first, token = new_link(clinic_a)
    second, _ = new_link(clinic_a)
    first.refresh_from_db()
    assert first.status == "revoked"
    assert second.status == "pending"
    assert HttpClient().get(step_url(token, "contact")).status_code == 404


@pytest.mark.parametrize("days", [0, 31, -1])
def test_expiry_out_of_range_is_refused(clinic_a: ClinicWorld, web_as: Any, days: int) -> None:
    """A validity outside 1-30 days is refused with a message on the form; no link is made."""
    http = web_as(clinic_a.users[OWNER])
    before = counts()
    with clinic_scope(clinic_a.clinic):
        member = intake.clinical_members().first()
    assert member is not None
    response = http.post(
        reverse("intake:intake_links", args=[clinic_a.client.pk]), {"days": str(days), "practitioner": member.pk}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert counts() == before


# The public pages ----------------------------------------------------------------------------------


def _unusable(kind: str, world: ClinicWorld) -> str:
    link, token = new_link(world)
    with unscoped():
        if kind == "expired":
            IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        elif kind == "revoked":
            IntakeLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
        elif kind == "used":
            IntakeLink.objects.filter(pk=link.pk).update(submitted_at=timezone.now())
    return {"wrong": token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "short": "short-zq"}.get(kind, token)


@pytest.mark.parametrize("kind", ["expired", "revoked", "used", "wrong", "short"])
def test_unusable_tokens_get_the_same_404_and_change_nothing(kind: str, clinic_a: ClinicWorld) -> None:
    """Expired, revoked, used, wrong and malformed tokens all get the same 404 page on every public
    URL (no hint which), with no-store and no-referrer; nothing is saved and one denial is audited
    for each request, without the token."""
    token = _unusable(kind, clinic_a)
    _, good = new_link(make_world_other_client(clinic_a))
    reference = HttpClient().get(step_url("not-a-token-at-all", "contact"))
    http = HttpClient()
    before = counts()
    with unscoped():
        drafts = list(IntakeLink.objects.values_list("pk", "draft", "submitted_at", "revoked_at"))
    for method, url, data in [
        ("get", reverse("intake:intake_start", kwargs={"intake_token": token}), None),
        ("get", step_url(token, "contact"), None),
        ("post", step_url(token, "contact"), step_answers()["contact"]),
        ("get", review_url(token), None),
        ("post", review_url(token), {}),
    ]:
        last = last_audit_id()
        response = getattr(http, method)(url, data) if data is not None else getattr(http, method)(url)
        assert response.status_code == 404
        assert response.content == reference.content
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"
        entries = audit_after(last)
        assert [(e.action, e.outcome, e.object_type, e.user_id) for e in entries] == [
            ("access", "denied", "intakelink", None)
        ]
        assert token not in f"{entries[0].object_id} {entries[0].detail} {entries[0].object_repr}"
    assert counts() == before
    with unscoped():
        assert list(IntakeLink.objects.values_list("pk", "draft", "submitted_at", "revoked_at")) == drafts
    assert good  # a usable link of the same clinic stays usable
    assert HttpClient().get(step_url(good, "contact")).status_code == 200


def make_world_other_client(world: ClinicWorld) -> ClinicWorld:
    """The same clinic with another client as the world's client."""
    from dataclasses import replace

    return replace(world, client=make_client(world.clinic), extra={})


def test_public_pages_are_private(clinic_a: ClinicWorld) -> None:
    """Every page of a usable link is served with no-store, no-referrer and noindex."""
    _, token = new_link(clinic_a)
    http = HttpClient()
    for url in [reverse("intake:intake_start", kwargs={"intake_token": token}), review_url(token)] + [
        step_url(token, s.slug) for s in STEPS
    ]:
        response = http.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response["X-Robots-Tag"]


def test_failed_tokens_from_one_address_are_throttled(clinic_a: ClinicWorld, settings: Any) -> None:
    """After the limit of failed tokens from one address, even a valid token gets 429 there,
    while another address still opens it."""
    settings.TAUT_INTAKE_FAILED_LIMIT = 3
    _, token = new_link(clinic_a)
    http = HttpClient(REMOTE_ADDR="10.0.0.7")
    for n in range(3):
        assert http.get(step_url(f"guess-{n}", "contact")).status_code == 404
    assert http.get(step_url(token, "contact")).status_code == 429
    assert HttpClient(REMOTE_ADDR="10.0.0.8").get(step_url(token, "contact")).status_code == 200


def test_requests_per_link_are_capped(clinic_a: ClinicWorld, settings: Any) -> None:
    """More requests on one link in a minute than the cap get 429; nothing is saved by them."""
    settings.TAUT_INTAKE_PER_MINUTE = 3
    link, token = new_link(clinic_a)
    http = HttpClient()
    for _ in range(3):
        assert http.get(step_url(token, "contact")).status_code == 200
    response = http.post(step_url(token, "contact"), step_answers()["contact"])
    assert response.status_code == 429
    link.refresh_from_db()
    assert link.draft == {}


def test_each_step_save_and_open_writes_one_entry_naming_the_link(clinic_a: ClinicWorld) -> None:
    """Opening a step, saving it, and a rejected save each write exactly one entry: no user (the
    client acts), the link's clinic, channel "intake", the link's id, never the token."""
    link, token = new_link(clinic_a)
    http = HttpClient()
    cases = [
        ("get", None, ("open", "success")),
        ("post", step_answers()["contact"], ("update", "success")),
        ("post", {**step_answers()["contact"], "date_of_birth": "1984-02-30"}, ("update", "failure")),
    ]
    for method, data, expected in cases:
        last = last_audit_id()
        response = (
            http.get(step_url(token, "contact")) if method == "get" else http.post(step_url(token, "contact"), data)
        )
        assert response.status_code in (200, 302)
        entries = audit_after(last)
        assert len(entries) == 1, [str(e) for e in entries]
        entry = entries[0]
        assert (entry.action, entry.outcome) == expected
        assert (entry.object_type, entry.object_id) == ("intakelink", str(link.pk))
        assert entry.user_id is None
        assert entry.username == ""
        assert entry.clinic_id == clinic_a.clinic.pk
        assert entry.channel == "intake"
        assert entry.detail["via"] == f"intake link #{link.pk}"
        assert entry.request_id == response["X-Request-ID"]
        assert token not in str(entry.detail)


def test_draft_survives_a_reload(clinic_a: ClinicWorld) -> None:
    """A saved step is shown again with its answers when the page is opened later in the same
    browser (another browser is refused: test_intake_binding.py)."""
    _, token = new_link(clinic_a)
    phone = HttpClient()
    phone.post(step_url(token, "health"), step_answers(health__reason="Stiff neck every morning")["health"])
    page = phone.get(step_url(token, "health")).content.decode()
    assert "Stiff neck every morning" in page


def test_invalid_step_shows_errors_and_keeps_the_old_draft(clinic_a: ClinicWorld) -> None:
    """An invalid step post is shown again with the field's error; the draft keeps its last valid answers."""
    link, token = new_link(clinic_a)
    http = HttpClient()
    http.post(step_url(token, "contact"), step_answers()["contact"])
    link.refresh_from_db()
    saved = dict(link.draft)
    response = http.post(step_url(token, "contact"), {**step_answers()["contact"], "given_name": ""})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    link.refresh_from_db()
    assert link.draft == saved


def test_half_filled_submit_shows_what_is_missing_and_saves_nothing(clinic_a: ClinicWorld) -> None:
    """Submitting with steps missing lists them and their field errors; row counts are unchanged."""
    link, token = new_link(clinic_a)
    http = HttpClient()
    answers = step_answers()
    for slug in ("contact", "health", "pain"):
        http.post(step_url(token, slug), answers[slug])
    before = counts()
    last = last_audit_id()
    response = http.post(review_url(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Safety questions" in body
    assert "Consent" in body
    assert "Answer yes or no." in body
    assert counts() == before
    link.refresh_from_db()
    assert link.submitted_at is None
    entries = audit_after(last)
    assert [(e.action, e.outcome) for e in entries] == [("submit", "failure")]
    assert (
        entries[0].detail["incomplete"] == ["screen", "wellness", "consent"]
        or "screen" in entries[0].detail["incomplete"]
    )


def test_screen_needs_the_trimester_when_pregnant(clinic_a: ClinicWorld) -> None:
    """Answering yes to pregnancy without the trimester is refused with a message naming it."""
    link, token = new_link(clinic_a)
    response = HttpClient().post(step_url(token, "screen"), step_answers(screen__ci_pregnancy="yes")["screen"])
    assert response.status_code == 200
    assert "Which trimester? Choose one." in response.content.decode()
    link.refresh_from_db()
    assert "screen" not in link.draft


def test_pain_step_needs_a_mark_or_no_pain(clinic_a: ClinicWorld) -> None:
    """An empty chart is refused unless "no pain" is ticked; an unknown area names the problem."""
    _, token = new_link(clinic_a)
    http = HttpClient()
    assert "Tap where it hurts" in http.post(step_url(token, "pain"), {"pain": ""}).content.decode()
    assert http.post(step_url(token, "pain"), {"pain": "", "no_pain": "on"}).status_code == 302
    response = http.post(step_url(token, "pain"), {"pain": "left elbowz-nowhere:5"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


# Submitting -------------------------------------------------------------------------------------------


def test_full_intake_through_the_link_is_filed_with_a_visit(clinic_a: ClinicWorld) -> None:
    """A complete intake updates the client, records an online consent of the current text version,
    files a new intake visit with the pain chart (carrying the red flags) and the wellness answers,
    and makes the link unusable."""
    link, token = new_link(clinic_a)
    http = HttpClient()
    answers = red_flag_answers()
    fill_all(http, token, answers)
    last = last_audit_id()
    response = http.post(review_url(token))
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    with clinic_scope(clinic_a.clinic):
        submission = IntakeSubmission.objects.get(client=clinic_a.client)
        client = Client.objects.get(pk=clinic_a.client.pk)
        visit = submission.visit
        chart = PainChart.objects.get(visit=visit)
        consent = submission.consent
        assert WellnessAnswers.objects.get(visit=visit).answers == answers["wellness"]
    assert client.given_name == "Ida"
    assert client.phone == "+1 555 0142"
    assert f"{CLINICAL_MARKER} history" in client.health_history  # the earlier history is kept
    assert f"{CLINICAL_MARKER} intake history" in client.health_history
    assert consent is not None
    assert consent.method == Consent.Method.SIGNED_ONLINE
    assert consent.signed_by == "Ida Intake"
    assert consent.text_version == answers["consent"]["consent_version"]
    assert consent.recorded_by == link.practitioner
    assert visit == clinic_a.visit  # the client's planned visit of today, with nothing filed yet, is reused
    assert visit.chief_complaint == f"{CLINICAL_MARKER} complaint"  # its own complaint is kept
    assert chart.inputs["red_flags"] == ["night_pain_unrelieved"]
    assert chart.red_flag_count == 1
    assert [c["id"] for c in submission.contraindications] == ["blood_clot", "anticoagulants"]
    assert submission.contraindications[1]["detail"] == "warfarin"
    assert submission.refer
    link.refresh_from_db()
    assert link.status == "submitted"
    assert link.draft == {}
    entries = audit_after(last)
    assert {(e.action, e.object_type) for e in entries} == {
        ("update", "client"),
        ("create", "consent"),
        ("create", "painchart"),
        ("create", "wellnessanswers"),
        ("submit", "intakesubmission"),
    }
    assert len(entries) == 5  # the reused visit had a complaint already: no visit entry
    assert all(e.user_id is None and e.channel == "intake" and e.clinic_id == clinic_a.clinic.pk for e in entries)
    assert [e.detail.get("via") for e in entries if e.action == "submit"] == [f"intake link #{link.pk}"]
    assert HttpClient().get(step_url(token, "contact")).status_code == 404


def test_red_flag_reaches_the_visits_reasoning_and_the_practitioner(clinic_a: ClinicWorld, web_as: Any) -> None:
    """The visit's reasoning (recomputed from the stored chart by the analysis code) says stop and
    refer with the intake's red flag; the client page, the intake page and the dashboard show it."""
    _, token = new_link(clinic_a)
    http = HttpClient()
    fill_all(http, token, red_flag_answers())
    assert http.post(review_url(token)).status_code == 200
    with clinic_scope(clinic_a.clinic):
        submission = IntakeSubmission.objects.get(client=clinic_a.client)
        chart = PainChart.objects.get(visit=submission.visit)
        result = assessments.compute(chart.inputs, submission.visit)
    assert result.stop
    assert [h.id for h in result.red_flags] == ["night_pain_unrelieved"]
    assert chart.analysis["stop"] is True
    practitioner = web_as(clinic_a.users[PRACTITIONER])
    name = "Night pain not eased by rest or position"
    client_page = practitioner.get(reverse("clients:client_detail", args=[clinic_a.client.pk])).content.decode()
    assert "intake received" in client_page
    assert name in client_page
    assert "Stop and refer" in client_page
    detail = practitioner.get(
        reverse("intake:intake_detail", args=[clinic_a.client.pk, submission.pk])
    ).content.decode()
    assert name in detail
    assert "warfarin" in detail
    dashboard = practitioner.get(reverse("clients:dashboard")).content.decode()
    assert "Intakes received" in dashboard
    assert name in dashboard
    chart_page = practitioner.get(
        reverse("assessments:pain_chart", args=[clinic_a.client.pk, submission.visit_id])
    ).content
    ticked = re.search(rb'<input[^>]*value="night_pain_unrelieved"[^>]*>', chart_page)
    assert ticked is not None
    assert b"checked" in ticked.group(0)  # the chart's red-flag box is ticked
    desk = (
        web_as(clinic_a.users[FRONT_DESK])
        .get(reverse("clients:client_detail", args=[clinic_a.client.pk]))
        .content.decode()
    )
    assert name not in desk
    assert "warfarin" not in desk


def test_marking_reviewed_clears_the_banner(clinic_a: ClinicWorld, web_as: Any) -> None:
    """Once a practitioner marks the intake reviewed, the dashboard no longer lists it."""
    _, token = new_link(clinic_a)
    http = HttpClient()
    fill_all(http, token, red_flag_answers())
    http.post(review_url(token))
    with clinic_scope(clinic_a.clinic):
        submission = IntakeSubmission.objects.get(client=clinic_a.client)
    practitioner = web_as(clinic_a.users[PRACTITIONER])
    url = reverse("intake:intake_reviewed", args=[clinic_a.client.pk, submission.pk])
    assert practitioner.post(url).status_code == 302
    assert "Intakes received" not in practitioner.get(reverse("clients:dashboard")).content.decode()
    submission.refresh_from_db()
    assert submission.reviewed_by == clinic_a.users[PRACTITIONER]


def test_in_clinic_intake_uses_the_same_service(clinic_a: ClinicWorld, web_as: Any) -> None:
    """The practitioner fills the same intake on one page; it is filed the same way, with an
    in-clinic consent and the practitioner as recorder; a second intake is version 2."""
    from tests.web.routes_intake import flat_answers

    http = web_as(clinic_a.users[PRACTITIONER])
    url = reverse("intake:intake_fill", args=[clinic_a.client.pk])
    assert http.get(url).status_code == 200
    response = http.post(url, flat_answers())
    assert response.status_code == 302
    response = http.post(url, flat_answers(health__reason="Follow-up questions"))
    assert response.status_code == 302
    with clinic_scope(clinic_a.clinic):
        subs = list(IntakeSubmission.objects.filter(client=clinic_a.client).order_by("version"))
    assert [s.version for s in subs] == [1, 2]
    assert subs[0].visit == clinic_a.visit  # the planned visit is used first
    assert subs[1].visit != subs[0].visit  # it has a chart now: the next intake gets a new visit
    assert subs[1].visit.kind == Visit.Kind.INITIAL
    assert subs[1].visit.chief_complaint == "Follow-up questions"
    assert all(s.channel == "in_clinic" and s.recorded_by == clinic_a.users[PRACTITIONER] for s in subs)
    assert subs[0].consent is not None
    assert subs[0].consent.method == Consent.Method.SIGNED_IN_CLINIC


def test_in_clinic_half_filled_changes_nothing(clinic_a: ClinicWorld, web_as: Any) -> None:
    """A half-filled in-clinic intake is shown again with field errors; row counts are unchanged."""
    from tests.web.routes_intake import flat_answers

    data = {k: v for k, v in flat_answers().items() if not k.startswith("rf_")}
    http = web_as(clinic_a.users[PRACTITIONER])
    before = counts()
    response = http.post(reverse("intake:intake_fill", args=[clinic_a.client.pk]), data)
    assert response.status_code == 200
    assert "Answer yes or no." in response.content.decode()
    assert counts() == before


def test_submit_is_atomic_when_a_service_refuses(clinic_a: ClinicWorld) -> None:
    """If filing fails part-way (the link's practitioner lost their role), nothing at all is saved."""
    link, token = new_link(clinic_a)
    http = HttpClient()
    fill_all(http, token, red_flag_answers())
    with unscoped():
        from taut.access.models import Membership

        Membership.objects.filter(user=link.practitioner, clinic=clinic_a.clinic).update(role=Role.FRONT_DESK)
    before = counts()
    response = http.post(review_url(token))
    assert response.status_code == 200
    assert "no longer works here" in response.content.decode()
    assert counts() == before
    link.refresh_from_db()
    assert link.submitted_at is None
    assert "consent" in link.draft


# Clinics and escaping ----------------------------------------------------------------------------------


def test_another_clinics_staff_cannot_open_list_or_revoke_a_link(
    clinic_a: ClinicWorld, clinic_b: ClinicWorld, web_as: Any, api_as: Any
) -> None:
    """Staff of clinic B get 404 for clinic A's link (public page, revoke by web and API, and a link
    id put under one of their own clients); the link stays usable."""
    link, token = new_link(clinic_a)
    other = web_as(clinic_b.users[OWNER])
    assert other.get(step_url(token, "contact")).status_code == 404
    assert other.post(reverse("intake:intake_revoke", args=[clinic_a.client.pk, link.pk])).status_code == 404
    assert other.post(reverse("intake:intake_revoke", args=[clinic_b.client.pk, link.pk])).status_code == 404
    api = api_as(clinic_b, OWNER)
    assert api.post(f"/api/v1/clients/{clinic_b.client.pk}/intake-links/{link.pk}/revoke").status_code == 404
    assert str(link.pk) not in api.get(f"/api/v1/clients/{clinic_b.client.pk}/intake-links").content.decode()
    link.refresh_from_db()
    assert link.usable


def test_link_id_under_another_client_of_the_same_clinic_is_404(clinic_a: ClinicWorld, web_as: Any) -> None:
    """A link id put under another client of the same clinic is not found; the link is not revoked."""
    link, _ = new_link(clinic_a)
    other = make_client(clinic_a.clinic)
    response = web_as(clinic_a.users[OWNER]).post(reverse("intake:intake_revoke", args=[other.pk, link.pk]))
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.usable


def test_payloads_are_escaped_on_the_practitioners_pages(clinic_a: ClinicWorld, web_as: Any) -> None:
    """Markup and formula payloads typed into the intake come back escaped on the intake, client and
    dashboard pages, and as plain JSON strings from the API."""
    _, token = new_link(clinic_a)
    http = HttpClient()
    answers = red_flag_answers()
    answers["contact"]["given_name"] = XSS
    answers["health"]["reason"] = FORMULA + XSS
    answers["health"]["medications"] = XSS
    answers["screen"]["ci_anticoagulants_detail"] = XSS
    answers["consent"]["signed_by"] = XSS
    fill_all(http, token, answers)
    assert http.post(review_url(token)).status_code == 200
    with clinic_scope(clinic_a.clinic):
        submission = IntakeSubmission.objects.get(client=clinic_a.client)
    practitioner = web_as(clinic_a.users[PRACTITIONER])
    for url in (
        reverse("intake:intake_detail", args=[clinic_a.client.pk, submission.pk]),
        reverse("clients:client_detail", args=[clinic_a.client.pk]),
        reverse("intake:intake_links", args=[clinic_a.client.pk]),
        reverse("clients:dashboard"),
    ):
        body = practitioner.get(url).content.decode()
        assert "<script>alert(1)" not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
    from tests.conftest import api_as as _  # noqa: F401 (the fixture below is the same)

    text = _api(clinic_a).get(f"/api/v1/clients/{clinic_a.client.pk}/intakes/{submission.pk}").content.decode()
    assert "<script>" not in text
    assert "\\u003cscript\\u003e" in text


def _api(world: ClinicWorld) -> HttpClient:
    from taut.access import services as access

    with clinic_scope(world.clinic):
        _, token = access.do_create_token(world.users[PRACTITIONER], world.clinic, "t")
    return HttpClient(headers={"Authorization": f"Bearer {token}"})


# API ----------------------------------------------------------------------------------------------------


def test_api_creates_a_link_and_returns_its_address_once(clinic_a: ClinicWorld, api_as: Any) -> None:
    """POST returns the address with the token once; listing never shows it; revoking ends it."""
    api = api_as(clinic_a, PRACTITIONER)
    base = f"/api/v1/clients/{clinic_a.client.pk}/intake-links"
    response = api.post(base, {"expires_in_days": 2}, content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    token = created["url"].rstrip("/").rsplit("/", 1)[1]
    assert created["status"] == "pending"
    listed = api.get(base)
    assert token not in listed.content.decode()
    assert "url" not in listed.json()[0]
    assert HttpClient().get(step_url(token, "contact")).status_code == 200
    revoked = api.post(f"{base}/{created['id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    again = api.post(f"{base}/{created['id']}/revoke")
    assert again.status_code == 422
    assert again.json()["errors"][0]["loc"] == ["body", "link"]
    assert HttpClient().get(step_url(token, "contact")).status_code == 404


@pytest.mark.parametrize("body", [{"expires_in_days": 0}, {"expires_in_days": 31}, {"expires_in_days": "7"},
                                  {"practitioner_id": 999999}, {"extra": 1}])  # fmt: skip
def test_api_refuses_bad_link_requests(clinic_a: ClinicWorld, api_as: Any, body: dict[str, Any]) -> None:
    """Out-of-range days, a string, an unknown practitioner or an unknown field get 422 naming the
    field; no link is made."""
    api = api_as(clinic_a, OWNER)
    before = counts()
    response = api.post(f"/api/v1/clients/{clinic_a.client.pk}/intake-links", body, content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(next(iter(body)) in e["loc"] for e in errors), errors
    assert counts() == before


def test_api_front_desk_reads_intake_without_clinical_parts(clinic_a: ClinicWorld, api_as: Any) -> None:
    """Front desk reads that an intake arrived but not its answers; a practitioner gets them all."""
    from tests.web.routes_intake import intake_id

    pk = intake_id(clinic_a, PRACTITIONER)
    url = f"/api/v1/clients/{clinic_a.client.pk}/intakes/{pk}"
    desk = api_as(clinic_a, FRONT_DESK).get(url)
    assert desk.status_code == 200
    assert desk.json()["clinical"] is None
    assert desk.json()["refer"] is None
    assert CLINICAL_MARKER not in desk.content.decode()
    full = api_as(clinic_a, PRACTITIONER).get(url).json()
    assert CLINICAL_MARKER in full["clinical"]["answers"]["health"]["health_history"]
    assert full["refer"] is False


def test_public_posts_work_without_a_csrf_cookie_but_staff_posts_do_not(clinic_a: ClinicWorld) -> None:
    """Under no-referrer a browser posts with "Origin: null"; the link's pages accept that (the token
    is the secret), while a staff form without its CSRF token is still refused."""
    _, token = new_link(clinic_a)
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post(step_url(token, "contact"), step_answers()["contact"], headers={"Origin": "null"})
    assert response.status_code == 302
    staff = HttpClient(enforce_csrf_checks=True)
    staff.force_login(clinic_a.users[OWNER])
    before = counts()
    refused = staff.post(reverse("intake:intake_links", args=[clinic_a.client.pk]), {"days": "7"})
    assert refused.status_code == 403
    assert counts() == before


def test_screen_items_cite_known_sources() -> None:
    """Every contraindication item has an action (caution or refer) and cites a source that exists in
    the knowledge base; every red flag of the knowledge base is asked."""
    from taut.core.knowledge.loader import load_base
    from taut.intake.screen import load_screen, red_flag_questions

    screen = load_screen()
    base = load_base()
    assert len(screen.items) >= 12
    for item in screen.items:
        assert item.action in {"caution", "refer"}
        assert item.sources
        assert all(source in base.sources for source, _ in item.sources)
    assert {fid for fid, _ in red_flag_questions()} == set(base.red_flags)


def test_a_screen_item_without_a_known_source_is_refused(tmp_path: Any, monkeypatch: Any) -> None:
    """A screen item citing an unknown source fails to load with a message saying how to fix it."""
    from taut.intake import screen

    bad = tmp_path / "screen.yaml"
    bad.write_text(
        'version: "1"\nitems:\n- {id: x, question: "Q?", action: caution, why: W, sources: [{source: nowhere_2099}]}\n'
    )
    monkeypatch.setattr(screen, "SCREEN_FILE", bad)
    screen.load_screen.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"unknown source.*sources\.yaml"):
            screen.load_screen()
    finally:
        screen.load_screen.cache_clear()


def test_intake_pages_keep_the_security_headers_and_no_inline_code(clinic_a: ClinicWorld, web_as: Any) -> None:
    """Every public and staff page of the intake carries the CSP and hardening headers and holds no
    inline script or style (the public ones with no-referrer instead of same-origin)."""
    from tests.web.routes_intake import intake_id
    from tests.web.test_headers import _assert_no_inline_code, _assert_security_headers

    _, token = new_link(make_world_other_client(clinic_a))
    pk = intake_id(clinic_a, PRACTITIONER)
    public = [(reverse("intake:intake_start", kwargs={"intake_token": token}), 200), (review_url(token), 200)]
    public += [(step_url(token, s.slug), 200) for s in STEPS] + [(step_url("no-such-token-here", "contact"), 404)]
    staff = [
        (reverse("intake:intake_links", args=[clinic_a.client.pk]), 200),
        (reverse("intake:intake_fill", args=[clinic_a.client.pk]), 200),
        (reverse("intake:intake_detail", args=[clinic_a.client.pk, pk]), 200),
    ]
    anonymous, owner = HttpClient(), web_as(clinic_a.users[OWNER])
    for http, urls in ((anonymous, public), (owner, staff)):
        for url, expected in urls:
            response = http.get(url)
            assert response.status_code == expected, (url, response.status_code)
            _assert_security_headers(response, url)
            _assert_no_inline_code(response.content, url)


def test_client_page_lists_links_with_their_status(clinic_a: ClinicWorld, web_as: Any) -> None:
    """The client page lists the client's links with pending, opened, revoked or expired status."""
    new_link(clinic_a)
    _, token = new_link(clinic_a)
    HttpClient().get(step_url(token, "contact"))
    page = (
        web_as(clinic_a.users[PRACTITIONER])
        .get(reverse("clients:client_detail", args=[clinic_a.client.pk]))
        .content.decode()
    )
    assert page.count("status-revoked") == 1
    assert page.count("status-opened") == 1
    assert "Send an intake link" not in page  # a link is open: the button leads to the links


# Unsent answers are not kept ----------------------------------------------------------------------


def _saved_draft(world: ClinicWorld) -> tuple[IntakeLink, str]:
    link, token = new_link(world)
    HttpClient().post(step_url(token, "health"), step_answers(health__reason="Private words")["health"])
    with clinic_scope(world.clinic):
        link.refresh_from_db()
    assert link.draft
    return link, token


def test_revoking_a_link_deletes_its_unsent_answers(clinic_a: ClinicWorld) -> None:
    """A revoked link keeps no draft; so does a link replaced by a new one."""
    link, _ = _saved_draft(clinic_a)
    with clinic_scope(clinic_a.clinic):
        intake.do_revoke_link(link, PRACTITIONER)
        link.refresh_from_db()
    assert link.draft == {}
    replaced, _ = _saved_draft(clinic_a)
    new_link(clinic_a)
    with clinic_scope(clinic_a.clinic):
        replaced.refresh_from_db()
    assert replaced.revoked_at is not None
    assert replaced.draft == {}


def test_purge_deletes_drafts_of_expired_links_in_every_clinic(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """Expired links lose their unsent answers, with one audit entry each in their own clinic; a live
    link keeps its draft."""
    expired_a, _ = _saved_draft(clinic_a)
    expired_b, _ = _saved_draft(clinic_b)
    live, _ = _saved_draft(make_world_client(clinic_a))
    with unscoped():
        IntakeLink.objects.filter(pk__in=[expired_a.pk, expired_b.pk]).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    last = last_audit_id()
    assert intake.do_purge_drafts() == 2
    with unscoped():
        drafts = dict(IntakeLink.objects.values_list("pk", "draft"))
    assert drafts[expired_a.pk] == {}
    assert drafts[expired_b.pk] == {}
    assert drafts[live.pk]
    entries = audit_after(last)
    assert sorted((e.action, e.object_id, e.clinic_id) for e in entries) == sorted(
        [("purge", str(expired_a.pk), clinic_a.clinic.pk), ("purge", str(expired_b.pk), clinic_b.clinic.pk)]
    )
    assert intake.do_purge_drafts() == 0


def make_world_client(world: ClinicWorld) -> ClinicWorld:
    """The same clinic with another client (a link per client)."""
    from dataclasses import replace

    return replace(world, client=make_client(world.clinic))


def test_the_purge_command_reports_what_it_deleted(clinic_a: ClinicWorld) -> None:
    """`taut intake purge` deletes expired drafts and says how many."""
    from typer.testing import CliRunner

    from taut.cli import app

    link, _ = _saved_draft(clinic_a)
    with unscoped():
        IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    result = CliRunner().invoke(app, ["intake", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 intake link" in result.output
    with unscoped():
        assert IntakeLink.objects.get(pk=link.pk).draft == {}
