"""HTTP API v1: privacy. A client's full export (JSON, media and an FHIR R4B bundle) as a zip."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from taut.access import capabilities
from taut.api.errors import ERR
from taut.clients import services as clients
from taut.privacy.export import zip_response

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
    return zip_response(client, request.user)
