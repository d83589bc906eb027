"""The client's progress page: every measure since the first visit, in words and small charts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from taut.access.decorators import requires
from taut.clients import services as clients
from taut.reports import services


@requires("can_view_clinical")
def progress_page(request: HttpRequest, client_id: int) -> HttpResponse:
    """Better, the same or worse on each measure, against its smallest important change or error."""
    client = clients.get_client(client_id)
    view = services.read_progress(client)
    return render(request, "reports/progress.html", {"client": client, "view": view})
