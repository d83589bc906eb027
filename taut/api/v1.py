"""HTTP API v1: clients, visits and consents, with bearer tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Query
from ninja.renderers import JSONRenderer
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import BaseModel, Field

from taut import __version__
from taut.api import errors
from taut.api.directory import router as directory_router
from taut.api.errors import ERR
from taut.api.homecare import router as homecare_router
from taut.api.intake import router as intake_router
from taut.api.kb import router as kb_router
from taut.api.measures import router as measures_router
from taut.api.measures_links import router as measures_links_router
from taut.api.motion import router as motion_router
from taut.api.notes import router as notes_router
from taut.api.plans import router as plans_router
from taut.api.privacy import router as privacy_router
from taut.api.reasoning import router as reasoning_router
from taut.api.reports import router as reports_router
from taut.api.safety import router as safety_router
from taut.api.schemas import (
    ClientClinicalOut,
    ClientIn,
    ClientOut,
    ClientPageOut,
    ClientUpdateIn,
    ConsentIn,
    ConsentOut,
    VisitClinicalOut,
    VisitIn,
    VisitOut,
    VisitUpdateIn,
)
from taut.api.special_tests import router as special_tests_router
from taut.clients import services
from taut.clients.models import Client, Consent, Visit


class TokenAuth(HttpBearer):
    """The token was resolved by ClinicScopeMiddleware; here we only say whether there is one."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return getattr(request, "api_token", None)


