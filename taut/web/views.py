from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"errors": [{"type": "not_found", "loc": [], "msg": "Not found."}]}, status=404)
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"errors": [{"type": "forbidden", "loc": [], "msg": "Forbidden."}]}, status=403)
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        msg = "Something went wrong on our side; nothing was saved. Please try again."
        return JsonResponse({"errors": [{"type": "server_error", "loc": [], "msg": msg}]}, status=500)
    return render(request, "500.html", status=500)
