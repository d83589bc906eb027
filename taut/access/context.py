from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from taut import __version__
from taut.access import capabilities
from taut.access.models import Role


def clinic_context(request: HttpRequest) -> dict[str, Any]:
    role = getattr(request, "role", None)
    return {
        "clinic": getattr(request, "clinic", None),
        "role": role,
        "role_label": Role(role).label if role in Role.values else "",
        "caps": capabilities.all_for(role),
        "memberships": getattr(request, "memberships", []),
        "TAUT_VERSION": __version__,
    }
