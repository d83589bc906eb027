"""The range-of-motion reading a practitioner sees: degrees beside the norm, a left-right
asymmetry in words, no "hypermobile" for a range merely above the average, motion names in words,
and an error that names the row holding the bad value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role, User
from taut.access.scoping import clinic_scope
from taut.assessments.models import RomAssessment
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db

WebAs = Callable[[User], HttpClient]


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _url(world: ClinicWorld) -> str:
    return reverse("assessments:rom", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})


def _text(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_reading_shows_degrees_the_norm_and_the_asymmetry(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    posted = {
        "cervical_rotation.left.active": "55",
        "cervical_rotation.right.active": "72",
        "cervical_extension.midline.active": "50",
    }
    response = http.post(_url(clinic_a), posted, follow=True)
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "55°" in text
    assert "72°" in text
    assert "50°" in text
    assert "60°" in text  # the cervical rotation norm beside the values
    assert "Left-right differences" in text
    assert "17 degrees less on the left" in text
    assert "hypermobile (" not in text.lower()
    assert "more range than usual" not in text
    assert "Cervical rotation" in text
    assert "cervical_rotation" not in text


def test_an_error_names_the_row_that_holds_the_bad_value(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    """The bad value is in the second filled row (right rotation): the error says so and nothing is saved."""
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    posted = {"cervical_rotation.left.active": "60", "cervical_rotation.right.active": "400"}
    response = http.post(_url(clinic_a), posted)
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "Nothing was saved" in text
    assert "Cervical rotation, right (active): 400 degrees" in text
    assert "row 1" not in text
    assert "row 0" not in text
    with clinic_scope(clinic_a.clinic):
        assert not RomAssessment.objects.filter(visit=clinic_a.visit).exists()
