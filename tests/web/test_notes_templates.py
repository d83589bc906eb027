"""A practitioner's own phrases and note templates: kept per person and per clinic, audited, offered
on the note page under each SOAP field, and a whole-note template fills a new note at start."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access import services as access
from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.audit.models import AuditEntry
from taut.notes import services
from taut.notes.models import NoteTemplate, SessionNote
from tests.factories import PASSWORD, ClinicWorld, make_clinic
from tests.web.routes import http_for

pytestmark = pytest.mark.django_db
P, OWNER, FD = Role.PRACTITIONER.value, Role.OWNER.value, Role.FRONT_DESK.value


def _phrase(world: ClinicWorld, role: str = P, **data: Any) -> NoteTemplate:
    values = {"name": "Stretch", "field": "plan", "text": "Stretch the upper trapezius twice a day.", **data}
    with clinic_scope(world.clinic):
        return services.do_create_template(world.users[role], world.clinic, role, values)


def _count(world: ClinicWorld) -> int:
    with clinic_scope(world.clinic):
        return NoteTemplate.objects.count()


def _entries(world: ClinicWorld, action: str) -> list[AuditEntry]:
    with clinic_scope(world.clinic):
        return list(AuditEntry.objects.filter(action=action, object_type="notetemplate"))


def _edit_url(note: SessionNote) -> str:
    return reverse("notes:edit", kwargs={"client_id": note.client_id, "visit_id": note.visit_id, "note_id": note.pk})


def test_add_edit_and_delete_a_phrase_through_the_pages() -> None:
    """The practitioner adds a phrase, sees it listed, changes it and deletes it; each write is audited."""
    world = make_clinic()
    http = http_for("web", world, P)
    add = http.post(reverse("notes:template_add"), {"name": "Ice", "field": "plan", "text": "Ice for 10 minutes."})
    assert add.status_code == 302
    with clinic_scope(world.clinic):
        phrase = NoteTemplate.objects.get()
    assert (phrase.owner_id, phrase.clinic_id, phrase.field) == (world.users[P].pk, world.clinic.pk, "plan")
    listing = http.get(reverse("notes:templates")).content.decode()
    assert "Ice for 10 minutes." in listing
    edit = reverse("notes:template_edit", kwargs={"template_id": phrase.pk})
    assert http.post(edit, {"name": "Ice", "field": "plan", "text": "Ice for 15 minutes."}).status_code == 302
    phrase.refresh_from_db()
    assert phrase.text == "Ice for 15 minutes."
    delete = reverse("notes:template_delete", kwargs={"template_id": phrase.pk})
    assert http.post(delete).status_code == 302
    assert _count(world) == 0
    assert [len(_entries(world, a)) for a in ("create", "update", "delete")] == [1, 1, 1]


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "", "field": "plan", "text": "x"},
        {"name": "n" * 101, "field": "plan", "text": "x"},
        {"name": "Ice", "field": "diagnosis", "text": "x"},
        {"name": "Ice", "field": "plan", "text": "   "},
        {"name": "Ice", "field": "plan", "text": "x" * 5001},
        {"name": "Whole", "field": "note"},
    ],
)
def test_bad_phrase_is_refused_and_nothing_saved(bad: dict[str, str]) -> None:
    """A phrase without a name, with an unknown field, empty or too long answers 422 and saves nothing."""
    world = make_clinic()
    http = http_for("web", world, P)
    response = http.post(reverse("notes:template_add"), bad)
    assert response.status_code == 422
    assert "Nothing was saved" in response.content.decode()
    assert _count(world) == 0
    api = http_for("api", world, P)
    answer = api.post("/api/v1/note-templates", json.dumps(bad), content_type="application/json")
    assert answer.status_code in (400, 422)
    assert answer.json()["errors"]
    assert _count(world) == 0


def test_phrases_are_per_practitioner() -> None:
    """Another practitioner of the same clinic neither sees nor changes my phrase (404, unchanged)."""
    world = make_clinic()
    mine = _phrase(world, text="Only mine")
    with clinic_scope(world.clinic):
        other = access.do_create_user(world.clinic, f"other-{world.clinic.pk}", PASSWORD, P)
    http = HttpClient()
    http.force_login(other)
    assert "Only mine" not in http.get(reverse("notes:templates")).content.decode()
    edit = reverse("notes:template_edit", kwargs={"template_id": mine.pk})
    assert http.get(edit).status_code == 404
    assert http.post(edit, {"name": "Mine now", "field": "plan", "text": "x"}).status_code == 404
    assert http.post(reverse("notes:template_delete", kwargs={"template_id": mine.pk})).status_code == 404
    mine.refresh_from_db()
    assert (mine.name, mine.text) == ("Stretch", "Only mine")
    # the owner's phrases are the owner's own too
    owner_api = http_for("api", world, OWNER)
    assert owner_api.get("/api/v1/note-templates").json() == []
    assert owner_api.get(f"/api/v1/note-templates/{mine.pk}").status_code == 404


def test_front_desk_has_no_phrases() -> None:
    """Front desk cannot open, add or list phrases (403), on the pages or the API."""
    world = make_clinic()
    http = http_for("web", world, FD)
    assert http.get(reverse("notes:templates")).status_code == 403
    assert http.post(reverse("notes:template_add"), {"name": "a", "field": "plan", "text": "b"}).status_code == 403
    assert http_for("api", world, FD).get("/api/v1/note-templates").status_code == 403
    assert _count(world) == 0


def test_the_note_page_offers_my_phrases_under_each_field_escaped() -> None:
    """The draft shows my phrases for each field (text escaped, loaded by a static script, no inline
    script), and not those of another field."""
    world = make_clinic()
    _phrase(world, name="Ice", text='Ice <script>alert("x")</script> 10 min')
    _phrase(world, name="Calm", field="subjective", text="Client calm and relaxed.")
    with clinic_scope(world.clinic):
        note = services.do_start_note(world.visit, world.users[P], P)
    page = http_for("web", world, P).get(_edit_url(note)).content.decode()
    assert 'data-testid="phrases-plan"' in page
    assert 'data-phrase-target="f-plan"' in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<script>alert("x")' not in page
    plan_menu = page.split('data-testid="phrases-plan"')[1].split("</select>")[0]
    assert "Ice" in plan_menu
    assert "Calm" not in plan_menu
    assert "notes/phrases" in page
    assert ".js" in page
    for chunk in page.split("<script")[1:]:
        assert chunk.lstrip().startswith("src="), "no inline script: the CSP allows only the static files"


def test_a_note_template_fills_a_new_note_when_chosen_at_start() -> None:
    """Chosen on the visit page, a whole-note template fills the new draft's parts; an empty start stays empty."""
    world = make_clinic()
    template = _phrase(
        world,
        name="Follow-up",
        field="note",
        text="",
        fields={"subjective": "Since last time:", "plan": "Review in 1 week."},
    )
    _phrase(world, name="Just a phrase")
    http = http_for("web", world, P)
    visit_url = reverse("clients:visit_detail", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    visit_page = http.get(visit_url).content.decode()
    assert "Follow-up" in visit_page
    assert "Just a phrase" not in visit_page
    start = reverse("notes:start", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    assert http.post(start, {"template": str(template.pk)}).status_code == 302
    assert http.post(start).status_code == 302
    with clinic_scope(world.clinic):
        filled, empty = SessionNote.objects.filter(visit=world.visit).order_by("pk")
        entry = AuditEntry.objects.filter(action="create", object_type="sessionnote").order_by("pk").first()
    assert (filled.subjective, filled.plan, filled.objective) == ("Since last time:", "Review in 1 week.", "")
    assert (empty.subjective, empty.plan) == ("", "")
    assert entry is not None
    assert entry.detail == {"template": template.pk}


def test_someone_elses_template_cannot_start_a_note() -> None:
    """A template of another practitioner, or a plain phrase, starts no note (404 or a message)."""
    world = make_clinic()
    with clinic_scope(world.clinic):
        other = access.do_create_user(world.clinic, f"other2-{world.clinic.pk}", PASSWORD, P)
        theirs = services.do_create_template(other, world.clinic, P, {"name": "T", "field": "note",
                                                                      "fields": {"plan": "Theirs"}})  # fmt: skip
    phrase = _phrase(world)
    http = http_for("web", world, P)
    start = reverse("notes:start", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    assert http.post(start, {"template": str(theirs.pk)}).status_code == 404
    assert http.post(start, {"template": "abc"}).status_code == 404
    assert http.post(start, {"template": str(phrase.pk)}).status_code == 302  # back to the visit, with the reason
    api = http_for("api", world, P)
    url = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/notes"
    assert api.post(url, json.dumps({"template_id": theirs.pk}), content_type="application/json").status_code == 404
    assert api.post(url, json.dumps({"template_id": phrase.pk}), content_type="application/json").status_code == 422
    with clinic_scope(world.clinic):
        assert SessionNote.objects.count() == 0


def test_templates_through_the_api() -> None:
    """Create, list, read, change and delete a template through the API; a new note starts from it."""
    world = make_clinic()
    api = http_for("api", world, P)
    body = {"name": "Neck", "field": "note", "fields": {"objective": "Neck: ", "assessment": "Responding well."}}
    created = api.post("/api/v1/note-templates", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    tid = created.json()["id"]
    assert created.json()["fields"] == {"objective": "Neck: ", "assessment": "Responding well."}
    assert [t["id"] for t in api.get("/api/v1/note-templates").json()] == [tid]
    patched = api.patch(f"/api/v1/note-templates/{tid}", json.dumps({"name": "Neck pain"}),
                        content_type="application/json")  # fmt: skip
    assert patched.status_code == 200
    assert patched.json()["name"] == "Neck pain"
    assert api.patch(f"/api/v1/note-templates/{tid}", json.dumps({"field": "bogus"}),
                     content_type="application/json").status_code == 422  # fmt: skip
    url = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/notes"
    note = api.post(url, json.dumps({"template_id": tid}), content_type="application/json")
    assert note.status_code == 201
    assert (note.json()["objective"], note.json()["assessment"]) == ("Neck: ", "Responding well.")
    assert api.delete(f"/api/v1/note-templates/{tid}").status_code == 204
    assert api.get(f"/api/v1/note-templates/{tid}").status_code == 404
    assert _count(world) == 0


def test_other_clinics_template_is_404() -> None:
    """My phrase in clinic A is not reachable from clinic B, even for a user of both."""
    a, b = make_clinic(), make_clinic()
    phrase = _phrase(a)
    api = http_for("api", b, P)
    assert api.get(f"/api/v1/note-templates/{phrase.pk}").status_code == 404
    assert api.delete(f"/api/v1/note-templates/{phrase.pk}").status_code == 404
    assert _count(a) == 1
