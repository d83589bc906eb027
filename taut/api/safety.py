"""HTTP API v1: safety."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["safety"])
