"""The demo's course-of-care client: loaded by `taut demo`, she fills the progress page, the client
page and the client report with real content, and a second run adds nothing."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut import demo
from taut.access.models import User
from taut.access.scoping import unscoped
from taut.assessments.models import OutcomeMeasure, PainChart, RomAssessment
from taut.audit.models import AuditEntry
from taut.audit.service import verify
from taut.clients.models import Client, Visit
from taut.core.knowledge.loader import load_base
from taut.core.measures.scoring import score
from taut.demo import course
from taut.homecare.models import AdherenceEntry, HomeProgramme
from taut.notes.models import NoteAddendum, SessionNote
from taut.plans.models import TreatmentPlan
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db
WebAs = Callable[[User], HttpClient]


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def clara() -> Client:
    demo.load()
    with unscoped():
        return Client.objects.select_related("clinic").get(given_name=course.GIVEN, family_name=course.FAMILY)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def priya() -> User:
    return User.objects.get(username=course.PRACTITIONER)


def counts() -> dict[str, int]:
    models = (Client, Visit, PainChart, OutcomeMeasure, RomAssessment, TreatmentPlan, HomeProgramme,
              AdherenceEntry, SessionNote, NoteAddendum, AuditEntry)  # fmt: skip
    with unscoped():
        return {m.__name__: m.objects.count() for m in models}


def test_the_course_is_in_the_past_with_signed_notes_an_addendum_and_a_booking_today(clara: Client) -> None:
    """Intake six weeks ago, four treatments and a re-assessment, each note signed, one addendum,
    a signed plan, weeks of ticks, a visit booked today; every write has its audit entry."""
    today = timezone.localdate()
    with unscoped():
        visits = list(clara.visits.order_by("date"))
        notes = list(SessionNote.objects.filter(client=clara))
        plan = TreatmentPlan.objects.get(client=clara)
        ticks = list(AdherenceEntry.objects.filter(programme__client=clara).order_by("date"))
        addenda = list(NoteAddendum.objects.filter(note__client=clara))
        audited = set(
            AuditEntry.objects.filter(clinic=clara.clinic, channel="demo", action="create").values_list(
                "object_type", "object_id"
            )
        )
    assert [v.kind for v in visits] == ["initial", "treatment", "treatment", "treatment", "treatment", "reassessment",
                                        "treatment"]  # fmt: skip
    assert [v.date for v in visits][-1] == today
    assert all(v.date < today and v.status == Visit.Status.FINISHED for v in visits[:-1])
    assert (visits[-1].status, visits[-1].start_time) == (Visit.Status.PLANNED, course.BOOKED_TODAY)
    assert len(notes) == 5
    assert all(n.status == SessionNote.Status.SIGNED and n.signed_at is not None for n in notes)
    assert len(addenda) == 1
    assert addenda[0].reason == course.ADDENDUM[1]
    assert plan.status == TreatmentPlan.Status.SIGNED
    assert timezone.localdate(plan.signed_at) == visits[0].date
    span = (ticks[-1].date - ticks[0].date).days
    assert span >= 21, "a few weeks of ticks"
    assert ticks[-1].date < today
    assert len({e.pain for e in ticks if e.pain is not None}) >= 3
    assert any(e.difficulty for e in ticks)
    for obj in (plan, *notes, *addenda, ticks[0], visits[-1]):
        assert (type(obj).__name__.lower(), str(obj.pk)) in audited
    assert verify() == []


def test_progress_page_says_what_changed(clara: Client, web_as: WebAs) -> None:
    """The neck index and the range of motion went better between the first visit and the re-assessment."""
    response = web_as(priya()).get(reverse("reports:progress", kwargs={"client_id": clara.pk}))
    assert response.status_code == 200
    text = words(response.content.decode())
    change = score("ndi", course.NDI_FIRST).value - score("ndi", course.NDI_AGAIN).value
    mcid = load_base().instruments["ndi"].mcid
    assert mcid is not None
    assert change >= mcid.value
    assert f"Neck Disability Index: {score('ndi', course.NDI_AGAIN).value:g} points" in text
    assert f"better by {change:g} points since the first measurement" in text
    assert f"beyond the smallest important change ({mcid.value:g} points)" in text
    assert "Cervical rotation, right (active): 72°" in text
    assert "better by 17° since the first" in text
    assert "Better since the first measurement on" in text


def test_client_page_shows_adherence(clara: Client, web_as: WebAs) -> None:
    """The client page has the home programme's adherence per exercise and its pain trend."""
    response = web_as(priya()).get(reverse("clients:client_detail", args=[clara.pk]))
    assert response.status_code == 200
    text = words(response.content.decode())
    kb = load_base()
    with unscoped():
        programme = HomeProgramme.objects.get(client=clara)
        done = AdherenceEntry.objects.filter(programme=programme, done=True)
        first = programme.items[0]["exercise"]
        days_done = done.filter(exercise_id=first).count()
    assert kb.exercises[first].name in text
    assert days_done >= 14
    assert re.search(rf"{days_done} of \d+ days", text), text[:3000]
    assert "pain going down" in text


def test_client_report_holds_the_plan_and_the_exercises(clara: Client, web_as: WebAs, tmp_path: Path) -> None:
    """The client report PDF, read with pdftotext, holds the signed plan's muscles and the home exercises."""
    url = reverse("reports:report_pdf", kwargs={"client_id": clara.pk, "report_kind": "client"})
    response = web_as(priya()).get(url)
    assert response.status_code == 200
    pdf = tmp_path / "client.pdf"
    pdf.write_bytes(response.content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    text = re.sub(r"\s+", " ", out.stdout.decode("utf-8"))
    kb = load_base()
    with unscoped():
        plan = TreatmentPlan.objects.get(client=clara).plan
        programme = HomeProgramme.objects.get(client=clara)
    assert f"{course.GIVEN} {course.FAMILY}" in text
    assert "Treatment plan signed" in text
    assert "In the sessions we will treat" in text
    assert kb.muscles[plan["items"][0]["muscle"]].name in text
    assert "Your home exercises" in text
    for item in programme.items:
        assert kb.exercises[item["exercise"]].name in text


def test_running_the_demo_again_adds_nothing(clara: Client) -> None:
    """A second run finds the client and leaves every table as it was (the audit log included)."""
    before = counts()
    assert before["SessionNote"] >= 5
    assert before["AdherenceEntry"] > 0
    demo.load()
    assert counts() == before


def test_the_reassessment_neck_index_came_from_the_client_by_link(clara: Client) -> None:
    """The first neck index was recorded in the clinic; the re-assessment's came through a measures
    link on the client's phone: scored, marked client-reported, and the link closed after use."""
    from taut.assessments.links import MeasuresLink

    with unscoped():
        found = list(OutcomeMeasure.objects.filter(client=clara, instrument="ndi").order_by("visit__date"))
        assert [m.client_reported for m in found] == [False, True]
        assert found[1].answers == course.NDI_AGAIN
        link = MeasuresLink.objects.get(client=clara)
        assert link.visit_id == found[1].visit_id
        assert link.used_at is not None
        assert not link.usable
