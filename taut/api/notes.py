"""HTTP API v1: notes."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["notes"])
