"""{% safety_banner client %}: the client's unresolved red flags and contraindications.

One line in every clinical page of a client (client, visit, pain chart, range of motion, measures,
special tests, wellness, posture, gait, intake, and the plans and notes pages). Shown to clinical
roles only: front desk never receives clinical content. The page's own read is audited; the
banner adds no entry.
"""

from __future__ import annotations

from typing import Any

from django import template

from taut.access import capabilities
from taut.clients.models import Client
from taut.safety import services
from taut.safety.models import FlagResolution

register = template.Library()


@register.inclusion_tag("safety/_banner.html", takes_context=True)
def safety_banner(context: template.Context, client: Client | None, resolve: bool = False) -> dict[str, Any]:
    request = context.get("request")
    role = getattr(request, "role", None)
    if client is None or not getattr(client, "pk", None) or not capabilities.has(role, "can_view_clinical"):
        return {"flags": [], "client": client}
    flags = services.active_flags(client)
    return {
        "flags": flags,
        "stop": any(f.stop for f in flags),
        "client": client,
        "resolve": resolve and capabilities.has(role, "can_edit_clinical"),
        "outcomes": FlagResolution.Outcome.choices,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def client_flags(context: template.Context, client: Client | None) -> list[services.Flag]:
    """The client's unresolved flags for a clinical role, nothing for anyone else (the Today page)."""
    role = getattr(context.get("request"), "role", None)
    if client is None or not getattr(client, "pk", None) or not capabilities.has(role, "can_view_clinical"):
        return []
    return services.active_flags(client)
