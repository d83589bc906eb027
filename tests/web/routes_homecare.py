"""Rows of the permission table for the home programme app (see routes.py for what a row means).

The public pages of a home programme link (`home_token`) answer without a login; a logged-in
member of the link's own clinic gets the same pages, a member of another clinic a 404. Their
audit entries name the link, never the token, so they are checked in test_homecare.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.homecare import services as homecare
from taut.homecare.models import HomeProgramme
from tests.factories import ClinicWorld, make_client
from tests.web.routes import Route

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
REDIRECT = {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 302}
CLINICAL_ONLY = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 403}
CLINICAL_REDIRECT = {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403}
EXERCISE = "chin_tuck"


def _programme(world: ClinicWorld, client: Any) -> HomeProgramme:
    return homecare.do_create_programme(client, [{"exercise": EXERCISE}], world.users[OWNER], OWNER)


def programme_id(world: ClinicWorld, role: str) -> int:
    if "home_programme" not in world.extra:
        with clinic_scope(world.clinic):
            world.extra["home_programme"] = _programme(world, world.client)
    return int(world.extra["home_programme"].pk)


def home_link_id(world: ClinicWorld, role: str) -> int:
    if "home_link" not in world.extra:
        programme_id(world, role)
        with clinic_scope(world.clinic):
            world.extra["home_link"], _ = homecare.do_send_link(
                world.extra["home_programme"], world.users[OWNER], OWNER
            )
    return int(world.extra["home_link"].pk)


def home_token(world: ClinicWorld, role: str) -> str:
    """The token of a usable link of a second client (so it survives new links for the first)."""
    if "home_token" not in world.extra:
        with clinic_scope(world.clinic):
            other = make_client(world.clinic, given_name="Hana", family_name="Homeprogramme")
            _, token = homecare.do_send_link(_programme(world, other), world.users[OWNER], OWNER)
        world.extra["home_token"] = token
    return str(world.extra["home_token"])


OBJECT_IDS: dict[str, Callable[[ClinicWorld, str], Any]] = {
    "home_token": home_token,
    "programme_id": programme_id,
    "home_link_id": home_link_id,
}


def tick_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"exercise": EXERCISE, "date": timezone.localdate().isoformat(), "done": "yes", "pain": "3"}


def programme_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"exercise": [EXERCISE], f"{EXERCISE}.reps": "8", "notes": "Mornings"}


T, C, CP, CL = ("home_token",), ("client_id",), ("client_id", "programme_id"), ("client_id", "home_link_id")

WEB_ROUTES: tuple[Route, ...] = (
    # the client's private link: no login; the token is the credential
    Route("homecare:home_programme", "web", "GET", T, public=True),
    Route("homecare:home_tick", "web", "POST", T, expected=REDIRECT, payload=tick_payload, public=True),
    Route("homecare:home_print", "web", "GET", T, public=True),
    Route("homecare:home_pdf", "web", "GET", T, public=True),
    # staff, under the client
    Route(
        "homecare:programmes",
        "web",
        "GET",
        C,
        "can_edit_clinical",
        CLINICAL_ONLY,
        audit=("list", "homeprogramme"),
        client_data=True,
    ),
    Route(
        "homecare:programmes",
        "web",
        "POST",
        C,
        "can_edit_clinical",
        CLINICAL_REDIRECT,
        programme_payload,
        audit=("create", "homeprogramme"),
        client_data=True,
    ),
    Route(
        "homecare:programme_detail",
        "web",
        "GET",
        CP,
        "can_edit_clinical",
        CLINICAL_ONLY,
        audit=("read", "homeprogramme"),
        also_audits=(("list", "adherenceentry"),),
        client_data=True,
    ),
    Route(
        "homecare:programme_detail",
        "web",
        "POST",
        CP,
        "can_edit_clinical",
        CLINICAL_REDIRECT,
        programme_payload,
        audit=("update", "homeprogramme"),
        client_data=True,
    ),
    Route(
        "homecare:programme_send",
        "web",
        "POST",
        CP,
        "can_send_home_programme",
        CLINICAL_REDIRECT,
        lambda w, r: {"days": "14"},
        audit=("create", "homeprogrammelink"),
        client_data=True,
    ),
    Route(
        "homecare:link_revoke",
        "web",
        "POST",
        CL,
        "can_send_home_programme",
        CLINICAL_REDIRECT,
        audit=("revoke", "homeprogrammelink"),
    ),
)

CREATED = {OWNER: 201, PRACTITIONER: 201, FRONT_DESK: 403}


def programme_api_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"items": [{"exercise": EXERCISE, "reps": 8, "note": "Mornings"}], "notes": "Every day"}


API_ROUTES: tuple[Route, ...] = (
    Route(
        "create_home_programme",
        "api",
        "POST",
        C,
        "can_edit_clinical",
        CREATED,
        programme_api_payload,
        "/clients/{client_id}/home-programmes",
        ("create", "homeprogramme"),
        client_data=True,
    ),
    Route(
        "list_home_programmes",
        "api",
        "GET",
        C,
        "can_view_clinical",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/home-programmes",
        audit=("list", "homeprogramme"),
        client_data=True,
    ),
    Route(
        "get_home_programme",
        "api",
        "GET",
        CP,
        "can_view_clinical",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/home-programmes/{programme_id}",
        audit=("read", "homeprogramme"),
        client_data=True,
    ),
    Route(
        "update_home_programme",
        "api",
        "PUT",
        CP,
        "can_edit_clinical",
        CLINICAL_ONLY,
        programme_api_payload,
        "/clients/{client_id}/home-programmes/{programme_id}",
        ("update", "homeprogramme"),
        client_data=True,
    ),
    Route(
        "create_home_programme_link",
        "api",
        "POST",
        CP,
        "can_send_home_programme",
        CREATED,
        lambda w, r: {"expires_in_days": 14},
        "/clients/{client_id}/home-programmes/{programme_id}/links",
        ("create", "homeprogrammelink"),
        client_data=True,
    ),
    Route(
        "revoke_home_programme_link",
        "api",
        "POST",
        CL,
        "can_send_home_programme",
        CLINICAL_ONLY,
        None,
        "/clients/{client_id}/home-programme-links/{home_link_id}/revoke",
        ("revoke", "homeprogrammelink"),
        client_data=True,
    ),
    Route(
        "list_home_adherence",
        "api",
        "GET",
        CP,
        "can_view_clinical",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/home-programmes/{programme_id}/adherence",
        audit=("list", "adherenceentry"),
        client_data=True,
    ),
)
