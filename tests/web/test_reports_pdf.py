"""The PDF reports: real records in, real PDFs out, read back with poppler's pdftotext, pdftoppm and pdfimages.

A client named "Zoë Müller-Łukasz Ørsted" with a course of care (three visits, pain charts, ROM, an
outcome measure, signed notes) and a posture photo; each report is checked for the name with its
letters, the clinic, a finding, "Page 1 of N", a page that is not blank, and the photo as an image.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from PIL import Image
from typer.testing import CliRunner

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.assessments import services as assessments
from taut.assessments import special_tests
from taut.cli import app
from taut.clients import services as clients
from taut.clients.models import Visit
from taut.core.knowledge.loader import load_base
from taut.notes import services as notes
from taut.reports import pdf
from tests.factories import ClinicWorld, make_client
from tests.web.motion_media import make_photo
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id
from tests.web.routes_safety import file_red_flag_intake
from tests.web.test_progress import ZONE, course_of_care

pytestmark = pytest.mark.django_db
OWNER, PRAC, DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
NAME = ("Zoë", "Müller-Łukasz Ørsted")
FULL = "Zoë Müller-Łukasz Ørsted"
HOSTILE = "<script>alert(1)</script> **bold** {nb} \\n"


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def world(clinic_a: ClinicWorld) -> ClinicWorld:
    """Clinic A whose client is Zoë, with a course of care, hostile visit notes and a posture photo."""
    with clinic_scope(clinic_a.clinic):
        clients.do_update_client(clinic_a.client, {"given_name": NAME[0], "family_name": NAME[1]}, PRAC)
        clients.do_update_visit(clinic_a.visit, {"chief_complaint": "Neck ache"}, PRAC)
    clinic_a.client.refresh_from_db()
    clinic_a.visit.refresh_from_db()
    course_of_care(clinic_a)
    sign_home_care(clinic_a, HOSTILE)
    make_photo(clinic_a)
    return clinic_a


def sign_home_care(world: ClinicWorld, text: str) -> None:
    """A signed note on the world's middle visit whose home care is ``text`` (what the client report prints)."""
    with clinic_scope(world.clinic):
        middle = list(Visit.objects.filter(client=world.client).order_by("date"))[1]
        note = notes.do_start_note(middle, world.users[PRAC], PRAC)
        notes.do_save_draft(note, {"home_care": text, "plan": "Weekly for four weeks"}, world.users[PRAC], PRAC)
        notes.do_sign_note(note, world.users[PRAC], PRAC)


def url(world: ClinicWorld, kind: str) -> str:
    return reverse("reports:report_pdf", kwargs={"client_id": world.client.pk, "report_kind": kind})


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"[ \t]+", " ", out.stdout.decode("utf-8"))


def page_count(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))  # type: ignore[union-attr]


def first_page(data: bytes, tmp_path: Path) -> Image.Image:
    path = tmp_path / "p.pdf"
    path.write_bytes(data)
    png = subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(path)], capture_output=True, check=True
    )
    return Image.open(io.BytesIO(png.stdout)).convert("L")


