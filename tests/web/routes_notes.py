"""Permission rows for the notes app's routes (see tests/web/routes.py).

Every note route sits under a visit and names a note by `note_id`: the builder starts a draft on
the world's visit as its practitioner. The addendum row needs a signed note, so its payload signs
the draft first (the URL is built before the payload).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.notes import services
from taut.notes.models import SessionNote
from tests.factories import CLINICAL_MARKER, ClinicWorld
from tests.web.routes import Route, statuses

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
CLINICAL = (OWNER, PRACTITIONER)
OK, MOVED = statuses(200, CLINICAL), statuses(302, CLINICAL)


def _note(world: ClinicWorld) -> SessionNote:
    if "note" not in world.extra:
        with clinic_scope(world.clinic):
            note = services.do_start_note(world.visit, world.users[PRACTITIONER], PRACTITIONER)
            services.do_save_draft(
                note, {"subjective": f"{CLINICAL_MARKER} neck stiff"}, world.users[PRACTITIONER], PRACTITIONER
            )
        world.extra["note"] = note
    return world.extra["note"]  # type: ignore[no-any-return]


def note_id(world: ClinicWorld, role: str) -> int:
    return int(_note(world).pk)


def template_id(world: ClinicWorld, role: str) -> int:
    """A phrase of the role's own user (phrases are per person); front desk gets the practitioner's."""
    owner = role if role != FRONT_DESK else PRACTITIONER
    key = f"template_{owner}"
    if key not in world.extra:
        with clinic_scope(world.clinic):
            world.extra[key] = services.do_create_template(
                world.users[owner],
                world.clinic,
                owner,
                {"name": "Stretch advice", "field": "plan", "text": f"{CLINICAL_MARKER} stretch twice daily"},
            )
    return int(world.extra[key].pk)


OBJECT_IDS: dict[str, Callable[[ClinicWorld, str], Any]] = {"note_id": note_id, "template_id": template_id}


def draft_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {
        "pain_now": "4",
        "subjective": "Better since last week",
        "tp-0-muscle": "upper_trapezius",
        "tp-0-kind": "active",
    }


def draft_json(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"pain_now": 4, "subjective": "Better", "trigger_points": [{"muscle": "upper_trapezius", "kind": "latent"}]}


def addendum_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    note = _note(world)
    with clinic_scope(world.clinic):
        note.refresh_from_db()
        if note.status == SessionNote.Status.DRAFT:
            services.do_sign_note(note, world.users[PRACTITIONER], PRACTITIONER)
    return {"reason": "Side recorded wrongly", "text": "The trigger point was on the left."}


def void_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"reason": "Started under the wrong client"}


def start_json(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {}


def template_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"name": "Ice", "field": "plan", "text": "Ice the area for ten minutes."}


def template_json(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"name": "First visit", "field": "note", "fields": {"subjective": "First visit.", "plan": "Review."}}


def template_patch(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"text": "Stretch three times a day."}


CV = ("client_id", "visit_id")
CN = (*CV, "note_id")
A = "/clients/{client_id}/visits/{visit_id}/notes"
TT = ("template_id",)
T = "/note-templates"

WEB_ROUTES: tuple[Route, ...] = (
    Route("notes:start", "web", "POST", CV, "can_edit_clinical", MOVED, audit=("create", "sessionnote"),
          client_data=True),
    Route("notes:detail", "web", "GET", CN, "can_view_clinical", OK, audit=("read", "sessionnote"), clinical=True,
          client_data=True),
    Route("notes:edit", "web", "GET", CN, "can_edit_clinical", OK, audit=("read", "sessionnote"), clinical=True,
          client_data=True),
    Route("notes:edit", "web", "POST", CN, "can_edit_clinical", MOVED, draft_form, audit=("update", "sessionnote"),
          client_data=True),
    Route("notes:save", "web", "POST", CN, "can_edit_clinical", OK, draft_form, audit=("update", "sessionnote"),
          client_data=True),
    Route("notes:sign", "web", "POST", CN, "can_edit_clinical", MOVED, audit=("update", "sessionnote"),
          client_data=True),
    Route("notes:addendum", "web", "POST", CN, "can_edit_clinical", MOVED, addendum_form,
          audit=("create", "noteaddendum"), client_data=True),
    Route("notes:void", "web", "POST", CN, "can_edit_clinical", MOVED, void_form, audit=("update", "sessionnote"),
          client_data=True),
    Route("notes:templates", "web", "GET", (), "can_edit_clinical", OK),
    Route("notes:template_add", "web", "GET", (), "can_edit_clinical", OK),
    Route("notes:template_add", "web", "POST", (), "can_edit_clinical", MOVED, template_form,
          audit=("create", "notetemplate")),
    Route("notes:template_edit", "web", "GET", TT, "can_edit_clinical", OK, clinical=True),
    Route("notes:template_edit", "web", "POST", TT, "can_edit_clinical", MOVED, template_form,
          audit=("update", "notetemplate")),
    Route("notes:template_delete", "web", "POST", TT, "can_edit_clinical", MOVED, audit=("delete", "notetemplate")),
)  # fmt: skip

API_ROUTES: tuple[Route, ...] = (
    Route("list_notes", "api", "GET", CV, "can_view_clinical", OK, api_path=A, audit=("list", "sessionnote"),
          client_data=True),
    Route("start_note", "api", "POST", CV, "can_edit_clinical", statuses(201, CLINICAL), start_json, A,
          ("create", "sessionnote"), client_data=True),
    Route("get_note", "api", "GET", CN, "can_view_clinical", OK, api_path=A + "/{note_id}",
          audit=("read", "sessionnote"), clinical=True, client_data=True),
    Route("update_note", "api", "PATCH", CN, "can_edit_clinical", OK, draft_json, A + "/{note_id}",
          ("update", "sessionnote"), client_data=True),
    Route("sign_note", "api", "POST", CN, "can_edit_clinical", OK, start_json, A + "/{note_id}/sign",
          ("update", "sessionnote"), client_data=True),
    Route("add_note_addendum", "api", "POST", CN, "can_edit_clinical", statuses(201, CLINICAL), addendum_form,
          A + "/{note_id}/addenda", ("create", "noteaddendum"), client_data=True),
    Route("void_note", "api", "POST", CN, "can_edit_clinical", OK, void_form, A + "/{note_id}/void",
          ("update", "sessionnote"), client_data=True),
    Route("list_note_templates", "api", "GET", (), "can_edit_clinical", OK, api_path=T),
    Route("create_note_template", "api", "POST", (), "can_edit_clinical", statuses(201, CLINICAL), template_json, T,
          ("create", "notetemplate")),
    Route("get_note_template", "api", "GET", TT, "can_edit_clinical", OK, api_path=T + "/{template_id}"),
    Route("update_note_template", "api", "PATCH", TT, "can_edit_clinical", OK, template_patch, T + "/{template_id}",
          ("update", "notetemplate")),
    Route("delete_note_template", "api", "DELETE", TT, "can_edit_clinical", statuses(204, CLINICAL),
          api_path=T + "/{template_id}", audit=("delete", "notetemplate")),
)  # fmt: skip
