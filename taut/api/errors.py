"""One error shape for the whole API: {"errors": [{"type", "loc", "msg"}]}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from taut.access.capabilities import CapabilityDenied
from taut.access.scoping import ScopeError
from taut.access.services import INVALID_TOKEN
from taut.api.schemas import Errors
from taut.clients.gate import ConsentRequired
from taut.core.errors import NotAvailable


def body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"errors": errors}


# The parameter names our operations give a whole body or query schema ("payload: ChartIn",
# "params: Query[ListParams]"); ninja puts them in the location, the service errors do not.
SCHEMA_PARAMETERS = frozenset({"payload", "params"})

ERR: dict[int, type[Errors]] = dict.fromkeys((400, 401, 403, 404, 409, 422), Errors)  # 409: no consent
UPLOAD_ERR: dict[int, type[Errors]] = {**ERR, 413: Errors}  # operations that take a file
READ_ERR: dict[int, type[Errors]] = dict.fromkeys((401, 404, 422), Errors)  # open to every role


def _part(p: Any) -> str | int:
    # only ASCII digits are an index: "³".isdigit() is true but int("³") fails
    return p if isinstance(p, int) else int(p) if isinstance(p, str) and p.isascii() and p.isdigit() else str(p)


def location(source: str, path: Any) -> list[str | int]:
    """One shape for where an error is: [source, field, index, field ...] ("body", "pain", 0, "zone").

    ``path`` is ninja's location after its source, or a service error's dotted field ("answers.3")."""
    parts = str(path).split(".") if isinstance(path, str) else list(path or [])
    if parts and parts[0] in SCHEMA_PARAMETERS:
        parts = parts[1:]
    return [source, *(_part(p) for p in parts if p != "")]


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, errors: list[dict[str, Any]]) -> HttpResponse:
        return api.create_response(request, body(errors), status=status)

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for e in exc.errors:
            source, *path = list(e.get("loc") or ["body"])
            errors.append(
                {
                    "type": str(e.get("type", "invalid")),
                    "loc": location(str(source), path),
                    "msg": str(e.get("msg", "Invalid value.")),
                }
            )
        return respond(request, 422, errors)

    @api.exception_handler(DjangoValidationError)
    def invalid_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [
                {"type": "invalid", "loc": location("body", field), "msg": msg}
                for field, msgs in exc.message_dict.items()
                for msg in msgs
            ]
        else:
            errors = [{"type": "invalid", "loc": ["body"], "msg": m} for m in exc.messages]
        return respond(request, 422, errors)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, [{"type": "not_found", "loc": [], "msg": str(exc) or "Not found."}])

    @api.exception_handler(NotAvailable)
    def not_available(request: HttpRequest, exc: NotAvailable) -> HttpResponse:
        return respond(request, 404, [{"type": "not_found", "loc": [], "msg": str(exc)}])

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        from django.db import transaction

        from taut.audit import service as audit

        sent = bool(request.META.get("HTTP_AUTHORIZATION"))
        with transaction.atomic():
            audit.denied("api", request.path[:64], reason=INVALID_TOKEN if sent else "no token")
        msg = "Send a valid API token in the header 'Authorization: Bearer <token>'."
        return respond(request, 401, [{"type": "unauthenticated", "loc": ["header", "Authorization"], "msg": msg}])

    @api.exception_handler(CapabilityDenied)
    def forbidden(request: HttpRequest, exc: CapabilityDenied) -> HttpResponse:
        from django.db import transaction

        from taut.audit import service as audit

        with transaction.atomic():
            audit.denied("route", request.path[:64], reason=f"missing {exc.capability}")
        return respond(request, 403, [{"type": "forbidden", "loc": [], "msg": str(exc)}])

    @api.exception_handler(ConsentRequired)
    def no_consent(request: HttpRequest, exc: ConsentRequired) -> HttpResponse:
        from django.db import transaction

        from taut.audit import service as audit

        with transaction.atomic():
            audit.denied("consent", request.path[:64], reason=f"no consent for {exc.purpose}")
        return respond(request, 409, [{"type": "consent_required", "loc": [], "msg": exc.message}])

    @api.exception_handler(ScopeError)
    def no_scope(request: HttpRequest, exc: ScopeError) -> HttpResponse:
        return respond(request, 401, [{"type": "unauthenticated", "loc": [], "msg": "No clinic is active."}])

    # A body Django cannot parse (no or bad multipart boundary, a broken part, too many fields or
    # files) is the sender's mistake: a 400 in the one error shape, with no traceback logged.
    @api.exception_handler(MultiPartParserError)
    def bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        msg = (
            "The multipart body could not be read; send multipart/form-data with a boundary "
            "parameter and well-formed parts."
        )
        return respond(request, 400, [{"type": "bad_body", "loc": ["body"], "msg": msg}])

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, [{"type": "too_large", "loc": ["body"], "msg": str(exc)}])

    @api.exception_handler(BadRequest)
    @api.exception_handler(SuspiciousOperation)
    def bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
        msg = str(exc) or "The request body could not be read."
        return respond(request, 400, [{"type": "bad_body", "loc": ["body"], "msg": msg}])

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, [{"type": "http_error", "loc": [], "msg": str(exc)}])
