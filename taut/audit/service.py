"""record() is the only writer of the audit log; verify() checks its hash chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from taut.audit.context import current
from taut.audit.models import AuditEntry

GENESIS = "0" * 64
_PG_LOCK_KEY = 7_315_002  # advisory lock that serialises appends to the chain


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_digest(entry: AuditEntry) -> str:
    """The hash of one entry: its own fields and the hash of the entry before it."""
    payload = {
        "at": _stamp(entry.at),
        "user": entry.user_id,
        "username": entry.username,
        "clinic": entry.clinic_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "ip": entry.ip,
        "request_id": entry.request_id,
        "channel": entry.channel,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "prev": entry.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    action: str,
    obj: Any = None,
    *,
    outcome: str = AuditEntry.Outcome.SUCCESS,
    user: Any = None,
    clinic: Any = None,
    username: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Joins the caller's transaction, so the change and its entry commit together."""
    ctx = current()
    user = user if user is not None else ctx.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if clinic is None:
        clinic_id = getattr(obj, "clinic_id", None)
        if clinic_id is None or (ctx.clinic is not None and ctx.clinic.pk == clinic_id):
            clinic = ctx.clinic  # the active clinic: no need to load the object's own copy
        else:
            clinic = getattr(obj, "clinic", None)
    # Inside the caller's transaction no savepoint is needed: if the entry cannot be written,
    # the whole change must roll back anyway.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        with scopes_disabled():
            last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(
            at=timezone.now(),
            user=user,
            username=username if username is not None else (user.get_username() if user else ""),
            clinic=clinic,
            action=action,
            object_type=object_type if object_type is not None else (type(obj).__name__.lower() if obj else ""),
            object_id=object_id if object_id is not None else (str(obj.pk) if obj is not None else ""),
            object_repr=str(obj)[:200] if obj is not None else "",
            ip=ctx.ip[:64],
            request_id=ctx.request_id,
            channel=ctx.channel,
            outcome=str(outcome),
            detail=detail or {},
            prev_hash=last or GENESIS,
        )
        entry.hash = entry_digest(entry)
        entry.save(force_insert=True)
    return entry


def denied(object_type: str, object_id: str, reason: str = "not found in this clinic") -> AuditEntry:
    """Record an access that was refused (cross-clinic, missing capability, bad token)."""
    return record(
        "access",
        outcome=AuditEntry.Outcome.DENIED,
        object_type=object_type,
        object_id=str(object_id)[:64],
        detail={"reason": reason},
    )


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    what: str


def verify() -> list[ChainProblem]:
    """Walk the whole chain; return every entry whose hash or link does not hold."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    with scopes_disabled():
        for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
            if entry.prev_hash != prev:
                problems.append(ChainProblem(entry.id, "links to a hash that is not the entry before it"))
            if entry_digest(entry) != entry.hash:
                problems.append(ChainProblem(entry.id, "content does not match its hash (altered)"))
            prev = entry.hash
    return problems


def recent_failures(username: str, ip: str, seconds: int) -> int:
    """Failed logins for one username from one address in the last `seconds`."""
    since = timezone.now() - timedelta(seconds=seconds)
    with scopes_disabled():
        return AuditEntry.objects.filter(
            action="login", outcome=AuditEntry.Outcome.FAILURE, username=username, ip=ip, at__gte=since
        ).count()


def recent_count(seconds: int, **filters: Any) -> int:
    """Entries matching `filters` in the last `seconds`, in any clinic (for throttles)."""
    since = timezone.now() - timedelta(seconds=seconds)
    with scopes_disabled():
        return AuditEntry.objects.filter(at__gte=since, **filters).count()
