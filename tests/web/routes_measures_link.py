"""Rows of the permission table for outcome measures sent to the client's phone (see routes.py).

The public page of a measures link (`measures_token`) answers without a login; its audit entries
name the link, never the token, so they are checked in test_measures_link.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.assessments import links as measure_links
from tests.factories import ClinicWorld
from tests.web.routes import Route

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
CLINICAL_ONLY = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 403}
CLINICAL_REDIRECT = {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403}
CREATED = {OWNER: 201, PRACTITIONER: 201, FRONT_DESK: 403}
CAP = measure_links.CAPABILITY


def measures_link_id(world: ClinicWorld, role: str) -> int:
    if "measures_link" not in world.extra:
        with clinic_scope(world.clinic):
            world.extra["measures_link"], _ = measure_links.do_send_link(
                world.visit, ["ndi"], world.users[OWNER], OWNER
            )
    return int(world.extra["measures_link"].pk)


def measures_token(world: ClinicWorld, role: str) -> str:
    """A usable link of a second visit (so it survives the links made for the world's visit)."""
    if "measures_token" not in world.extra:
        from taut.clients import services as clients

        with clinic_scope(world.clinic):
            visit = clients.do_create_visit(world.client, {"date": world.visit.date}, world.users[OWNER].pk, OWNER)
            _, token = measure_links.do_send_link(visit, ["ndi"], world.users[OWNER], OWNER)
        world.extra["measures_token"] = token
    return str(world.extra["measures_token"])


OBJECT_IDS: dict[str, Callable[[ClinicWorld, str], Any]] = {
    "measures_token": measures_token,
    "measures_link_id": measures_link_id,
}

T, CV, CL = ("measures_token",), ("client_id", "visit_id"), ("client_id", "measures_link_id")

WEB_ROUTES: tuple[Route, ...] = (
    Route("assessments:measures_link", "web", "GET", T, public=True),
    Route(
        "assessments:measures_send",
        "web",
        "GET",
        CV,
        CAP,
        CLINICAL_ONLY,
        audit=("list", "measureslink"),
        client_data=True,
    ),
    Route(
        "assessments:measures_send",
        "web",
        "POST",
        CV,
        CAP,
        CLINICAL_REDIRECT,
        lambda w, r: {"instrument": ["ndi"], "days": "7"},
        audit=("create", "measureslink"),
        client_data=True,
    ),
    Route(
        "assessments:measures_link_revoke",
        "web",
        "POST",
        CL,
        CAP,
        CLINICAL_REDIRECT,
        audit=("revoke", "measureslink"),
    ),
)

API_ROUTES: tuple[Route, ...] = (
    Route(
        "create_measures_link",
        "api",
        "POST",
        CV,
        CAP,
        CREATED,
        lambda w, r: {"instruments": ["ndi"], "expires_in_days": 7},
        "/clients/{client_id}/visits/{visit_id}/measures-links",
        ("create", "measureslink"),
        client_data=True,
    ),
    Route(
        "revoke_measures_link",
        "api",
        "POST",
        CL,
        CAP,
        CLINICAL_ONLY,
        None,
        "/clients/{client_id}/measures-links/{measures_link_id}/revoke",
        ("revoke", "measureslink"),
        client_data=True,
    ),
)
