"""Booking with a time and a length, and the Today page: the practitioner's day in time order with
what is due (a note to write or sign, a re-assessment, a red flag), scoped to the clinic, and no
clinical content for front desk."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.clients import services as clients
from taut.clients.models import Visit
from taut.notes import services as notes
from taut.safety import services as safety
from tests.factories import CLINICAL_MARKER, ClinicWorld, make_client
from tests.web.routes import FAST_HASHERS
from tests.web.routes_safety import RED_FLAG, file_red_flag_intake

pytestmark = pytest.mark.django_db

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
TODAY_URL = reverse("clients:dashboard")


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def page(http: HttpClient, url: str = TODAY_URL) -> str:
    response = http.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def book(world: ClinicWorld, start: str | None, length: int = 60, **data: Any) -> Visit:
    with clinic_scope(world.clinic):
        client = data.pop("client", None) or make_client(world.clinic)
        fields = {"date": timezone.localdate(), "duration_minutes": length, **data}
        if start is not None:
            fields["start_time"] = dt.time.fromisoformat(start)
        return clients.do_create_visit(client, fields, world.users[PRACTITIONER].pk, PRACTITIONER)


def form_data(world: ClinicWorld, **overrides: Any) -> dict[str, Any]:
    data = {
        "practitioner": world.users[PRACTITIONER].pk,
        "date": timezone.localdate().isoformat(),
        "start_time": "10:00",
        "duration_minutes": "60",
        "kind": "treatment",
        "status": "planned",
    }
    data.update(overrides)
    return data


def visit_count(world: ClinicWorld) -> int:
    with clinic_scope(world.clinic):
        return Visit.objects.count()


def test_today_lists_the_day_in_time_order(clinic_a: ClinicWorld, web_as: Any) -> None:
    """Visits booked out of order are listed by start time, with their time, end and length."""
    late = book(clinic_a, "15:30", 45)
    early = book(clinic_a, "08:15", 30)
    middle = book(clinic_a, "11:00", 90)
    text = page(web_as(clinic_a.users[PRACTITIONER]))
    positions = [text.index(str(v.client)) for v in (early, middle, late)]
    assert positions == sorted(positions)
    assert "08:15–08:45" in text
    assert "11:00–12:30" in text
    assert "90 min" in text


def test_overlap_is_refused_then_booked_anyway(clinic_a: ClinicWorld, web_as: Any) -> None:
    """A booking that overlaps the practitioner's visit names it and saves nothing; ticking
    "book anyway" books it."""
    first = book(clinic_a, "10:30", 60)
    http = web_as(clinic_a.users[FRONT_DESK])
    url = reverse("clients:visit_create", kwargs={"client_id": clinic_a.client.pk})
    before = visit_count(clinic_a)
    response = http.post(url, form_data(clinic_a, start_time="10:00"))
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert f"{first.client} at 10:30–11:30" in text
    assert "Book anyway" in text
    assert visit_count(clinic_a) == before
    response = http.post(url, form_data(clinic_a, start_time="10:00", book_anyway="on"))
    assert response.status_code == 302
    assert visit_count(clinic_a) == before + 1


def test_back_to_back_visits_do_not_clash(clinic_a: ClinicWorld, web_as: Any) -> None:
    """A visit that starts when the other ends is not an overlap."""
    book(clinic_a, "09:00", 60)
    http = web_as(clinic_a.users[PRACTITIONER])
    url = reverse("clients:visit_create", kwargs={"client_id": clinic_a.client.pk})
    response = http.post(url, form_data(clinic_a, start_time="10:00"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_time": "25:99"}, "Enter a time of day"),
        ({"start_time": "ten"}, "Enter a time of day"),
        ({"duration_minutes": "4"}, "at least 5 minutes"),
        ({"duration_minutes": "481"}, "at most 480 minutes"),
        ({"duration_minutes": "an hour"}, "whole number of minutes"),
        ({"start_time": "23:30", "duration_minutes": "60"}, "after midnight"),
    ],
)
def test_bad_time_or_length_is_refused_and_nothing_saved(
    overrides: dict[str, str], message: str, clinic_a: ClinicWorld, web_as: Any
) -> None:
    """A bad start time or length gets a clear message and no visit is created."""
    http = web_as(clinic_a.users[PRACTITIONER])
    url = reverse("clients:visit_create", kwargs={"client_id": clinic_a.client.pk})
    before = visit_count(clinic_a)
    response = http.post(url, form_data(clinic_a, **overrides))
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert visit_count(clinic_a) == before


def test_due_note_is_shown_until_signed(clinic_a: ClinicWorld, web_as: Any) -> None:
    """A finished visit asks for its note, then for the draft to be signed, then nothing."""
    visit = book(clinic_a, "08:00", 30, status=Visit.Status.FINISHED, kind=Visit.Kind.INITIAL)
    http = web_as(clinic_a.users[PRACTITIONER])
    assert "Write the session note" in page(http)
    user = clinic_a.users[PRACTITIONER]
    with clinic_scope(clinic_a.clinic):
        note = notes.do_start_note(visit, user, PRACTITIONER)
    text = page(http)
    assert "Sign the draft note" in text
    assert "Write the session note" not in text
    with clinic_scope(clinic_a.clinic):
        notes.do_sign_note(note, user, PRACTITIONER)
    text = page(http)
    assert "Sign the draft note" not in text
    assert "Write the session note" not in text


def test_unsigned_note_of_an_earlier_day_is_in_the_due_list(clinic_a: ClinicWorld, web_as: Any) -> None:
    """A finished visit of last week without a signed note is listed under Due."""
    past = book(clinic_a, "09:00", 60, status=Visit.Status.FINISHED, date=timezone.localdate() - dt.timedelta(days=7))
    text = page(web_as(clinic_a.users[PRACTITIONER]))
    due = text[text.index('data-testid="due-list"') :]
    assert str(past.client) in due
    assert "Write the session note" in due


def test_reassessment_due_after_the_set_number_of_treatments(clinic_a: ClinicWorld, web_as: Any, settings: Any) -> None:
    """A treatment visit after N treatments since the last assessment says a re-assessment is due."""
    settings.TAUT_REASSESS_AFTER_SESSIONS = 2
    today = timezone.localdate()
    with clinic_scope(clinic_a.clinic):
        client = make_client(clinic_a.clinic)
    done = {"status": Visit.Status.FINISHED, "client": client}
    book(clinic_a, "09:00", kind=Visit.Kind.INITIAL, date=today - dt.timedelta(days=14), **done)
    book(clinic_a, "09:00", kind=Visit.Kind.TREATMENT, date=today - dt.timedelta(days=7), **done)
    book(clinic_a, "09:00", kind=Visit.Kind.TREATMENT, date=today - dt.timedelta(days=3), **done)
    book(clinic_a, "16:00", kind=Visit.Kind.TREATMENT, client=client)
    http = web_as(clinic_a.users[PRACTITIONER])
    assert "Re-assessment due: 2 treatments since the last assessment" in page(http)
    settings.TAUT_REASSESS_AFTER_SESSIONS = 3
    assert "Re-assessment due" not in page(http)


def test_red_flag_is_shown_until_resolved(clinic_a: ClinicWorld, web_as: Any) -> None:
    """Today's visit of a client with an unresolved red flag shows it; once resolved it is gone."""
    file_red_flag_intake(clinic_a)
    key = safety.red_flag_key(RED_FLAG)
    with clinic_scope(clinic_a.clinic):
        label = next(f.label for f in safety.active_flags(clinic_a.client) if f.key == key)
    http = web_as(clinic_a.users[PRACTITIONER])
    text = page(http)
    assert f'data-flag="{key}"' in text
    assert label in text
    with clinic_scope(clinic_a.clinic):
        safety.do_resolve_flag(
            clinic_a.client, key, "referred", "Sent to GP", clinic_a.users[PRACTITIONER], PRACTITIONER
        )
    assert f'data-flag="{key}"' not in page(http)


