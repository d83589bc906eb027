"""Rejected intake input changes nothing (security items 11 and 12) and its text is escaped (22).

Hypothesis takes the valid answers of each step and breaks one field: blanks a required one,
makes text too long, puts garbage where a date, a choice or a body area is expected, or adds a
NUL character. A step is shown again with its errors (never saved, never a 500); the link's
draft and every row count stay the same. The staff pages get the same treatment.
"""

from __future__ import annotations

import os
import string
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.intake import services as intake
from taut.intake.models import IntakeLink
from tests.factories import ClinicWorld, make_clinic
from tests.web.routes import FAST_HASHERS
from tests.web.routes_intake import flat_answers, step_answers
from tests.web.test_intake import counts

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("TAUT_BADINPUT_EXAMPLES", "25"))
LIMITS = {
    "given_name": 100, "family_name": 100, "phone": 40, "email": 254, "address": 300, "occupation": 120,
    "emergency_contact_name": 120, "emergency_contact_phone": 40, "reason": 300, "health_history": 5000,
    "medications": 2000, "physician": 200, "signed_by": 200, "relationship": 60, "pain": 5000,
    "ci_anticoagulants_detail": 300,
}  # fmt: skip
REQUIRED = {
    "contact": ["given_name", "family_name", "date_of_birth", "phone"],
    "health": ["reason"],
    "screen": ["ci_anticoagulants", "ci_pregnancy", "rf_saddle_anaesthesia"],
    "pain": ["pain"],
    "consent": ["signed_by", "agreed", "consent_version"],
}
GARBAGE = {
    "date_of_birth": ["2023-02-30", "31/12/2020", "yesterday", "0000-00-00", "2999-13-01"],
    "sex": ["alien", "FEMALE!", "1"],
    "email": ["not-an-email", "a@", "@b.org"],
    "ci_anticoagulants": ["maybe", "YES", "1", "true"],
    "rf_saddle_anaesthesia": ["perhaps", "0"],
    "ci_pregnancy_detail": ["fourth", "0"],
    "pain": ["nowhere-zone:5", "left temple:eleven:aching:x:y", ":::", "left temple:99"],
    "hydration.fluid_intake": ["a_bucket", "1"],
    "consent_version": ["0.9", "2.0", "x"],
}
STEP_OF = {f: slug for slug, fields in REQUIRED.items() for f in fields} | {
    f: slug for slug, answers in step_answers().items() for f in answers
}
STEP_OF.update(
    {"sex": "contact", "email": "contact", "ci_pregnancy_detail": "screen", "hydration.fluid_intake": "wellness"}
    | dict.fromkeys(("address", "occupation", "emergency_contact_name", "emergency_contact_phone"), "contact")
    | {"ci_anticoagulants_detail": "screen"}
)


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@st.composite
def broken_step(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """One step's valid answers with one thing wrong."""
    how = draw(st.sampled_from(["blank", "too_long", "garbage", "nul"]))
    if how == "blank":
        slug = draw(st.sampled_from(sorted(REQUIRED)))
        field = draw(st.sampled_from(REQUIRED[slug]))
        data = step_answers()[slug]
        data.pop(field, None) if draw(st.booleans()) else data.__setitem__(field, "")
        if slug == "pain":
            data.pop("no_pain", None)
        return slug, data
    if how == "too_long":
        field = draw(st.sampled_from(sorted(LIMITS)))
        slug = STEP_OF[field]
        extra = draw(st.integers(1, 500))
        value = "x" * (LIMITS[field] + extra)
        if field == "email":
            value = "x" * (LIMITS[field] + extra) + "@example.org"
        return slug, {**step_answers(screen__ci_anticoagulants="yes")[slug], field: value}
    if how == "garbage":
        field = draw(st.sampled_from(sorted(GARBAGE)))
        slug = STEP_OF[field]
        data = step_answers(screen__ci_pregnancy="yes", screen__ci_pregnancy_detail="second")[slug]
        return slug, {**data, field: draw(st.sampled_from(GARBAGE[field]))}
    texts = [f for f in LIMITS if f not in {"pain"}]
    field = draw(st.sampled_from(sorted(texts)))
    slug = STEP_OF[field]
    prefix = draw(st.text(alphabet=string.ascii_letters, max_size=5))
    return slug, {**step_answers(screen__ci_anticoagulants="yes")[slug], field: prefix + "\x00" + "z"}


def _link(world: ClinicWorld) -> tuple[IntakeLink, str]:
    with clinic_scope(world.clinic):
        return intake.do_create_link(world.client, world.users[Role.OWNER], Role.OWNER)


def test_broken_step_posts_are_refused_and_change_nothing(settings: Any) -> None:
    """Each broken step post is answered 200 with an alert (never a redirect or a 500); the draft
    and every row count are unchanged."""
    settings.TAUT_INTAKE_PER_MINUTE = 10_000
    world = make_clinic()
    link, token = _link(world)
    http = HttpClient()
    http.raise_request_exception = False
    seen: list[int] = []

    @settings_for_examples
    @given(case=broken_step())
    def attempt(case: tuple[str, dict[str, str]]) -> None:
        slug, data = case
        before = counts()
        with unscoped():
            draft = IntakeLink.objects.get(pk=link.pk).draft
        response = http.post(reverse("intake:intake_step", kwargs={"intake_token": token, "step": slug}), data)
        seen.append(response.status_code)
        assert response.status_code == 200, (slug, data)
        assert 'role="alert"' in response.content.decode()
        assert counts() == before
        with unscoped():
            assert IntakeLink.objects.get(pk=link.pk).draft == draft

    attempt()
    assert seen


settings_for_examples = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def test_in_clinic_form_refuses_broken_input_and_changes_nothing() -> None:
    """The in-clinic page (all steps at once) refuses the same broken fields; nothing is saved."""
    world = make_clinic()
    http = HttpClient()
    http.force_login(world.users[Role.PRACTITIONER])
    http.raise_request_exception = False
    url = reverse("intake:intake_fill", args=[world.client.pk])

    @settings_for_examples
    @given(case=broken_step())
    def attempt(case: tuple[str, dict[str, str]]) -> None:
        slug, data = case
        posted = flat_answers(screen__ci_anticoagulants="yes") | data
        if slug == "pain" and "pain" not in data:
            posted.pop("pain", None)
        if slug in REQUIRED and not all(data.get(f) for f in REQUIRED[slug]):
            for field in REQUIRED[slug]:
                if not data.get(field):
                    posted.pop(field, None)
        before = counts()
        response = http.post(url, posted)
        assert response.status_code == 200, (slug, data)
        assert 'role="alert"' in response.content.decode()
        assert counts() == before

    attempt()


@pytest.mark.parametrize(
    "data",
    [{"days": "0"}, {"days": "31"}, {"days": "seven"}, {"days": ""}, {"days": "7", "practitioner": "999999"},
     {"days": "7", "practitioner": "x"}, {"days": "7\x00"}],
)  # fmt: skip
def test_link_form_refuses_bad_values(data: dict[str, str]) -> None:
    """Bad validity or practitioner values are shown again with an alert; no link is made."""
    world = make_clinic()
    http = HttpClient()
    http.force_login(world.users[Role.PRACTITIONER])
    if "practitioner" not in data:
        with clinic_scope(world.clinic):
            first = intake.clinical_members().first()
        assert first is not None
        data = {**data, "practitioner": str(first.pk)}
    before = counts()
    response = http.post(reverse("intake:intake_links", args=[world.client.pk]), data)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert counts() == before
