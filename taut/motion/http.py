"""What the web pages and the API share to send and receive media: private responses, and uploads
spooled to a temporary file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse


def media_response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class Spooled:
    """The upload as a file on disk (moved into storage when accepted, deleted otherwise)."""

    def __init__(self, upload: UploadedFile) -> None:
        self.upload = upload
        self.path: Path | None = None

    def __enter__(self) -> Path:
        handle, name = tempfile.mkstemp(prefix="taut-upload-", suffix=".bin")
        self.path = Path(name)
        with open(handle, "wb") as fh:
            for chunk in self.upload.chunks():
                fh.write(chunk)
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
