"""Permission rows for the public self-care pages (see tests/web/routes.py).

The index, a condition's page and an exercise's page answer without a login and show only the
knowledge base (shared reference data): their ids are knowledge-base ids (`KB_KWARGS`), no clinic's
object, and no page reads or writes client data, so none writes an audit entry.
"""

from __future__ import annotations

from typing import Any

from tests.web.routes import Route

WEB_ROUTES: tuple[Route, ...] = (
    Route("selfcare:index", "web", "GET", public=True),
    Route("selfcare:condition", "web", "GET", ("condition_id",), public=True),
    Route("selfcare:exercise", "web", "GET", ("exercise_id",), public=True),
)
API_ROUTES: tuple[Route, ...] = ()
OBJECT_IDS: dict[str, Any] = {}
