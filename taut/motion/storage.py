"""Where photos and videos are kept: generated names under MEDIA_ROOT, one folder per clinic.

Nothing here is served directly; the clinic-scoped views read the bytes and send them.
Files are written to a temporary name, flushed to disk and renamed, so a crash never leaves
half a file under a name a record points to.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum

KINDS = ("posture", "gait", "incoming")


def root() -> Path:
    return Path(settings.MEDIA_ROOT)


def path_of(name: str) -> Path:
    """The file behind a stored name; refuses any name that would leave MEDIA_ROOT."""
    base = root().resolve()
    target = (base / name).resolve()
    if base not in target.parents:
        raise ValueError(f"not a media name: {name!r}")
    return target


def new_name(clinic_id: int, kind: str, ext: str) -> str:
    if kind not in KINDS or not ext.isalnum():
        raise ValueError(f"bad media kind or extension: {kind!r} {ext!r}")
    return f"clinic-{int(clinic_id)}/{kind}/{secrets.token_hex(16)}.{ext}"


def write(name: str, data: bytes) -> None:
    target = path_of(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def move_in(source: Path, name: str) -> None:
    """Move an already-validated temporary file under a generated name."""
    target = path_of(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(source, target)


def delete(name: str) -> None:
    with contextlib.suppress(FileNotFoundError, ValueError):
        path_of(name).unlink()


@contextlib.contextmanager
def kept_only_if_committed(*names: str) -> Iterator[None]:
    """Delete the named files when the block raises: a rejected record leaves no file behind."""
    try:
        yield
    except BaseException:
        for name in names:
            delete(name)
        raise


def quota_bytes() -> int:
    return int(getattr(settings, "TAUT_CLINIC_MEDIA_QUOTA_MB", 5120)) * 1024 * 1024


def stored_file_models() -> list[type[Any]]:
    """Every installed model whose rows name a stored file (a `media_name` and its `media_bytes`).

    Found from the model registry, not a hand list, so a new kind of media counts at once.
    """
    fields = {"media_name", "media_bytes"}
    return [
        model
        for model in apps.get_models()
        if fields <= {f.name for f in model._meta.get_fields()} and "clinic" in {f.name for f in model._meta.fields}
    ]


def used_bytes(clinic_id: int) -> int:
    """Bytes of every stored file of one clinic (photos of every kind, videos, imported series)."""
    total = 0
    for model in stored_file_models():
        total += model.objects.filter(clinic_id=clinic_id).aggregate(s=Sum("media_bytes"))["s"] or 0
    return total


def check_quota(clinic_id: int, incoming: int) -> None:
    used = used_bytes(clinic_id)
    if used + incoming > quota_bytes():
        raise ValidationError(
            {
                "file": f"The clinic's media storage is full ({used // 2**20} MB of {quota_bytes() // 2**20} MB). "
                "Delete old photos or videos, or ask the owner to raise TAUT_CLINIC_MEDIA_QUOTA_MB."
            }
        )


def listing() -> list[str]:
    """Every file under MEDIA_ROOT (for tests proving a rejected upload stored nothing)."""
    base = root()
    if not base.exists():
        return []
    return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file())
