"""Who is asking, in which clinic, and the clinic scope around everything they do."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from taut.access import services
from taut.access.scoping import clinic_scope
from taut.audit.context import update as audit_context
from taut.audit.middleware import client_ip

SESSION_CLINIC = "taut_clinic_id"
SESSION_LOGIN_AT = "taut_login_at"
SESSION_SEEN = "taut_seen_at"


class SessionLimitsMiddleware:
    """End a session after 30 idle minutes, and 12 hours after login however active."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_LOGIN_AT)
            seen = float(request.session.get(SESSION_SEEN, started or 0))
            if (
                started is None
                or now - float(started) > settings.SESSION_ABSOLUTE_SECONDS
                or now - seen > settings.SESSION_IDLE_SECONDS
            ):
                logout(request)
                return redirect("/login/?expired=1")
            if now - seen > settings.SESSION_TOUCH_SECONDS:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


def _throttled() -> HttpResponse:
    msg = "Too many invalid API tokens were sent from this address; wait 15 minutes, then send a valid token."
    response = JsonResponse({"errors": [{"type": "throttled", "loc": ["header", "Authorization"], "msg": msg}]})
    response.status_code = 429
    response["Retry-After"] = str(settings.TAUT_TOKEN_COOLOFF_SECONDS)
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class ClinicScopeMiddleware:
    """Set request.clinic, request.role and the clinic scope for the rest of the request.

    Web requests use the session's user; API requests use only an `Authorization: Bearer`
    header (a token in the query string is ignored).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.clinic = None  # type: ignore[attr-defined]
        request.role = None  # type: ignore[attr-defined]
        request.api_token = None  # type: ignore[attr-defined]
        if _is_api(request):
            return self._api(request)
        return self._web(request)

    def _web(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        memberships = services.memberships_of(request.user)
        if not memberships:
            logout(request)
            return redirect("/login/")
        wanted = request.session.get(SESSION_CLINIC)
        membership = next((m for m in memberships if m.clinic_id == wanted), memberships[0])
        request.clinic = membership.clinic  # type: ignore[attr-defined]
        request.role = membership.role  # type: ignore[attr-defined]
        request.memberships = memberships  # type: ignore[attr-defined]
        with audit_context(user=request.user, clinic=membership.clinic, channel="web"), clinic_scope(membership.clinic):
            return self.get_response(request)

    def _api(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        sent = scheme.lower() == "bearer" and bool(value.strip())
        if sent and services.token_ip_locked(client_ip(request)):
            with audit_context(channel="api"):
                services.deny_locked_token_address()
            return _throttled()
        token = services.resolve_token(value.strip()) if sent else None
        if token is None:
            request.user_from_token = None  # type: ignore[attr-defined]
            with audit_context(channel="api"):
                return self.get_response(request)
        request.user = token.user
        request.api_token = token  # type: ignore[attr-defined]
        request.clinic = token.clinic  # type: ignore[attr-defined]
        request.role = next(  # type: ignore[attr-defined]
            (m.role for m in services.memberships_of(token.user) if m.clinic_id == token.clinic_id), None
        )
        services.touch_token(token)
        with audit_context(user=token.user, clinic=token.clinic, channel="api"), clinic_scope(token.clinic):
            return self.get_response(request)
