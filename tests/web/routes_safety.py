"""Permission rows for the safety app's routes (see tests/web/routes.py).

The resolve form posts to `safety:resolve_flag` under the client, naming the flag by its key. The
builder files an intake for the world's client that reports a red flag (night pain) and a
contraindication (a blood clot), through the intake's own service, and returns the red flag's key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.intake import services as intake
from taut.safety.services import red_flag_key
from tests.factories import ClinicWorld
from tests.web.routes import Route
from tests.web.routes_intake import flat_answers

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
CLINICAL_REDIRECT = {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403}
CLINICAL_ONLY = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 403}

RED_FLAG = "night_pain_unrelieved"
RED_FLAG_ANSWERS = {f"rf_{RED_FLAG}": "yes", "ci_blood_clot": "yes"}


def file_red_flag_intake(world: ClinicWorld) -> None:
    """An intake of the world's client, filled in the clinic, that reports a red flag and a contraindication."""
    with clinic_scope(world.clinic):
        client = world.client
        data = flat_answers(contact__given_name=client.given_name, contact__family_name=client.family_name)
        data.update(RED_FLAG_ANSWERS)
        submission, checked = intake.do_submit_in_clinic(client, data, world.users[PRACTITIONER], PRACTITIONER)
    assert submission is not None, checked.errors()


def flag_key(world: ClinicWorld, role: str) -> str:
    if "flag_key" not in world.extra:
        file_red_flag_intake(world)
        world.extra["flag_key"] = red_flag_key(RED_FLAG)
    return str(world.extra["flag_key"])


OBJECT_IDS: dict[str, Callable[[ClinicWorld, str], Any]] = {"flag_key": flag_key}


def resolve_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"outcome": "referred", "note": "Sent to the family doctor"}


C, CF = ("client_id",), ("client_id", "flag_key")

WEB_ROUTES: tuple[Route, ...] = (
    Route(
        "safety:resolve_flag",
        "web",
        "POST",
        CF,
        "can_edit_clinical",
        CLINICAL_REDIRECT,
        resolve_payload,
        audit=("create", "flagresolution"),
        client_data=True,
    ),
)
API_ROUTES: tuple[Route, ...] = (
    Route(
        "list_flags",
        "api",
        "GET",
        C,
        "can_view_clinical",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/flags",
        audit=("list", "flag"),
        client_data=True,
    ),
    Route(
        "resolve_flag",
        "api",
        "POST",
        CF,
        "can_edit_clinical",
        CLINICAL_ONLY,
        resolve_payload,
        "/clients/{client_id}/flags/{flag_key}/resolve",
        ("create", "flagresolution"),
        client_data=True,
    ),
)
