"""{% visit_plans visit %} on the visit page and {% client_plans client %} on the client page.

Shown to clinical roles only (front desk never receives clinical content); the page's own read is
audited, these add no entry.
"""

from __future__ import annotations

from typing import Any

from django import template

from taut.access import capabilities
from taut.clients.models import Client, Visit
from taut.plans.models import TreatmentPlan

register = template.Library()


@register.inclusion_tag("plans/_visit_plans.html", takes_context=True)
def visit_plans(context: template.Context, visit: Visit) -> dict[str, Any]:
    role = getattr(context.get("request"), "role", None)
    if not capabilities.has(role, "can_view_plan"):
        return {"show": False}
    return {
        "show": True,
        "visit": visit,
        "plans": list(TreatmentPlan.objects.filter(visit=visit).order_by("-version")),
        "can_edit": capabilities.has(role, "can_edit_plan"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("plans/_client_plans.html", takes_context=True)
def client_plans(context: template.Context, client: Client) -> dict[str, Any]:
    role = getattr(context.get("request"), "role", None)
    if not capabilities.has(role, "can_view_plan"):
        return {"show": False}
    count = TreatmentPlan.objects.filter(client=client).count()
    return {"show": True, "client": client, "count": count}


@register.filter
def named(key: str, names: dict[str, str]) -> str:
    """The name of a knowledge-base id in words: ``{{ item.muscle|named:muscle_names }}``."""
    return names.get(key) or str(key).replace("_", " ").capitalize()
