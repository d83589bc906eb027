"""HTTP API v1: privacy. A client's full export (JSON, media and an FHIR R4B bundle) as a zip; erasure."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from pydantic import BaseModel, Field

from taut.access import capabilities
from taut.api.errors import ERR
from taut.api.schemas import Strict
from taut.clients import services as clients
from taut.privacy import erasure
from taut.privacy.export import ExportError, clinic_zip_response, zip_response
from taut.privacy.models import ErasureRequest

router = Router(tags=["privacy"])

ZIP_RESPONSE = {
    "responses": {
        "200": {
            "description": "A zip of export.json, fhir-bundle.json (FHIR R4B), manifest.json and media/",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.post("/clients/{client_id}/export", response=ERR, openapi_extra=ZIP_RESPONSE)
def export_client(request: HttpRequest, client_id: int) -> Any:
    """Everything held about the client, as a zip download (clinical roles only; audited as one export)."""
    capabilities.require(getattr(request, "role", None), "can_export_client")
    client = clients.get_client(client_id)
    try:
        return zip_response(client, request.user)
    except ExportError as exc:
        return Status(409, {"errors": [{"type": "export_failed", "loc": [], "msg": f"Nothing was exported: {exc}"}]})


CLINIC_ZIP_RESPONSE = {
    "responses": {
        "200": {
            "description": "A zip of clinic.json, manifest.json and clients/<id>/ (each a client export)",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.post("/clinic/export", response=ERR, openapi_extra=CLINIC_ZIP_RESPONSE)
def export_clinic(request: HttpRequest) -> Any:
    """The whole clinic (settings, people without passwords, consent texts, every client's export)
    as a zip, to move to another installation (`taut import clinic`); owners only; audited."""
    capabilities.require(getattr(request, "role", None), "can_manage_clinic")
    try:
        return clinic_zip_response(request.clinic, request.user)  # type: ignore[attr-defined]
    except ExportError as exc:
        return Status(409, {"errors": [{"type": "export_failed", "loc": [], "msg": f"Nothing was exported: {exc}"}]})


# Erasure (GDPR Art. 17): owner only -----------------------------------------------------------


class ErasureRequestIn(Strict):
    reason: str = Field(min_length=1, max_length=500, description="Why the record is erased (no clinical details)")


class ErasureRequestOut(BaseModel):
    id: int
    client_id: int
    status: Literal["held", "purged", "withdrawn"]
    requested_at: dt.datetime
    requested_by: str
    erased_fields: list[str]
    retention_type: str
    last_activity: dt.date
    purge_due: dt.date
    purged_at: dt.datetime | None
    withdrawn_at: dt.datetime | None


def _erasure_out(req: ErasureRequest) -> dict[str, Any]:
    return {
        "id": req.pk,
        "client_id": req.client_ref,
        "status": req.status,
        "requested_at": req.requested_at,
        "requested_by": req.requested_by.username,
        "erased_fields": list(req.erased_fields),
        "retention_type": req.retention_type,
        "last_activity": req.last_activity,
        "purge_due": req.purge_due,
        "purged_at": req.purged_at,
        "withdrawn_at": req.withdrawn_at,
    }


@router.post("/clients/{client_id}/erasure", response={201: ErasureRequestOut, **ERR})
def request_erasure(request: HttpRequest, client_id: int, payload: ErasureRequestIn) -> Any:
    """Erase the client's contact details now; hold the clinical record until its retention ends, then purge it."""
    role = getattr(request, "role", None)
    capabilities.require(role, "can_request_erasure")
    client = clients.get_client(client_id)
    made = erasure.do_request_erasure(client, request.user, role, payload.reason)  # type: ignore[arg-type]
    return Status(201, _erasure_out(made))


@router.post("/clients/{client_id}/erasure/withdraw", response={200: ErasureRequestOut, **ERR})
def withdraw_erasure(request: HttpRequest, client_id: int, payload: ErasureRequestIn) -> Any:
    """Withdraw the client's held erasure request (the reason is why it is withdrawn); a purged one cannot be."""
    role = getattr(request, "role", None)
    capabilities.require(role, "can_request_erasure")
    client = clients.get_client(client_id)
    done = erasure.do_withdraw_erasure(client, request.user, role, payload.reason)  # type: ignore[arg-type]
    return _erasure_out(done)


@router.get("/clients/{client_id}/erasure-requests", response={200: list[ErasureRequestOut], **ERR})
def list_erasure_requests(request: HttpRequest, client_id: int) -> Any:
    """The client's erasure request, if one was made (an empty list otherwise)."""
    capabilities.require(getattr(request, "role", None), "can_request_erasure")
    client = clients.get_client(client_id)
    clients.audit_read(client)
    return [_erasure_out(r) for r in erasure.requests_for(client)]
