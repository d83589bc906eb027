"""Permission rows for the reports app's routes (see tests/web/routes.py)."""

from __future__ import annotations

from typing import Any

from tests.web.routes import CLINICAL_ONLY, Route

WEB_ROUTES: tuple[Any, ...] = (
    # the progress page: every measure since the first visit, in words and charts
    Route(
        "reports:progress",
        "web",
        "GET",
        ("client_id",),
        "can_view_clinical",
        CLINICAL_ONLY,
        audit=("read", "client"),
        client_data=True,
    ),
)
API_ROUTES: tuple[Any, ...] = ()
OBJECT_IDS: dict[str, Any] = {}
