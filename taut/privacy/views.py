"""The client page's "Export client" button: the whole record as a zip download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.clients import services as clients
from taut.privacy.export import zip_response


@require_POST
@requires("can_export_client")
def export_client(request: HttpRequest, client_id: int) -> HttpResponseBase:
    client = clients.get_client(client_id)
    return zip_response(client, request.user)  # type: ignore[no-any-return]