def test_front_desk_sees_names_and_times_but_no_clinical_content(clinic_a: ClinicWorld, web_as: Any) -> None:
    """Front desk gets the schedule (client, time) and no flags, notes, due items or visit links."""
    file_red_flag_intake(clinic_a)
    booked = book(clinic_a, "13:00", 60, status=Visit.Status.FINISHED, chief_complaint=f"{CLINICAL_MARKER} neck")
    text = page(web_as(clinic_a.users[FRONT_DESK]))
    assert str(booked.client) in text
    assert "13:00–14:00" in text
    assert str(clinic_a.client) in text
    for hidden in (CLINICAL_MARKER, "data-flag", "Write the session note", 'data-testid="due-list"', "Re-assessment"):
        assert hidden not in text
    clinical = page(web_as(clinic_a.users[PRACTITIONER]))
    assert "data-flag" in clinical
    assert "Write the session note" in clinical


def test_practitioner_sees_own_day_and_owner_filters(clinic_a: ClinicWorld, web_as: Any) -> None:
    """A practitioner sees only their own visits; the owner sees everyone's and can pick one."""
    with clinic_scope(clinic_a.clinic):
        client = make_client(clinic_a.clinic)
        owners = clients.do_create_visit(
            client,
            {"date": timezone.localdate(), "start_time": dt.time(12, 0)},
            clinic_a.users[OWNER].pk,
            OWNER,
        )
    assert str(owners.client) not in page(web_as(clinic_a.users[PRACTITIONER]))
    owner = web_as(clinic_a.users[OWNER])
    assert str(owners.client) in page(owner)
    only_practitioner = page(owner, f"{TODAY_URL}?practitioner={clinic_a.users[PRACTITIONER].pk}")
    assert str(owners.client) not in only_practitioner
    assert str(clinic_a.client) in only_practitioner


