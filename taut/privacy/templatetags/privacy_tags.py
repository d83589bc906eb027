"""The erasure's piece on the client page: the owner's button, or the held record's notice."""

from __future__ import annotations

from typing import Any

from django import template

from taut.access import capabilities
from taut.privacy import erasure as erasure_service

register = template.Library()


@register.inclusion_tag("privacy/_erasure_panel.html", takes_context=True)
def erasure_panel(context: Any, client: Any) -> dict[str, Any]:
    return {
        "client": client,
        "erasure": erasure_service.request_for(client),
        "can_request": capabilities.has(context.get("role"), "can_request_erasure"),
    }
