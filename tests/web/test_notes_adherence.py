"""What a session note carries from the rest of the record: the home-programme adherence since the
previous visit (days done of days due, frozen when the note is signed) and the posture photos of
the note's own visit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.clients import services as clients
from taut.homecare import services as homecare
from taut.homecare.models import AdherenceEntry, HomeProgramme, HomeProgrammeLink
from taut.motion import posture as posture_service
from taut.notes import services as notes
from taut.notes.models import SessionNote
from tests.factories import ClinicWorld
from tests.web.motion_media import make_photo, photo_bytes
from tests.web.routes import FAST_HASHERS, http_for

pytestmark = pytest.mark.django_db
P = Role.PRACTITIONER.value
DAILY, THRICE = "chin_tuck", "upper_trapezius_stretch"
GAP = 6  # the previous visit was six days before this one: the window is the five days after it and today


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


def today() -> dt.date:
    return timezone.localdate()


def course(world: ClinicWorld) -> tuple[HomeProgramme, HomeProgrammeLink, Any]:
    """A previous visit GAP days ago and a home programme begun long before it."""
    user = world.users[P]
    with clinic_scope(world.clinic):
        previous = clients.do_create_visit(world.client, {"date": today() - dt.timedelta(days=GAP)}, user.pk, P)
        programme = homecare.do_create_programme(
            world.client, [{"exercise": DAILY}, {"exercise": THRICE, "per_week": 3}], user, P
        )
        HomeProgramme.objects.filter(pk=programme.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
        programme.refresh_from_db()
        link, _ = homecare.do_send_link(programme, user, P)
    return programme, link, previous


def tick_on(world: ClinicWorld, link: HomeProgrammeLink, exercise: str, days_ago: int, done: bool = True) -> None:
    day = today() - dt.timedelta(days=days_ago)
    with clinic_scope(world.clinic):
        if days_ago <= 7:
            homecare.do_record_adherence(link, exercise, day, done, 3, 2)
        else:  # older than the phone page allows: written as it would have been then
            AdherenceEntry.objects.create(
                clinic=world.clinic, programme=link.programme, link=link, exercise_id=exercise, date=day, done=done
            )


def start(world: ClinicWorld) -> SessionNote:
    with clinic_scope(world.clinic):
        return notes.do_start_note(world.visit, world.users[P], P)


def by_exercise(adherence: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {e["exercise"]: (e["days_done"], e["days_due"]) for e in adherence["exercises"]}


def test_the_window_counts_days_done_since_the_previous_visit_against_days_due(clinic_a: ClinicWorld) -> None:
    _, link, previous = course(clinic_a)
    for days_ago in (5, 3, 1):
        tick_on(clinic_a, link, DAILY, days_ago)
    tick_on(clinic_a, link, DAILY, 2, done=False)  # ticked as not done: not a day done
    tick_on(clinic_a, link, DAILY, GAP)  # the day of the previous visit: before the window
    tick_on(clinic_a, link, DAILY, 9)  # long before
    tick_on(clinic_a, link, THRICE, 4)
    note = start(clinic_a)
    with clinic_scope(clinic_a.clinic):
        adherence = notes.note_adherence(note)
    window = GAP  # from the day after the previous visit to today, both counted
    assert adherence["last_session"] == previous.date.isoformat()
    assert adherence["since"] == (previous.date + dt.timedelta(days=1)).isoformat()
    assert adherence["until"] == today().isoformat()
    assert by_exercise(adherence) == {DAILY: (3, window), THRICE: (1, round(window * 3 / 7))}


def test_without_a_previous_visit_the_window_starts_with_the_programme(clinic_a: ClinicWorld) -> None:
    user = clinic_a.users[P]
    with clinic_scope(clinic_a.clinic):
        programme = homecare.do_create_programme(clinic_a.client, [{"exercise": DAILY}], user, P)
        HomeProgramme.objects.filter(pk=programme.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
        link, _ = homecare.do_send_link(programme, user, P)
    tick_on(clinic_a, link, DAILY, 2)
    tick_on(clinic_a, link, DAILY, 0)
    with clinic_scope(clinic_a.clinic):
        adherence = notes.note_adherence(start(clinic_a))
    assert adherence["last_session"] is None
    assert by_exercise(adherence) == {DAILY: (2, 4)}


def test_a_signed_note_keeps_its_snapshot_after_later_ticks(clinic_a: ClinicWorld) -> None:
    _, link, _ = course(clinic_a)
    tick_on(clinic_a, link, DAILY, 3)
    note = start(clinic_a)
    with clinic_scope(clinic_a.clinic):
        note = notes.do_sign_note(note, clinic_a.users[P], P)
    snapshot = dict(note.adherence)
    assert by_exercise(snapshot)[DAILY] == (1, GAP)
    # the client goes on ticking after the session
    tick_on(clinic_a, link, DAILY, 1)
    tick_on(clinic_a, link, DAILY, 0)
    with clinic_scope(clinic_a.clinic):
        stored = SessionNote.objects.get(pk=note.pk)
        shown = notes.note_adherence(stored)
        live = notes.adherence_since_last(stored)
    assert stored.adherence == snapshot
    assert shown == snapshot
    assert by_exercise(live)[DAILY] == (3, GAP)  # the live figures did move
    page = http_for("web", clinic_a, P).get(
        reverse("notes:detail", kwargs={"client_id": note.client_id, "visit_id": note.visit_id, "note_id": note.pk})
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "As recorded when the note was signed" in body
    assert f"1 of {GAP}" in body
    assert f"3 of {GAP}" not in body


def test_a_draft_shows_the_live_figures(clinic_a: ClinicWorld) -> None:
    _, link, _ = course(clinic_a)
    note = start(clinic_a)
    tick_on(clinic_a, link, DAILY, 1)
    tick_on(clinic_a, link, DAILY, 2)
    url = reverse("notes:edit", kwargs={"client_id": note.client_id, "visit_id": note.visit_id, "note_id": note.pk})
    body = http_for("web", clinic_a, P).get(url).content.decode()
    assert "As the client ticked it" in body
    assert f"2 of {GAP}" in body


def test_the_note_shows_only_its_own_visits_posture_photos(clinic_a: ClinicWorld) -> None:
    _, _, previous = course(clinic_a)
    mine = make_photo(clinic_a, "front")
    with clinic_scope(clinic_a.clinic):
        other = posture_service.do_add_photo(previous, "back", photo_bytes(), clinic_a.users[P], P, by_hand=True)
    note = start(clinic_a)
    with clinic_scope(clinic_a.clinic):
        assert [p.pk for p in notes.posture_photos(note)] == [mine.pk]
        note = notes.do_sign_note(note, clinic_a.users[P], P)
    kwargs = {"client_id": note.client_id, "visit_id": note.visit_id, "note_id": note.pk}
    body = http_for("web", clinic_a, P).get(reverse("notes:detail", kwargs=kwargs)).content.decode()
    assert 'data-testid="note-posture"' in body
    assert reverse("motion:posture_annotated", args=[mine.client_id, mine.visit_id, mine.pk]) in body
    assert reverse("motion:posture_annotated", args=[other.client_id, other.visit_id, other.pk]) not in body
    with unscoped():
        assert other.visit_id == previous.pk != note.visit_id