def test_other_clinics_visits_are_never_shown(clinic_a: ClinicWorld, clinic_b: ClinicWorld, web_as: Any) -> None:
    """Clinic B's visits today, even filtered by B's practitioner id, never reach clinic A."""
    theirs = book(clinic_b, "09:00", 60, status=Visit.Status.FINISHED)
    owner = web_as(clinic_a.users[OWNER])
    for url in (TODAY_URL, f"{TODAY_URL}?practitioner={clinic_b.users[PRACTITIONER].pk}"):
        text = page(owner, url)
        assert str(theirs.client) not in text
        assert str(clinic_b.client) not in text
        assert str(clinic_a.client) in text


def test_api_accepts_start_time_and_refuses_overlap(clinic_a: ClinicWorld, api_as: Any) -> None:
    """The API books with a start time, refuses an overlapping one unless book_anyway, and refuses bad times."""
    http = api_as(clinic_a, PRACTITIONER)
    url = f"/api/v1/clients/{clinic_a.client.pk}/visits"
    body = {"date": timezone.localdate().isoformat(), "practitioner_id": clinic_a.users[PRACTITIONER].pk}
    response = http.post(url, {**body, "start_time": "14:30", "duration_minutes": 45}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["start_time"] == "14:30:00"
    before = visit_count(clinic_a)
    clash = {**body, "start_time": "15:00", "duration_minutes": 30}
    response = http.post(url, clash, content_type="application/json")
    assert response.status_code == 422, response.content
    assert "14:30" in response.content.decode()
    assert visit_count(clinic_a) == before
    response = http.post(url, {**clash, "book_anyway": True}, content_type="application/json")
    assert response.status_code == 201, response.content
    for bad in ({"start_time": "25:00"}, {"start_time": 3600}, {"duration_minutes": 481}, {"start_time": "23:50"}):
        before = visit_count(clinic_a)
        response = http.post(url, {**body, **bad}, content_type="application/json")
        assert response.status_code == 422, (bad, response.content)
        assert visit_count(clinic_a) == before
