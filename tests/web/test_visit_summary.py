"""The visit page shows everything recorded at the visit at a glance (issue 13, item 7): a card per
kind of record (range of motion, outcome measures, special tests, wellness, posture, gait, range of
motion from photos) with its key findings in words and a link to its full page; front desk sees
none of it, and a visit with nothing recorded still renders."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.assessments import measures, special_tests
from taut.assessments import services as assessments
from taut.core.knowledge.loader import load_base
from tests.factories import ClinicWorld
from tests.web import motion_media
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db

PRAC = Role.PRACTITIONER.value
SUMMARY_HEADING = "Recorded at this visit"


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _page(http: HttpClient, world: ClinicWorld) -> tuple[str, str]:
    url = reverse("clients:visit_detail", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    response = http.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _record_everything(world: ClinicWorld) -> dict[str, Any]:
    user = world.users[PRAC]
    with clinic_scope(world.clinic):
        assessments.do_save_rom(
            world.visit,
            [
                {"motion": "cervical_rotation", "side": "left", "active": 40},
                {"motion": "cervical_rotation", "side": "right", "active": 72},
            ],
            user,
            PRAC,
        )
        measures.do_record_measure(world.visit, "nprs", [6], user, PRAC)
        measures.do_save_wellness(world.visit, {"hydration.fluid_intake": "under_1_litre"}, user, PRAC)
        special_tests.do_record_special_tests(
            world.visit,
            [
                {"test": "phalen", "side": "right", "result": "positive", "note": "tingling at 30 s"},
                {"test": "phalen", "side": "left", "result": "negative", "note": ""},
            ],
            user,
            PRAC,
        )
    photo = motion_media.make_photo(world, "front")
    video = motion_media.make_video(world)
    rom_photo = motion_media.make_rom_photo(world)
    return {"photo": photo, "video": video, "rom_photo": rom_photo}


def test_the_visit_page_summarises_every_record_with_a_link(clinic_a: ClinicWorld, web_as: Any) -> None:
    made = _record_everything(clinic_a)
    html, text = _page(web_as(clinic_a.users[Role.PRACTITIONER]), clinic_a)
    kw = {"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk}
    assert SUMMARY_HEADING in text

    # range of motion: the restricted side and the left-right difference, in words
    assert reverse("assessments:rom", kwargs=kw) in html
    assert "2 movements measured" in text
    assert "Cervical rotation (left): restricted" in text
    assert "32 degrees less on the left" in text
    assert "cervical_rotation" not in text

    # outcome measures: the instrument's name and its score
    base = load_base()
    assert reverse("assessments:measures", kwargs=kw) in html
    with clinic_scope(clinic_a.clinic):
        nprs = measures.get_measure(clinic_a.visit, "nprs")
    assert nprs is not None
    assert f"{base.instruments['nprs'].name}: score {nprs.score['value']}" in text

    # special tests: the positive one named, with its side and note; the negative one counted
    assert reverse("assessments:special_tests", kwargs=kw) in html
    assert f"{base.special_tests['phalen'].name} (right) positive: tingling at 30 s" in text
    assert "2 results recorded, 1 negative." in text

    # wellness: the advice raised for the plan
    assert reverse("assessments:wellness", kwargs=kw) in html
    with clinic_scope(clinic_a.clinic):
        wellness = measures.get_wellness(clinic_a.visit)
    assert wellness is not None
    assert wellness.advice["advice"]
    assert wellness.advice["advice"][0]["text"] in text
    assert "1 question answered" in text

    # posture photo and gait report: their own page, their measures and findings
    photo, video = made["photo"], made["video"]
    assert reverse("motion:posture_photo", kwargs={**kw, "photo_id": photo.pk}) in html
    assert "Posture, front photo" in text
    assert f"{len(photo.report['measures'])} measure" in text
    assert reverse("motion:gait_video", kwargs={**kw, "video_id": video.pk}) in html
    assert "Gait, from the side" in text
    metrics = video.report["metrics"]
    flagged = sum(1 for m in metrics if m.get("flagged"))
    assert f"{len(metrics)} measures, {flagged} outside the typical range" in text
    for finding in video.report["findings"][:6]:
        assert finding["name"] in text

    # range of motion from a photo: the motion in words and the angle
    assert reverse("motion:rom_photos", kwargs=kw) in html
    assert f"Knee flexion (left, active): {made['rom_photo'].degrees:.0f}°" in text
    assert "knee_flexion" not in text


def test_front_desk_sees_none_of_the_summary(clinic_a: ClinicWorld, web_as: Any) -> None:
    made = _record_everything(clinic_a)
    html, text = _page(web_as(clinic_a.users[Role.FRONT_DESK]), clinic_a)
    assert SUMMARY_HEADING not in text
    for name in ("assessments:rom", "assessments:measures", "assessments:special_tests", "assessments:wellness"):
        assert reverse(name, kwargs={"client_id": clinic_a.client.pk, "visit_id": clinic_a.visit.pk}) not in html
    assert "Cervical rotation" not in text
    assert "tingling at 30 s" not in text
    assert "Posture" not in text
    assert "Gait, " not in text
    assert f"{made['rom_photo'].degrees:.0f}°" not in text


def test_a_visit_with_nothing_recorded_renders_the_empty_summary(clinic_a: ClinicWorld, web_as: Any) -> None:
    _, text = _page(web_as(clinic_a.users[Role.PRACTITIONER]), clinic_a)
    assert SUMMARY_HEADING in text
    assert "Nothing else is recorded yet" in text
