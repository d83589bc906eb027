"""The resolve form of the safety banner (on the client's page)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.clients import services as clients
from taut.safety import services


@require_POST
@requires("can_edit_clinical")
def resolve_flag(request: HttpRequest, client_id: int, flag_key: str) -> HttpResponse:
    client = clients.get_client(client_id)
    try:
        services.do_resolve_flag(
            client,
            flag_key,
            request.POST.get("outcome", ""),
            request.POST.get("note", ""),
            request.user,
            getattr(request, "role", None),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The resolution was recorded.")
    return redirect("clients:client_detail", client_id=client.pk)
