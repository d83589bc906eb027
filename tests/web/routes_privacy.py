"""Permission rows for the privacy app's routes (see tests/web/routes.py).

A client's full export: the client page's button (`privacy:export_client`) and the API's
`POST /clients/{client_id}/export` answer a zip; clinical roles only, one "export" entry for the client.
"""

from __future__ import annotations

from typing import Any

from taut.access.models import Role
from tests.web.routes import Route

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
CLINICAL_ONLY = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 403}
C = ("client_id",)

WEB_ROUTES: tuple[Route, ...] = (
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
)
API_ROUTES: tuple[Route, ...] = (
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
)
OBJECT_IDS: dict[str, Any] = {}