def images(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "i.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    return [line for line in out.splitlines()[2:] if line.strip()]


def get(http: HttpClient, world: ClinicWorld, kind: str) -> Any:
    return http.get(url(world, kind))


def check_common(data: bytes, tmp_path: Path, world: ClinicWorld) -> str:
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    pages = page_count(data, tmp_path)
    assert FULL in text
    assert world.clinic.name in text
    assert f"Page 1 of {pages}" in text
    assert text.count(f"of {pages}") >= pages  # every page carries the numbering
    assert text.count(world.clinic.name) >= pages
    assert "Practitioner: Practitioner" in text  # the person who made it (first name "Practitioner")
    page = first_page(data, tmp_path)
    dark = sum(page.histogram()[:100])  # pixels darker than 100 of 255
    assert dark > 500, "page 1 is blank"
    return text


def test_client_report_has_findings_photo_and_literal_user_text(
    world: ClinicWorld, web_as: Any, tmp_path: Path
) -> None:
    response = get(web_as(world.users[PRAC]), world, "client")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    text = check_common(response.content, tmp_path, world)
    zone = load_base().zones[ZONE].name
    assert f"{zone}: pain 3 out of 10" in text  # the latest pain chart, in words
    assert "most likely" in text  # its ranking
    assert "Cervical rotation, left: 58°" in text
    assert "At home: <script>alert(1)</script> **bold** {nb}" in text  # the signed note's home care, literally
    assert "Plan: Weekly for four weeks" in text
    assert "Notes:" not in text  # the visit's own notes are the practitioner's, not the client's
    found = images(response.content, tmp_path)
    assert len(found) == 1, found  # the annotated posture photo


def test_client_report_without_photo_has_no_image(clinic_a: ClinicWorld, web_as: Any, tmp_path: Path) -> None:
    course_of_care(clinic_a)
    response = get(web_as(clinic_a.users[OWNER]), clinic_a, "client")
    assert response.status_code == 200
    assert images(response.content, tmp_path) == []
    assert "Practitioner: Owner" in pdf_text(response.content, tmp_path)


def test_progress_report_has_measures_and_charts(world: ClinicWorld, web_as: Any, tmp_path: Path) -> None:
    response = get(web_as(world.users[PRAC]), world, "progress")
    assert response.status_code == 200
    text = check_common(response.content, tmp_path, world)
    assert "Neck Disability Index" in text
    assert "better by 4 points since the first measurement" in text
    assert "smallest important change" in text
    assert len(images(response.content, tmp_path)) >= 5  # one chart per measure


def test_referral_is_refused_without_a_reason(world: ClinicWorld, web_as: Any, api_as: Any) -> None:
    last = last_audit_id()
    response = get(web_as(world.users[PRAC]), world, "referral")
    assert response.status_code == 409
    assert "Nothing calls for a referral" in response.content.decode()
    api = api_as(world, PRAC).get(f"/api/v1/clients/{world.client.pk}/reports/referral")
    assert api.status_code == 409
    assert "Nothing calls for a referral" in api.json()["errors"][0]["msg"]
    assert [e for e in audit_after(last) if e.object_type == "client" and e.action == "read"] == []


def test_referral_for_a_red_flag(world: ClinicWorld, web_as: Any, tmp_path: Path) -> None:
    file_red_flag_intake(world)
    response = get(web_as(world.users[PRAC]), world, "referral")
    assert response.status_code == 200, response.content[:300]
    text = check_common(response.content, tmp_path, world)
    assert "Why I am referring" in text
    assert "Red flag:" in text
    assert "Tests done" in text
    assert "Neck Disability Index: " in text


def test_referral_for_a_suspected_root_compression(clinic_a: ClinicWorld, web_as: Any, tmp_path: Path) -> None:
    """Numbness along the L5 dermatome with low back pain: the letter names the root and why."""
    zones = ("leg_lateral_l", "shin_l", "foot_dorsum_l", "great_toe_l")
    marks = [{"zone": z, "intensity": 4, "quality": "numbness"} for z in zones]
    with clinic_scope(clinic_a.clinic):
        assessments.do_save_pain_chart(clinic_a.visit, {"pain": marks}, clinic_a.users[PRAC], PRAC)
        special_tests.do_record_special_test(
            clinic_a.visit, "straight_leg_raise", "left", "positive", clinic_a.users[PRAC], PRAC, note="at 40°"
        )
        chart = assessments.get_pain_chart(clinic_a.visit)
    assert chart is not None
    kinds = {n["kind"] for n in chart.analysis["neural"]}
    assert kinds & pdf.REFERRAL_NEURAL, kinds
    response = get(web_as(clinic_a.users[PRAC]), clinic_a, "referral")
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Suspected" in text
    assert "compression" in text
    assert "pain chart" in text
    assert "Straight leg raise (left): positive" in text  # the tests done
    assert "(at 40°)" in text
    assert "Pain marked on the body chart" in text  # the letter speaks to the physician
    assert "Where you marked" not in text


def test_other_clinic_is_404_and_front_desk_403(
    world: ClinicWorld, clinic_b: ClinicWorld, web_as: Any, api_as: Any
) -> None:
    for kind in pdf.KINDS:
        assert get(web_as(clinic_b.users[PRAC]), world, kind).status_code == 404
        assert get(web_as(world.users[DESK]), world, kind).status_code == 403
        path = f"/api/v1/clients/{world.client.pk}/reports/{kind}"
        assert api_as(clinic_b, PRAC).get(path).status_code == 404
        assert api_as(world, DESK).get(path).status_code == 403
    assert web_as(world.users[PRAC]).get(url(world, "everything")).status_code == 404
    assert api_as(world, PRAC).get(f"/api/v1/clients/{world.client.pk}/reports/everything").status_code == 404


def test_each_report_is_one_audited_read(world: ClinicWorld, web_as: Any, api_as: Any) -> None:
    for kind in ("client", "progress"):
        last = last_audit_id()
        assert get(web_as(world.users[PRAC]), world, kind).status_code == 200
        entries = [e for e in audit_after(last) if e.action == "read"]
        assert [(e.object_type, e.object_id, e.detail.get("kind")) for e in entries] == [
            ("client", str(world.client.pk), kind)
        ]
    last = last_audit_id()
    response = api_as(world, PRAC).get(f"/api/v1/clients/{world.client.pk}/reports/progress")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert [e.detail.get("kind") for e in audit_after(last) if e.action == "read"] == ["progress"]


def test_client_page_has_the_buttons_for_clinical_roles_only(world: ClinicWorld, web_as: Any) -> None:
    page = reverse("clients:client_detail", kwargs={"client_id": world.client.pk})
    html = web_as(world.users[PRAC]).get(page).content.decode()
    for kind in pdf.KINDS:
        assert url(world, kind) in html
    desk = web_as(world.users[DESK]).get(page).content.decode()
    assert url(world, "client") not in desk


def test_cli_writes_the_file(world: ClinicWorld, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "zoë.pdf"
    args = ["report", str(world.client.pk), "--kind", "client", "--out", str(out), "--user"]
    result = runner.invoke(app, [*args, world.users[PRAC].username])
    assert result.exit_code == 0, result.output
    assert FULL in pdf_text(out.read_bytes(), tmp_path)
    again = runner.invoke(app, [*args, world.users[PRAC].username])
    assert again.exit_code == 2
    assert "exists" in again.output
    desk_out = tmp_path / "desk.pdf"
    desk = runner.invoke(
        app, ["report", str(world.client.pk), "--out", str(desk_out), "--user", world.users[DESK].username]
    )
    assert desk.exit_code == 2
    assert not desk_out.exists()
    refused_out = tmp_path / "ref.pdf"
    refused = runner.invoke(
        app,
        ["report", str(world.client.pk), "--kind", "referral", "--out", str(refused_out), "--user",
         world.users[PRAC].username],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "Nothing calls for a referral" in refused.output
    assert not refused_out.exists()


def test_another_client_of_the_clinic_without_records(clinic_a: ClinicWorld, web_as: Any, tmp_path: Path) -> None:
    """A client with nothing recorded still gets a readable report that says so."""
    other = make_client(clinic_a.clinic, given_name="Ærø", family_name="Ďuríček")
    response = web_as(clinic_a.users[PRAC]).get(
        reverse("reports:report_pdf", kwargs={"client_id": other.pk, "report_kind": "progress"})
    )
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Ærø Ďuríček" in text
    assert "No measure has been recorded yet." in text


def test_odd_text_prints_and_never_breaks_the_report(clinic_a: ClinicWorld, web_as: Any, tmp_path: Path) -> None:
    """Greek and Cyrillic, a glyph the font lacks, control characters and a very long word still make a PDF."""
    odd = "Σωκράτης Жуковский 🙂 tab\there \x07bell " + "x" * 400
    course_of_care(clinic_a)
    sign_home_care(clinic_a, odd)
    response = web_as(clinic_a.users[PRAC]).get(url(clinic_a, "client"))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Σωκράτης Жуковский" in text
    assert "\x07" not in text
    assert text.replace("\n", "").count("x" * 100) >= 1  # the long word is wrapped, not lost


def test_client_report_holds_the_signed_plan_and_the_home_exercises(
    world: ClinicWorld, web_as: Any, tmp_path: Path
) -> None:
    """With a signed plan and a home programme, the client report lists the muscles to treat, the
    schedule and each home exercise with its dose, steps and stick figure; a draft plan is left out."""
    from taut.homecare import services as homecare
    from taut.plans import services as plans

    kb = load_base()
    response = get(web_as(world.users[PRAC]), world, "client")
    before = pdf_text(response.content, tmp_path)
    assert "In the sessions we will treat" not in before
    assert "Your home exercises" not in before
    with clinic_scope(world.clinic):
        record = plans.do_create_plan(world.visit, world.users[PRAC], PRAC)
    draft = pdf_text(get(web_as(world.users[PRAC]), world, "client").content, tmp_path)
    assert "Treatment plan signed" not in draft  # a draft is the practitioner's, not yet the client's
    with clinic_scope(world.clinic):
        record = plans.do_sign_plan(record, world.users[PRAC], PRAC)
        plan = plans.plan_of(record)
        homecare.do_create_programme(
            world.client, [{"exercise": "upper_trapezius_stretch", "sets": 2, "reps": 3, "hold_seconds": 30}],
            world.users[PRAC], PRAC,
        )  # fmt: skip
    response = get(web_as(world.users[PRAC]), world, "client")
    text = re.sub(r"\s+", " ", pdf_text(response.content, tmp_path))
    assert "Treatment plan signed" in text
    if plan.items:
        assert "In the sessions we will treat" in text
        assert kb.muscles[plan.items[0].muscle].name in text
    stretch = kb.exercises["upper_trapezius_stretch"]
    assert "Your home exercises" in text
    assert f"1. {stretch.name}: 2 sets, 3 repetitions, hold 30 seconds" in text
    assert re.sub(r"\s+", " ", stretch.steps[0]) in text
    assert len(images(response.content, tmp_path)) >= 1  # the posture photo; the figure is drawn as vectors
