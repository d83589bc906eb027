"""Upload limits, checked before any byte of the body is read.

Every request body has a byte cap: photo and video uploads have their own, everything else
the small default. A body over its cap, or one that does not say its size (chunked), gets
413 at once, so a huge upload costs neither memory nor disk. The number of files in one
form is capped by Django's DATA_UPLOAD_MAX_NUMBER_FILES.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

MB = 1024 * 1024
PHOTO_UPLOAD = re.compile(r"^/(api/v1/)?clients/\d+/visits/\d+/(posture|rom-photos)/?$")
VIDEO_UPLOAD = re.compile(r"^/(api/v1/)?clients/\d+/visits/\d+/gait/?$")
KEYPOINT_UPLOAD = re.compile(r"^/(api/v1/)?clients/\d+/visits/\d+/gait/import/?$")
FORM_OVERHEAD = 1 * MB  # multipart boundaries and the other fields


def cap_for(path: str) -> tuple[int, str]:
    """The largest body, in bytes, that a request to this path may send, and how to say it."""
    if PHOTO_UPLOAD.match(path):
        return int(settings.TAUT_PHOTO_MAX_MB) * MB + FORM_OVERHEAD, f"a photo of {settings.TAUT_PHOTO_MAX_MB} MB"
    if KEYPOINT_UPLOAD.match(path):
        return int(
            settings.TAUT_PHOTO_MAX_MB
        ) * MB + FORM_OVERHEAD, f"a keypoint file of {settings.TAUT_PHOTO_MAX_MB} MB"
    if VIDEO_UPLOAD.match(path):
        return int(settings.TAUT_VIDEO_MAX_MB) * MB + FORM_OVERHEAD, f"a video of {settings.TAUT_VIDEO_MAX_MB} MB"
    size = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) + FORM_OVERHEAD
    return size, f"{size / MB:.1f} MB"


def too_large(request: HttpRequest, most: str, why: str) -> HttpResponse:
    message = f"{why} The most this address accepts is {most}."
    if request.path.startswith("/api/"):
        body = {"errors": [{"type": "too_large", "loc": ["body"], "msg": message}]}
        return HttpResponse(json.dumps(body), status=413, content_type="application/json")
    response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    response["Connection"] = "close"
    return response


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH"):
            cap, most = cap_for(request.path)
            declared = request.META.get("CONTENT_LENGTH") or ""
            chunked = "chunked" in str(request.META.get("HTTP_TRANSFER_ENCODING", "")).lower()
            if chunked:
                return too_large(request, most, "Send the file with its size (not chunked).")
            if declared:
                try:
                    size = int(declared)
                except ValueError:
                    return HttpResponse("Bad Content-Length.", status=400, content_type="text/plain")
                if size > cap:
                    return too_large(request, most, f"This upload is {size // MB} MB.")
        return self.get_response(request)
