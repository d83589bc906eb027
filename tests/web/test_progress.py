"""The progress page of a client: real records in, words and charts out.

Built from the assessments and signed session notes of three visits through their own services;
clinical roles see it, front desk is refused, another clinic's client is 404, and each view of
the page is one audited read of the client.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from PIL import Image

from taut.access.models import Role, User
from taut.access.scoping import clinic_scope
from taut.assessments import measures
from taut.assessments import services as assessments
from taut.clients import services as clients
from taut.clients.models import Visit
from taut.core.knowledge.loader import load_base
from taut.core.measures.scoring import score
from taut.notes import services as notes
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id

pytestmark = pytest.mark.django_db

WebAs = Callable[[User], HttpClient]
PRAC = Role.PRACTITIONER.value
ZONE = "posterior_neck_l"
NDI_FIRST = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]  # 30 of 50
NDI_LAST = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]  # 10 of 50


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def add_visit(world: ClinicWorld, days_ago: int) -> Visit:
    return clients.do_create_visit(
        world.client, {"date": world.visit.date - dt.timedelta(days=days_ago)}, world.users[PRAC].pk, PRAC
    )


def course_of_care(world: ClinicWorld) -> None:
    """Three visits: neck pain 7 -> 4 -> 3, NDI 30 -> 10, cervical rotation 50 -> 56 -> 58, two signed notes."""
    user = world.users[PRAC]
    with clinic_scope(world.clinic):
        first, second, last = add_visit(world, 42), add_visit(world, 21), world.visit
        for visit, pain, rotation in ((first, 7, 50), (second, 4, 56), (last, 3, 58)):
            assessments.do_save_pain_chart(visit, {"pain": [{"zone": ZONE, "intensity": pain}]}, user, PRAC)
            assessments.do_save_rom(
                visit, [{"motion": "cervical_rotation", "side": "left", "active": rotation}], user, PRAC
            )
        measures.do_record_measure(first, "ndi", NDI_FIRST, user, PRAC)
        measures.do_record_measure(last, "ndi", NDI_LAST, user, PRAC)
        for visit, before, after in ((first, 7, 4), (last, 3, 2)):
            note = notes.do_start_note(visit, user, PRAC)
            notes.do_save_draft(note, {"pain_before": before, "pain_after": after}, user, PRAC)
            notes.do_sign_note(note, user, PRAC)


def url(world: ClinicWorld) -> str:
    return reverse("reports:progress", kwargs={"client_id": world.client.pk})


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def test_page_shows_the_course_of_care_in_words_and_charts(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """Each measure is in words (better, by how much, against its threshold) with a PNG chart."""
    course_of_care(clinic_a)
    response = web_as(clinic_a.users[PRAC]).get(url(clinic_a))
    assert response.status_code == 200
    html = response.content.decode()
    words = text(html)
    ndi_change = score("ndi", NDI_LAST).value - score("ndi", NDI_FIRST).value
    mcid = load_base().instruments["ndi"].mcid
    assert mcid is not None
    assert abs(ndi_change) >= mcid.value
    zone = load_base().zones[ZONE].name
    assert f"Neck Disability Index: {score('ndi', NDI_LAST).value:g} points" in words
    assert f"better by {abs(ndi_change):g} points since the first measurement" in words
    assert f"beyond the smallest important change ({mcid.value:g} points)" in words
    assert f"Pain, {zone}: 3 points" in words
    assert "better by 4 points since the first measurement" in words
    # pain 4 -> 3 since the previous chart is inside the NPRS smallest important change (2 points)
    assert "no change as large as the smallest important change (2 points) since the previous measurement" in words
    assert "Cervical rotation, left (active): 58°" in words
    assert "better by 8° since the first" in words
    assert "Pain after treatment (session notes)" in words
    assert "Better since the first measurement on" in words
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(uris) >= 5  # pain region, pain before, pain after, ROM, NDI
    image = Image.open(io.BytesIO(base64.b64decode(uris[0])))
    assert (image.format, image.size) == ("PNG", (640, 240))


def test_page_read_is_audited(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """One "read" entry of the client per view of the page, naming the progress view."""
    course_of_care(clinic_a)
    last = last_audit_id()
    assert web_as(clinic_a.users[PRAC]).get(url(clinic_a)).status_code == 200
    entries = [e for e in audit_after(last) if e.action == "read"]
    assert [(e.object_type, e.object_id, e.detail.get("view")) for e in entries] == [
        ("client", str(clinic_a.client.pk), "progress")
    ]


def test_other_clinic_is_404_and_reads_nothing(clinic_a: ClinicWorld, clinic_b: ClinicWorld, web_as: WebAs) -> None:
    """A practitioner of another clinic gets 404 for this client, and no read is recorded."""
    course_of_care(clinic_a)
    last = last_audit_id()
    response = web_as(clinic_b.users[PRAC]).get(url(clinic_a))
    assert response.status_code == 404
    assert "Neck Disability Index" not in response.content.decode()
    assert not [e for e in audit_after(last) if e.action == "read"]


def test_front_desk_is_refused(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """Front desk gets 403 with no clinical content, and the client page shows it no link."""
    course_of_care(clinic_a)
    http = web_as(clinic_a.users[Role.FRONT_DESK.value])
    response = http.get(url(clinic_a))
    assert response.status_code == 403
    assert "Neck Disability Index" not in response.content.decode()
    page = http.get(reverse("clients:client_detail", kwargs={"client_id": clinic_a.client.pk})).content.decode()
    assert url(clinic_a) not in page
    own = web_as(clinic_a.users[PRAC]).get(reverse("clients:client_detail", kwargs={"client_id": clinic_a.client.pk}))
    assert url(clinic_a) in own.content.decode()


def test_client_with_no_records_gets_a_plain_message(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """Nothing recorded yet: the page says so and draws no chart."""
    html = web_as(clinic_a.users[Role.OWNER.value]).get(url(clinic_a)).content.decode()
    assert "No measurements yet" in html
    assert "data:image/png" not in html
