"""View guards: logged in, and holding a capability in the active clinic (deny by default)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from taut.access import capabilities
from taut.audit import service as audit


def requires(capability: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            role = getattr(request, "role", None)
            if not capabilities.has(role, capability):
                with transaction.atomic():
                    audit.denied("route", request.path[:64], reason=f"missing {capability}")
                return render(request, "403.html", {"capability": capability}, status=403)
            return view(request, *args, **kwargs)

        wrapped.capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorate
