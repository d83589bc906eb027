"""The intake's pieces on other apps' pages: the client page's panel and the dashboard's banner."""

from __future__ import annotations

from typing import Any

from django import template

from taut.access import capabilities
from taut.intake.models import IntakeLink, IntakeSubmission

register = template.Library()


@register.inclusion_tag("intake/_panel.html", takes_context=True)
def intake_panel(context: Any, client: Any) -> dict[str, Any]:
    """Links and the latest intake of one client (red flags and contraindications for clinical roles)."""
    role = context.get("role")
    if not capabilities.has(role, "can_send_intake"):
        return {"show": False}
    links = list(IntakeLink.objects.filter(client=client).order_by("-created_at", "-id")[:5])
    return {
        "show": True,
        "client": client,
        "clinical": capabilities.has(role, "can_view_clinical"),
        "active_link": next((link for link in links if link.usable), None),
        "links": links,
        "latest": IntakeSubmission.objects.filter(client=client).order_by("-submitted_at", "-id").first(),
        "caps": context.get("caps", ()),
    }


@register.inclusion_tag("intake/_banner.html", takes_context=True)
def intake_banner(context: Any) -> dict[str, Any]:
    """Intakes waiting for a practitioner's review, with their red flags and contraindications."""
    role = context.get("role")
    if not capabilities.has(role, "can_view_client"):
        return {"items": []}
    items = IntakeSubmission.objects.filter(reviewed_at=None).select_related("client").order_by("-submitted_at")[:10]
    return {"items": list(items), "clinical": capabilities.has(role, "can_view_clinical")}
