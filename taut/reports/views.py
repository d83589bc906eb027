"""The client's progress page: every measure since the first visit, in words and small charts."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from taut.access.decorators import requires
from taut.clients import services as clients
from taut.reports import pdf, services


@requires("can_view_clinical")
def progress_page(request: HttpRequest, client_id: int) -> HttpResponse:
    """Better, the same or worse on each measure, against its smallest important change or error."""
    client = clients.get_client(client_id)
    view = services.read_progress(client)
    return render(request, "reports/progress.html", {"client": client, "view": view})


@require_GET
@requires("can_view_clinical")
def report_pdf(request: HttpRequest, client_id: int, report_kind: str) -> HttpResponse:
    """One of the three PDF reports as a download (no-store); a refused referral says why."""
    client = clients.get_client(client_id)
    kind = report_kind
    if kind not in pdf.KINDS:
        raise Http404("There is no such report.")
    try:
        data = pdf.render_report(client, kind, request.user)
    except pdf.ReportRefused as exc:
        response = render(request, "reports/refused.html", {"client": client, "message": str(exc)}, status=409)
        response["Cache-Control"] = "no-store"
        return response
    return pdf_response(data, pdf.filename(client, kind))


def pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
