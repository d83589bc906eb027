"""Permission rows for the safety app's routes (see tests/web/routes.py)."""

from __future__ import annotations

from typing import Any

WEB_ROUTES: tuple[Any, ...] = ()
API_ROUTES: tuple[Any, ...] = ()
OBJECT_IDS: dict[str, Any] = {}
