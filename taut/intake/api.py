"""API operations of the intake app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["intake"])
