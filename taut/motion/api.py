"""API operations of the motion app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["motion"])
