"""The home programme: a programme checked against the knowledge base, its private link on the
client's phone (steps, dose, figure, safety notes, a tick per exercise), the print view and the
PDF, and what the practitioner sees."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.audit.models import AuditEntry
from taut.core.knowledge.loader import load_base
from taut.homecare import services as homecare
from taut.homecare.models import AdherenceEntry, HomeProgramme, HomeProgrammeLink
from taut.intake import services as intake
from tests.factories import ClinicWorld, make_client
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id
from tests.web.routes_intake import flat_answers

pytestmark = pytest.mark.django_db

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
FIGURED = "upper_trapezius_stretch"  # has a dose range, a figure and a precaution (cervical artery signs)
PLAIN = "chin_tuck"


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def items() -> list[dict[str, Any]]:
    return [
        {"exercise": FIGURED, "sets": 2, "reps": 3, "hold_seconds": 30, "note": "Gently"},
        {"exercise": PLAIN, "sets": 2, "reps": 10},
    ]


def programme(world: ClinicWorld, client: Any = None) -> HomeProgramme:
    with clinic_scope(world.clinic):
        return homecare.do_create_programme(
            client or world.client, items(), world.users[PRACTITIONER], PRACTITIONER, notes="Every morning"
        )


def send(world: ClinicWorld, prog: HomeProgramme, **kwargs: Any) -> tuple[HomeProgrammeLink, str]:
    with clinic_scope(world.clinic):
        return homecare.do_send_link(prog, world.users[PRACTITIONER], PRACTITIONER, **kwargs)


def url(name: str, token: str) -> str:
    return reverse(f"homecare:{name}", kwargs={"home_token": token})


def tick(http: HttpClient, token: str, **over: Any) -> Any:
    data = {"exercise": PLAIN, "date": timezone.localdate().isoformat(), "done": "yes", "pain": "4", "difficulty": "3"}
    data.update(over)
    return http.post(url("home_tick", token), data)


def counts() -> dict[str, int]:
    with unscoped():
        return {m.__name__: m.objects.count() for m in (HomeProgramme, HomeProgrammeLink, AdherenceEntry)}


# The link on the phone ---------------------------------------------------------------------------------


def test_link_shows_the_exercises_with_steps_dose_figure_and_safety(clinic_a: ClinicWorld) -> None:
    prog = programme(clinic_a)
    _, token = send(clinic_a, prog)
    response = HttpClient().get(url("home_programme", token))
    page = response.content.decode()
    assert response.status_code == 200
    kb = load_base()
    for eid in (FIGURED, PLAIN):
        ex = kb.exercises[eid]
        assert ex.name in page
        assert ex.steps[0].replace("'", "&#x27;").replace('"', "&quot;")[:40] in page
        for c in ex.contraindications[:1]:
            assert c.replace("'", "&#x27;")[:30] in page
    assert "2 sets, 3 repetitions, hold 30 seconds" in page
    assert "data:image/svg+xml;base64," in page  # the figures of the exercises
    figured = sum(1 for eid in (FIGURED, PLAIN) if kb.exercises[eid].figure is not None)
    assert page.count("data:image/svg+xml;base64,") == figured  # one per exercise that has a figure
    assert "Every morning" in page
    assert "Gently" in page
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_ticking_records_adherence_and_is_audited(clinic_a: ClinicWorld) -> None:
    prog = programme(clinic_a)
    _link, token = send(clinic_a, prog)
    http = HttpClient()
    before = last_audit_id()
    response = tick(http, token)
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    with unscoped():
        entry = AdherenceEntry.objects.get(programme=prog)
    assert (entry.exercise_id, entry.done, entry.pain, entry.difficulty) == (PLAIN, True, 4, 3)
    created = [e for e in audit_after(before) if e.object_type == "adherenceentry"]
    assert [(e.action, e.channel, e.user_id) for e in created] == [("create", "homecare", None)]
    # the same day again replaces the tick
    assert tick(http, token, done="no", pain="2").status_code == 302
    with unscoped():
        entry = AdherenceEntry.objects.get(programme=prog)
    assert (entry.done, entry.pain) == (False, 2)
    page = http.get(url("home_programme", token)).content.decode()
    assert "Not done, pain 2" in page


@pytest.mark.parametrize(
    "over",
    [
        {"exercise": "not_an_exercise"},
        {"exercise": "levator_scapulae_stretch"},  # in the knowledge base, not in the programme
        {"pain": "11"},
        {"difficulty": "-1"},
        {"pain": "x"},
        {"done": "maybe"},
        {"date": "2001-01-01"},
        {"date": "tomorrow"},
    ],
)
def test_bad_ticks_are_refused_and_change_nothing(clinic_a: ClinicWorld, over: dict[str, str]) -> None:
    prog = programme(clinic_a)
    _, token = send(clinic_a, prog)
    before = counts()
    response = tick(HttpClient(), token, **over)
    assert response.status_code == 400
    assert counts() == before


def test_expired_or_revoked_link_is_refused_and_changes_nothing(clinic_a: ClinicWorld) -> None:
    prog = programme(clinic_a)
    link, token = send(clinic_a, prog)
    with clinic_scope(clinic_a.clinic):
        homecare.do_revoke_link(link, PRACTITIONER)
    before = counts()
    for response in (HttpClient().get(url("home_programme", token)), tick(HttpClient(), token)):
        assert response.status_code == 404
        assert "no-store" in response["Cache-Control"]
    assert counts() == before
    link2, token2 = send(clinic_a, prog)
    with unscoped():
        HomeProgrammeLink.objects.filter(pk=link2.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert HttpClient().get(url("home_pdf", token2)).status_code == 404
    assert tick(HttpClient(), token2).status_code == 404
    assert counts() == before | {"HomeProgrammeLink": before["HomeProgrammeLink"] + 1}
    assert HttpClient().get(url("home_programme", "not-a-token")).status_code == 404


def test_a_new_link_replaces_the_open_one(clinic_a: ClinicWorld) -> None:
    prog = programme(clinic_a)
    _, old = send(clinic_a, prog)
    _, new = send(clinic_a, prog)
    assert HttpClient().get(url("home_programme", old)).status_code == 404
    assert HttpClient().get(url("home_programme", new)).status_code == 200


def test_token_is_stored_only_as_its_hash(clinic_a: ClinicWorld) -> None:
    link, token = send(clinic_a, programme(clinic_a))
    with unscoped():
        stored = HomeProgrammeLink.objects.filter(pk=link.pk).values().get()
        assert token not in str(stored)
        assert not AuditEntry.objects.filter(detail__icontains=token).exists()


def test_rate_limit_per_link_and_per_address(clinic_a: ClinicWorld, settings: Any) -> None:
    settings.TAUT_HOMECARE_PER_MINUTE = 3
    _, token = send(clinic_a, programme(clinic_a))
    http = HttpClient()
    assert [http.get(url("home_programme", token)).status_code for _ in range(4)] == [200, 200, 200, 429]
    settings.TAUT_HOMECARE_FAILED_LIMIT = 2
    other = HttpClient()
    assert [other.get(url("home_programme", f"wrong{n}")).status_code for n in range(3)] == [404, 404, 429]


def test_e_mail_names_no_exercise_and_no_health(clinic_a: ClinicWorld) -> None:
    from django.core import mail

    prog = programme(clinic_a)
    link, token = send(clinic_a, prog, url_for=lambda t: f"https://clinic.example/home/{t}/")
    assert link.emailed
    message = mail.outbox[-1]
    assert token in message.body
    kb = load_base()
    for eid in (FIGURED, PLAIN):
        assert kb.exercises[eid].name.lower() not in (message.subject + message.body).lower()
    assert clinic_a.client.given_name not in message.body


# Programmes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"exercise": "no_such_exercise"}, "Unknown exercise"),
        ({"exercise": FIGURED, "sets": 9}, "outside its range (1 to 2)"),
        ({"exercise": FIGURED, "hold_seconds": 5}, "outside its range (20 to 45)"),
        ({"exercise": PLAIN, "reps": 500}, "outside its range"),
        ({"exercise": PLAIN, "reps": "ten"}, "whole number"),
        ({"exercise": PLAIN, "sets": True}, "whole number"),
        ("chin_tuck", "exercise id and its dose"),
    ],
)
def test_bad_dose_or_unknown_exercise_is_refused(clinic_a: ClinicWorld, bad: Any, words: str) -> None:
    before = counts()
    with clinic_scope(clinic_a.clinic), pytest.raises(ValidationError) as caught:
        homecare.do_create_programme(clinic_a.client, [bad], clinic_a.users[PRACTITIONER], PRACTITIONER)
    assert words in " ".join(caught.value.messages)
    assert counts() == before


def test_exercise_ruled_out_by_a_red_flag_is_refused_with_the_reason(clinic_a: ClinicWorld) -> None:
    with clinic_scope(clinic_a.clinic):
        client = make_client(clinic_a.clinic)
        answers = flat_answers(contact__given_name=client.given_name, screen__rf_cervical_artery_signs="yes")
        submission, checked = intake.do_submit_in_clinic(client, answers, clinic_a.users[PRACTITIONER], PRACTITIONER)
        assert submission is not None, checked.errors()
        with pytest.raises(ValidationError) as caught:
            homecare.do_create_programme(client, items(), clinic_a.users[PRACTITIONER], PRACTITIONER)
        assert "ruled out" in " ".join(caught.value.messages)
        assert load_base().precautions["cervical_artery_signs"].name in " ".join(caught.value.messages)
        ok = homecare.do_create_programme(client, [items()[1]], clinic_a.users[PRACTITIONER], PRACTITIONER)
    assert [i["exercise"] for i in ok.items] == [PLAIN]


def test_staff_page_creates_a_programme_and_shows_adherence(clinic_a: ClinicWorld, web_as: Any) -> None:
    http = web_as(clinic_a.users[PRACTITIONER])
    c = clinic_a.client
    page = reverse("homecare:programmes", kwargs={"client_id": c.pk})
    assert http.get(page).status_code == 200
    bad = http.post(page, {"exercise": [FIGURED], f"{FIGURED}.sets": "9"})
    assert bad.status_code == 400
    assert "outside its range" in bad.content.decode()
    assert counts()["HomeProgramme"] == 0
    response = http.post(page, {"exercise": [FIGURED, PLAIN], f"{FIGURED}.sets": "2", f"{PLAIN}.reps": "8"})
    assert response.status_code == 302
    with clinic_scope(clinic_a.clinic):
        prog = HomeProgramme.objects.get(client=c)
    assert {i["exercise"]: i.get("reps") for i in prog.items} == {FIGURED: 3, PLAIN: 8}
    send_url = reverse("homecare:programme_send", kwargs={"client_id": c.pk, "programme_id": prog.pk})
    assert http.post(send_url, {"days": "14"}).status_code == 302
    detail = http.get(response["Location"])
    text = detail.content.decode()
    assert "/home/" in text
    assert "no-store" in detail["Cache-Control"]
    token = text.split("/home/")[1].split("/")[0]
    phone = HttpClient()
    assert tick(phone, token, pain="6").status_code == 302
    text = http.get(response["Location"]).content.decode()
    assert "1 of 1" in text  # chin tuck: done on the one day since the programme began
    client_page = http.get(reverse("clients:client_detail", kwargs={"client_id": c.pk})).content.decode()
    assert "Home programme" in client_page
    assert "1 of 1 days" in client_page
    with clinic_scope(clinic_a.clinic):
        link = HomeProgrammeLink.objects.get(programme=prog)
    revoke = reverse("homecare:link_revoke", kwargs={"client_id": c.pk, "home_link_id": link.pk})
    assert http.post(revoke).status_code == 302
    assert phone.get(url("home_programme", token)).status_code == 404


def test_pain_trend(clinic_a: ClinicWorld) -> None:
    prog = programme(clinic_a)
    link, _ = send(clinic_a, prog)
    today = timezone.localdate()
    with unscoped():
        HomeProgramme.objects.filter(pk=prog.pk).update(created_at=timezone.now() - dt.timedelta(days=6))
    with clinic_scope(clinic_a.clinic):
        for n, pain in enumerate([7, 6, 5, 3]):
            homecare.do_record_adherence(link, PLAIN, today - dt.timedelta(days=4 - n), "yes", pain, 2)
        prog.refresh_from_db()
        rows = {r.exercise_id: r for r in homecare.adherence_summary(prog)}
    assert rows[PLAIN].days_done == 4
    assert rows[PLAIN].days_due == 7
    assert rows[PLAIN].trend == "pain going down"
    assert rows[FIGURED].days_done == 0
    assert rows[FIGURED].trend == "not enough ratings"


# Who sees what -------------------------------------------------------------------------------------------------


def test_another_clinic_cannot_reach_a_programme(clinic_a: ClinicWorld, clinic_b: ClinicWorld, web_as: Any) -> None:
    prog = programme(clinic_a)
    link, token = send(clinic_a, prog)
    http = web_as(clinic_b.users[OWNER])
    ids = {"client_id": clinic_a.client.pk, "programme_id": prog.pk}
    assert http.get(reverse("homecare:programme_detail", kwargs=ids)).status_code == 404
    assert http.post(reverse("homecare:programme_send", kwargs=ids)).status_code == 404
    revoke = reverse("homecare:link_revoke", kwargs={"client_id": clinic_a.client.pk, "home_link_id": link.pk})
    assert http.post(revoke).status_code == 404
    assert http.get(url("home_programme", token)).status_code == 404  # a session of another clinic
    with unscoped():
        assert HomeProgrammeLink.objects.get(pk=link.pk).usable


def test_front_desk_sees_no_clinical_content(clinic_a: ClinicWorld, web_as: Any) -> None:
    prog = programme(clinic_a)
    http = web_as(clinic_a.users[FRONT_DESK])
    ids = {"client_id": clinic_a.client.pk, "programme_id": prog.pk}
    assert http.get(reverse("homecare:programme_detail", kwargs=ids)).status_code == 403
    assert http.get(reverse("homecare:programmes", kwargs={"client_id": clinic_a.client.pk})).status_code == 403
    assert http.post(reverse("homecare:programme_send", kwargs=ids)).status_code == 403
    page = http.get(reverse("clients:client_detail", kwargs={"client_id": clinic_a.client.pk})).content.decode()
    assert "Home programme" not in page
    assert load_base().exercises[PLAIN].name not in page


# Print and PDF ---------------------------------------------------------------------------------------------------


def test_print_view_has_the_exercises_and_a_print_stylesheet(clinic_a: ClinicWorld) -> None:
    _, token = send(clinic_a, programme(clinic_a))
    page = HttpClient().get(url("home_print", token)).content.decode()
    assert load_base().exercises[FIGURED].name in page
    assert "homecare/homecare.css" in page
    css = Path("taut/homecare/static/homecare/homecare.css").read_text()
    assert "@media print" in css


def test_pdf_renders_the_exercises_and_a_european_name(clinic_a: ClinicWorld, tmp_path: Path) -> None:
    with clinic_scope(clinic_a.clinic):
        client = make_client(clinic_a.clinic, given_name="Zoë", family_name="Müller")
    prog = programme(clinic_a, client)
    _, token = send(clinic_a, prog)
    response = HttpClient().get(url("home_pdf", token))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    path = tmp_path / "programme.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    words = " ".join(text.decode().split())
    assert "Zoë Müller" in words
    assert load_base().exercises[FIGURED].name in words
    assert load_base().exercises[PLAIN].name in words
    assert "2 sets, 3 repetitions, hold 30 seconds" in words


# API --------------------------------------------------------------------------------------------------------------


def test_api_programme_link_and_adherence(clinic_a: ClinicWorld) -> None:
    from tests.web.routes import http_for

    http = http_for("api", clinic_a, PRACTITIONER)
    base = f"/api/v1/clients/{clinic_a.client.pk}/home-programmes"
    bad = http.post(base, {"items": [{"exercise": FIGURED, "sets": 9}]}, content_type="application/json")
    assert bad.status_code == 422
    assert "outside its range" in bad.json()["errors"][0]["msg"]
    assert counts()["HomeProgramme"] == 0
    created = http.post(base, {"items": [{"exercise": PLAIN, "reps": 8}]}, content_type="application/json")
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    assert created.json()["items"][0]["dose"].startswith("2 sets, 8 repetitions")
    link = http.post(f"{base}/{pid}/links", {"expires_in_days": 3}, content_type="application/json")
    assert link.status_code == 201
    token = link.json()["url"].rstrip("/").rsplit("/", 1)[1]
    assert tick(HttpClient(), token, pain="5").status_code == 302
    adherence = http.get(f"{base}/{pid}/adherence").json()
    assert [(e["exercise_id"], e["done"], e["pain"]) for e in adherence["entries"]] == [(PLAIN, True, 5)]
    assert adherence["summary"][0]["days_done"] == 1
    revoke = http.post(
        f"/api/v1/clients/{clinic_a.client.pk}/home-programme-links/{link.json()['id']}/revoke",
        content_type="application/json",
    )
    assert revoke.status_code == 200
    assert revoke.json()["status"] == "revoked"
    assert HttpClient().get(url("home_programme", token)).status_code == 404
