"""Permission rows for the privacy app's routes (see tests/web/routes.py).

The whole clinic's export: the clinic settings' button (`privacy:export_clinic`) and the API's
`POST /clinic/export` answer a zip; owners only; one ("export", "clinic") entry and one ("export", "client")
per client.

The clinic's own retention periods (`privacy:retention_settings`, GET and POST): owner only; a save
writes one ("update", "clinic") entry.

A client's full export: the client page's button (`privacy:export_client`) and the API's
`POST /clients/{client_id}/export` answer a zip; clinical roles only, one "export" entry for the client.

Erasure: the request form (`privacy:erasure_request`, GET and POST) and the API's
`POST /clients/{client_id}/erasure` and `GET /clients/{client_id}/erasure-requests`; owner only; a request writes one
("create", "erasurerequest") entry, a read one ("read", "client"). Withdrawing (`privacy:erasure_withdraw`, the API's
`POST /clients/{client_id}/erasure/withdraw`): the payload builder first files a held request for the world's
client (as its owner), then the withdrawal writes one ("update", "erasurerequest") entry.
"""

from __future__ import annotations

from typing import Any

from taut.access.models import Role
from tests.web.routes import OWNER_ONLY, Route, statuses

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
CLINICAL_ONLY = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 403}
C = ("client_id",)


def erasure_payload(world: Any, role: str) -> dict[str, Any]:
    return {"reason": "The client asked in writing to be erased"}


def withdraw_payload(world: Any, role: str) -> dict[str, Any]:
    """A held request to withdraw (filed as the world's owner when there is none), and the reason."""
    from taut.access.scoping import clinic_scope
    from taut.privacy import erasure

    with clinic_scope(world.clinic):
        if erasure.request_for(world.client) is None:
            erasure.do_request_erasure(world.client, world.users[OWNER], OWNER, "Filed to be withdrawn")
    return {"reason": "The request was made in error"}


WEB_ROUTES: tuple[Route, ...] = (
    Route("privacy:retention_settings", "web", "GET", (), "can_manage_clinic", OWNER_ONLY),
    Route(
        "privacy:retention_settings",
        "web",
        "POST",
        (),
        "can_manage_clinic",
        statuses(302, (OWNER,)),
        lambda w, r: {"clinical_record": "15", "minor_record": "", "audit": ""},
        audit=("update", "clinic"),
    ),
    Route(
        "privacy:export_clinic",
        "web",
        "POST",
        (),
        "can_manage_clinic",
        OWNER_ONLY,
        audit=("export", "clinic"),
        also_audits=(("export", "client"),),
        client_data=True,
    ),
    Route(
        "privacy:export_client",
        "web",
        "POST",
        C,
        "can_export_client",
        CLINICAL_ONLY,
        audit=("export", "client"),
        client_data=True,
    ),
    Route(
        "privacy:erasure_request",
        "web",
        "GET",
        C,
        "can_request_erasure",
        OWNER_ONLY,
        audit=("read", "client"),
        client_data=True,
    ),
    Route(
        "privacy:erasure_request",
        "web",
        "POST",
        C,
        "can_request_erasure",
        statuses(302, (OWNER,)),
        erasure_payload,
        audit=("create", "erasurerequest"),
        client_data=True,
    ),
    Route(
        "privacy:erasure_withdraw",
        "web",
        "POST",
        C,
        "can_request_erasure",
        statuses(302, (OWNER,)),
        withdraw_payload,
        audit=("update", "erasurerequest"),
        client_data=True,
    ),
)
API_ROUTES: tuple[Route, ...] = (
    Route(
        "export_clinic",
        "api",
        "POST",
        (),
        "can_manage_clinic",
        OWNER_ONLY,
        api_path="/clinic/export",
        audit=("export", "clinic"),
        also_audits=(("export", "client"),),
        client_data=True,
    ),
    Route(
        "export_client",
        "api",
        "POST",
        C,
        "can_export_client",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/export",
        audit=("export", "client"),
        client_data=True,
    ),
    Route(
        "request_erasure",
        "api",
        "POST",
        C,
        "can_request_erasure",
        statuses(201, (OWNER,)),
        erasure_payload,
        api_path="/clients/{client_id}/erasure",
        audit=("create", "erasurerequest"),
        client_data=True,
    ),
    Route(
        "withdraw_erasure",
        "api",
        "POST",
        C,
        "can_request_erasure",
        statuses(200, (OWNER,)),
        withdraw_payload,
        api_path="/clients/{client_id}/erasure/withdraw",
        audit=("update", "erasurerequest"),
        client_data=True,
    ),
    Route(
        "list_erasure_requests",
        "api",
        "GET",
        C,
        "can_request_erasure",
        OWNER_ONLY,
        api_path="/clients/{client_id}/erasure-requests",
        audit=("read", "client"),
        client_data=True,
    ),
)
OBJECT_IDS: dict[str, Any] = {}
