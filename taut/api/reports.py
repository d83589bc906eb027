"""HTTP API v1: a client's PDF reports (client report, progress report, referral letter)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from taut.access import capabilities
from taut.api.errors import ERR
from taut.api.schemas import Errors
from taut.clients import services as clients
from taut.reports import pdf
from taut.reports.views import pdf_response

router = Router(tags=["reports"])
REPORT_ERR: dict[int, type[Errors]] = {**ERR, 409: Errors}  # 409: nothing calls for a referral

PDF_RESPONSE = {
    "parameters": [
        {
            "in": "path",
            "name": "report_kind",
            "required": True,
            "schema": {"type": "string", "enum": list(pdf.KINDS)},
            "description": "client, progress or referral",
        }
    ],
    "responses": {
        "200": {
            "description": "The report as a PDF download",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
}


@router.get("/clients/{client_id}/reports/{report_kind}", response=REPORT_ERR, openapi_extra=PDF_RESPONSE)
def client_report_pdf(request: HttpRequest, client_id: int, report_kind: str) -> Any:
    """The client report, the progress report or the referral letter as a PDF (clinical roles; an audited read).

    A referral letter is refused with 409 when no active red flag and no suspected root or bony
    compression calls for one.
    """
    capabilities.require(getattr(request, "role", None), "can_view_clinical")
    client = clients.get_client(client_id)
    if report_kind not in pdf.KINDS:
        raise HttpError(404, "There is no such report; choose client, progress or referral.")
    try:
        data = pdf.render_report(client, report_kind, request.user)
    except pdf.ReportRefused as exc:
        raise HttpError(409, str(exc)) from exc
    return pdf_response(data, pdf.filename(client, report_kind))
