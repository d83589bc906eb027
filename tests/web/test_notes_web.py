"""Session notes through the pages and the API: the draft saves itself, bad input changes nothing,
signing locks, corrections are addenda beside the original, a voided note is kept, and nobody
outside the clinic or at the front desk reaches a note."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.audit.models import AuditEntry
from taut.notes import services
from taut.notes.models import NoteAddendum, SessionNote
from tests.factories import ClinicWorld, make_clinic
from tests.web.routes import http_for

pytestmark = pytest.mark.django_db
P, FD = Role.PRACTITIONER.value, Role.FRONT_DESK.value


def _start(world: ClinicWorld) -> SessionNote:
    with clinic_scope(world.clinic):
        return services.do_start_note(world.visit, world.users[P], P)


def _url(name: str, note: SessionNote) -> str:
    return reverse(f"notes:{name}", kwargs={"client_id": note.client_id, "visit_id": note.visit_id, "note_id": note.pk})


def _reload(world: ClinicWorld, note: SessionNote) -> SessionNote:
    with clinic_scope(world.clinic):
        return SessionNote.objects.get(pk=note.pk)


def _entries(world: ClinicWorld) -> int:
    with clinic_scope(world.clinic):
        return AuditEntry.objects.count()


def _web(world: ClinicWorld, role: str = P) -> HttpClient:
    return http_for("web", world, role)


def test_start_from_the_visit_page_opens_a_draft() -> None:
    """The visit page offers to start a note; starting one opens its draft, listed on the visit."""
    world = make_clinic()
    http = _web(world)
    visit_url = reverse("clients:visit_detail", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    assert "Start a session note" in http.get(visit_url).content.decode()
    start = reverse("notes:start", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    response = http.post(start)
    assert response.status_code == 302
    with clinic_scope(world.clinic):
        note = SessionNote.objects.get(visit=world.visit)
    assert response["Location"] == _url("edit", note)
    page = http.get(_url("edit", note)).content.decode()
    assert "Session note (draft)" in page
    assert 'data-autosave="' + _url("save", note) in page
    assert "Draft note" in http.get(visit_url).content.decode()


def test_autosave_keeps_every_field_and_answers_the_time() -> None:
    """The save endpoint stores the SOAP fields and rows and answers when it saved."""
    world = make_clinic()
    note = _start(world)
    response = _web(world).post(
        _url("save", note),
        {
            "pain_now": "6",
            "change_since_last": "better",
            "subjective": "Headache twice this week",
            "tp-0-muscle": "upper_trapezius",
            "tp-0-side": "left",
            "tp-0-kind": "active",
            "tp-0-twitch": "on",
            "tp-1-muscle": "",
            "rom-0-motion": "Cervical rotation",
            "rom-0-side": "left",
            "rom-0-degrees": "62",
            "tech-0-muscle": "upper_trapezius",
            "tech-0-technique": "Ischemic compression",
            "tech-0-pressure": "moderate",
            "tech-0-minutes": "5",
            "pain_before": "6",
            "pain_after": "3",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["saved"] is True
    assert len(response.json()["saved_at"]) == 5
    note = _reload(world, note)
    assert note.pain_now == 6
    assert note.change_since_last == "better"
    assert note.trigger_points == [
        {
            "muscle": "upper_trapezius",
            "side": "left",
            "kind": "active",
            "twitch": True,
            "referral": False,
            "taut_band": False,
        }
    ]
    assert note.rom_retests[0]["degrees"] == 62
    assert note.techniques[0]["minutes"] == 5
    assert (note.pain_before, note.pain_after) == (6, 3)


@pytest.mark.parametrize(
    "bad",
    [
        {"pain_now": "12"},
        {"pain_now": "a lot"},
        {"tp-0-muscle": "not_a_muscle"},
        {"tp-0-muscle": "upper_trapezius", "tp-0-kind": "sleepy"},
        {"rom-0-motion": "Cervical rotation", "rom-0-degrees": "400"},
        {"tech-0-muscle": "upper_trapezius", "tech-0-minutes": "-3"},
        {"change_since_last": "much better"},
        {"subjective": "x" * 5001},
    ],
)
def test_bad_input_is_refused_and_changes_nothing(bad: dict[str, str]) -> None:
    """Autosave and Save answer with a message naming the problem; the draft stays as it was."""
    world = make_clinic()
    note = _start(world)
    http = _web(world)
    assert http.post(_url("save", note), {"subjective": "kept"}).status_code == 200
    before = _entries(world)
    response = http.post(_url("save", note), {"subjective": "changed", **bad})
    assert response.status_code == 422
    assert response.json()["saved"] is False
    assert response.json()["errors"]
    page = http.post(_url("edit", note), {"subjective": "changed", **bad})
    assert page.status_code == 422
    assert "Nothing was saved" in page.content.decode()
    assert _reload(world, note).subjective == "kept"
    assert _entries(world) == before


def test_signing_locks_the_note() -> None:
    """A signed note cannot be edited through the page, the autosave or the API."""
    world = make_clinic()
    note = _start(world)
    http = _web(world)
    http.post(_url("save", note), {"subjective": "as signed"})
    assert http.post(_url("sign", note)).status_code == 302
    note = _reload(world, note)
    assert note.status == SessionNote.Status.SIGNED
    assert note.signed_by == world.users[P]
    assert http.get(_url("edit", note)).status_code == 302
    assert http.post(_url("save", note), {"subjective": "changed later"}).status_code == 422
    api = http_for("api", world, P)
    path = f"/api/v1/clients/{note.client_id}/visits/{note.visit_id}/notes/{note.pk}"
    response = api.patch(path, json.dumps({"subjective": "changed by API"}), content_type="application/json")
    assert response.status_code == 422
    assert _reload(world, note).subjective == "as signed"


def test_an_addendum_is_shown_beside_the_original() -> None:
    """A correction keeps its author, time and reason; the signed text stays visible and unchanged."""
    world = make_clinic()
    note = _start(world)
    http = _web(world)
    http.post(_url("save", note), {"subjective": "Pain on the right"})
    http.post(_url("sign", note))
    response = http.post(_url("addendum", note), {"reason": "Side recorded wrongly", "text": "It was on the left."})
    assert response.status_code == 302
    page = http.get(_url("detail", note)).content.decode()
    assert "Pain on the right" in page
    assert "It was on the left." in page
    assert "Side recorded wrongly" in page
    with clinic_scope(world.clinic):
        addendum = NoteAddendum.objects.get(note=note)
    assert addendum.author == world.users[P]
    assert _reload(world, note).subjective == "Pain on the right"


def test_an_addendum_needs_a_reason_and_a_signed_note() -> None:
    world = make_clinic()
    note = _start(world)
    http = _web(world)
    http.post(_url("addendum", note), {"reason": "x", "text": "on a draft"})
    http.post(_url("sign", note))
    http.post(_url("addendum", note), {"reason": "", "text": "no reason"})
    with clinic_scope(world.clinic):
        assert not NoteAddendum.objects.filter(note=note).exists()


def test_a_voided_note_is_kept_and_marked() -> None:
    """Voiding needs a reason; the note stays, shown as void, and cannot be signed afterwards."""
    world = make_clinic()
    note = _start(world)
    http = _web(world)
    http.post(_url("save", note), {"subjective": "wrong client"})
    http.post(_url("void", note), {"reason": ""})
    assert _reload(world, note).status == SessionNote.Status.DRAFT
    http.post(_url("void", note), {"reason": "Started under the wrong client"})
    note = _reload(world, note)
    assert note.status == SessionNote.Status.VOID
    page = http.get(_url("detail", note)).content.decode()
    assert "Started under the wrong client" in page
    assert "wrong client" in page
    http.post(_url("sign", note))
    assert _reload(world, note).status == SessionNote.Status.VOID


def test_the_previous_signed_note_is_one_click_away() -> None:
    """The draft links to the client's latest signed note."""
    world = make_clinic()
    first = _start(world)
    http = _web(world)
    http.post(_url("sign", first))
    second = _start(world)
    page = http.get(_url("edit", second)).content.decode()
    assert _url("detail", first) in page
    assert "No earlier signed note" not in page


