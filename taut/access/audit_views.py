"""The owner's view of the audit log, and its CSV export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render

from taut.access.decorators import requires
from taut.audit import service
from taut.audit.models import AuditEntry
from taut.core.csvsafe import rows_to_csv

COLUMNS = (
    "id", "at", "username", "action", "object_type", "object_id", "object_repr",
    "outcome", "ip", "request_id", "channel", "hash",
)  # fmt: skip


def _filtered(request: HttpRequest):  # type: ignore[no-untyped-def]
    entries = AuditEntry.objects.all()
    action = request.GET.get("action", "").replace("\x00", "")[:40]  # PostgreSQL rejects NUL characters
    who = request.GET.get("user", "").replace("\x00", "")[:150]
    if action:
        entries = entries.filter(action=action)
    if who:
        entries = entries.filter(username=who)
    return entries, action, who


@requires("can_view_audit")
def audit_log(request: HttpRequest) -> HttpResponse:
    entries, action, who = _filtered(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page", 1))
    return render(request, "audit/log.html", {"page": page, "action": action, "who": who})


@requires("can_export_audit")
def audit_export(request: HttpRequest) -> HttpResponseBase:
    entries, action, who = _filtered(request)
    with transaction.atomic():
        service.record("export", object_type="auditlog", detail={"action": action, "user": who})
    # The queryset already carries the clinic filter, so it can stream after the view returns.
    rows = ([getattr(e, c) for c in COLUMNS] for e in entries.iterator(chunk_size=1000))
    response = StreamingHttpResponse(rows_to_csv(COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="taut-audit.csv"'
    response["Cache-Control"] = "no-store"
    return response
