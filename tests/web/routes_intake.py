"""Rows of the permission table for the intake app (see routes.py for what a row means)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import ClinicWorld
from tests.web.routes import Route

WEB_ROUTES: tuple[Route, ...] = ()
API_ROUTES: tuple[Route, ...] = ()
OBJECT_IDS: dict[str, Callable[[ClinicWorld, str], Any]] = {}