def test_the_edit_page_offers_the_charts_muscles_by_name() -> None:
    """Trigger point rows offer the knowledge base's muscles by their names in words."""
    world = make_clinic()
    note = _start(world)
    page = _web(world).get(_url("edit", note)).content.decode()
    assert ">Upper trapezius<" in page
    assert ">upper_trapezius<" not in page


def test_another_clinic_and_the_front_desk_reach_no_note() -> None:
    """A practitioner of another clinic gets 404 on every note page; front desk gets 403."""
    world, other = make_clinic(), make_clinic()
    note = _start(world)
    stranger, desk = _web(other), _web(world, FD)
    for name in ("detail", "edit"):
        assert stranger.get(_url(name, note)).status_code == 404
        assert desk.get(_url(name, note)).status_code == 403
    for name in ("save", "sign", "void"):
        assert stranger.post(_url(name, note), {"reason": "x"}).status_code == 404
        assert desk.post(_url(name, note), {"reason": "x"}).status_code == 403
    assert _reload(world, note).status == SessionNote.Status.DRAFT
    visit_url = reverse("clients:visit_detail", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    assert "Session notes" not in desk.get(visit_url).content.decode()


def test_api_round_trip() -> None:
    """Create, update, read, sign, correct and list through the API."""
    world = make_clinic()
    api = http_for("api", world, P)
    base = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/notes"
    created = api.post(base, "{}", content_type="application/json")
    assert created.status_code == 201, created.content
    note_id = created.json()["id"]
    body: dict[str, Any] = {
        "pain_now": 5,
        "trigger_points": [{"muscle": "levator_scapulae", "side": "right", "kind": "latent", "taut_band": True}],
        "techniques": [{"muscle": "levator_scapulae", "technique": "Stripping", "pressure": "light", "minutes": 4}],
    }
    updated = api.patch(f"{base}/{note_id}", json.dumps(body), content_type="application/json")
    assert updated.status_code == 200, updated.content
    assert updated.json()["trigger_points"][0]["taut_band"] is True
    bad = api.patch(f"{base}/{note_id}", json.dumps({"pain_now": 11}), content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"]
    assert api.get(f"{base}/{note_id}").json()["pain_now"] == 5
    assert api.post(f"{base}/{note_id}/sign", "{}", content_type="application/json").json()["status"] == "signed"
    addendum = api.post(
        f"{base}/{note_id}/addenda",
        json.dumps({"reason": "typo", "text": "five, not four"}),
        content_type="application/json",
    )
    assert addendum.status_code == 201
    read = api.get(f"{base}/{note_id}").json()
    assert read["addenda"][0]["reason"] == "typo"
    assert [n["id"] for n in api.get(base).json()] == [note_id]