class EscapedJSONRenderer(JSONRenderer):
    """JSON with <, > and & written as \\u escapes: user text can never be read as markup."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        text = super().render(request, data, response_status=response_status)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


api = NinjaAPI(
    title="Taut API",
    version=f"v1 ({__version__})",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs_url=None,
    renderer=EscapedJSONRenderer(),
    description="Clinic-scoped access to clients, visits and consents. Send `Authorization: Bearer <token>`.",
)
errors.install(api)
api.add_router("", kb_router)
api.add_router("", reasoning_router)
api.add_router("", special_tests_router)
api.add_router("", measures_router)
api.add_router("", measures_links_router)
api.add_router("", intake_router)
api.add_router("", motion_router)
api.add_router("", safety_router)
api.add_router("", plans_router)
api.add_router("", notes_router)
api.add_router("", homecare_router)
api.add_router("", privacy_router)
api.add_router("", reports_router)
api.add_router("", directory_router)


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


def client_out(client: Client, role: str | None) -> dict[str, Any]:
    fields = ("id", "created_at", "updated_at", *services.visible_fields("client", services.CLIENT_FIELDS, role))
    return {f: getattr(client, f) for f in fields}


def visit_out(visit: Visit, role: str | None) -> dict[str, Any]:
    base = ("id", "client_id", "practitioner_id", "date", "kind", "status", "duration_minutes")
    fields = (*base, *[f for f in services.visible_fields("visit", services.VISIT_FIELDS, role) if f not in base])
    return {f: getattr(visit, f) for f in fields}


def consent_out(consent: Consent) -> dict[str, Any]:
    fields = ConsentOut.model_fields.keys() - {"status"}
    data = {f: getattr(consent, f) for f in fields}
    data["status"] = "active" if consent.is_active else "inactive"
    return data


class ListParams(BaseModel):
    q: str = Field("", max_length=100, description="Words to find in names or email")
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(25, ge=1, le=100)


@api.get("/clients", response={200: ClientPageOut, **ERR}, tags=["clients"])
def list_clients(request: HttpRequest, params: Query[ListParams]) -> Any:
    page = services.list_clients(params.q, params.page, params.per_page)
    role = _role(request)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [client_out(c, role) for c in page.object_list],
    }


@api.post("/clients", response={201: ClientClinicalOut | ClientOut, **ERR}, tags=["clients"])
def create_client(request: HttpRequest, payload: ClientIn) -> Any:
    data = payload.model_dump()
    role = _role(request)
    allowed = services.visible_fields("client", services.CLIENT_FIELDS, role)
    data = {k: v for k, v in data.items() if k in allowed or v}
    client = services.do_create_client(request.clinic, data, role)  # type: ignore[attr-defined]
    return Status(201, client_out(client, role))


@api.get("/clients/{client_id}", response={200: ClientClinicalOut | ClientOut, **ERR}, tags=["clients"])
def get_client(request: HttpRequest, client_id: int) -> Any:
    return client_out(services.read_client(client_id), _role(request))


@api.patch("/clients/{client_id}", response={200: ClientClinicalOut | ClientOut, **ERR}, tags=["clients"])
def update_client(request: HttpRequest, client_id: int, payload: ClientUpdateIn) -> Any:
    client = services.get_client(client_id)
    data = payload.model_dump(exclude_unset=True)  # null is refused by the schema (ClientUpdate)
    services.do_update_client(client, data, _role(request))
    return client_out(client, _role(request))


@api.get("/clients/{client_id}/visits", response={200: list[VisitClinicalOut | VisitOut], **ERR}, tags=["visits"])
def list_visits(request: HttpRequest, client_id: int) -> Any:
    client = services.get_client(client_id)
    services.audit_list("visit", client=client.pk)
    return [visit_out(v, _role(request)) for v in client.visits.all()[:500]]


@api.post("/clients/{client_id}/visits", response={201: VisitClinicalOut | VisitOut, **ERR}, tags=["visits"])
def create_visit(request: HttpRequest, client_id: int, payload: VisitIn) -> Any:
    client = services.get_client(client_id)
    data = payload.model_dump()
    practitioner_id = data.pop("practitioner_id")
    book_anyway = data.pop("book_anyway")
    # Empty defaults of clinical fields are not an attempt to set them (front desk may create visits).
    allowed = services.visible_fields("visit", services.VISIT_FIELDS, _role(request))
    data = {k: v for k, v in data.items() if k in allowed or v}
    visit = services.do_create_visit(client, data, practitioner_id, _role(request), book_anyway=book_anyway)
    return Status(201, visit_out(visit, _role(request)))


@api.get("/clients/{client_id}/visits/{visit_id}", response={200: VisitClinicalOut | VisitOut, **ERR}, tags=["visits"])
def get_visit(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    visit = services.get_visit(services.get_client(client_id), visit_id)
    services.audit_read(visit)
    return visit_out(visit, _role(request))


@api.patch(
    "/clients/{client_id}/visits/{visit_id}", response={200: VisitClinicalOut | VisitOut, **ERR}, tags=["visits"]
)
def update_visit(request: HttpRequest, client_id: int, visit_id: int, payload: VisitUpdateIn) -> Any:
    visit = services.get_visit(services.get_client(client_id), visit_id)
    data = payload.model_dump(exclude_unset=True)  # null is refused by the schema (VisitUpdate)
    practitioner_id = data.pop("practitioner_id", None)
    book_anyway = data.pop("book_anyway", False)
    services.do_update_visit(visit, data, _role(request), practitioner_id, book_anyway=book_anyway)
    return visit_out(visit, _role(request))


@api.get("/clients/{client_id}/consents", response={200: list[ConsentOut], **ERR}, tags=["consents"])
def list_consents(request: HttpRequest, client_id: int) -> Any:
    client = services.get_client(client_id)
    services.audit_list("consent", client=client.pk)
    return [consent_out(c) for c in client.consents.all()]


@api.post("/clients/{client_id}/consents", response={201: ConsentOut, **ERR}, tags=["consents"])
def create_consent(request: HttpRequest, client_id: int, payload: ConsentIn) -> Any:
    client = services.get_client(client_id)
    consent = services.do_record_consent(
        client, services.ConsentInput(**payload.model_dump()), request.user, _role(request)
    )
    return Status(201, consent_out(consent))


@api.get("/clients/{client_id}/consents/{consent_id}", response={200: ConsentOut, **ERR}, tags=["consents"])
def get_consent(request: HttpRequest, client_id: int, consent_id: int) -> Any:
    consent = services.get_consent(services.get_client(client_id), consent_id)
    services.audit_read(consent)
    return consent_out(consent)


@api.post("/clients/{client_id}/consents/{consent_id}/withdraw", response={200: ConsentOut, **ERR}, tags=["consents"])
def withdraw_consent(request: HttpRequest, client_id: int, consent_id: int) -> Any:
    consent = services.get_consent(services.get_client(client_id), consent_id)
    return consent_out(services.do_withdraw_consent(consent, _role(request), request.user))
