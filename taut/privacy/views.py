"""The client page's "Export client" button: the whole record as a zip download."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.clients import services as clients
from taut.privacy.export import export_zip


@require_POST
@requires("can_export_client")
def export_client(request: HttpRequest, client_id: int) -> HttpResponseBase:
    client = clients.get_client(client_id)
    archive, filename = export_zip(client, request.user)
    response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
