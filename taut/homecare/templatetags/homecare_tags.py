"""The home programme's panel on the client page (clinical roles only)."""

from __future__ import annotations

from typing import Any

from django import template

from taut.access import capabilities
from taut.homecare import services
from taut.homecare.models import HomeProgramme, HomeProgrammeLink

register = template.Library()


@register.inclusion_tag("homecare/_panel.html", takes_context=True)
def homecare_panel(context: Any, client: Any) -> dict[str, Any]:
    """The latest programme, its active link and adherence per exercise."""
    role = context.get("role")
    if not capabilities.has(role, "can_edit_clinical"):
        return {"show": False}
    latest = HomeProgramme.objects.filter(client=client).first()
    active = None
    if latest is not None:
        active = next((k for k in HomeProgrammeLink.objects.filter(programme=latest) if k.usable), None)
    return {
        "show": True,
        "client": client,
        "latest": latest,
        "active_link": active,
        "adherence": services.adherence_summary(latest, record=False) if latest is not None else [],
    }
