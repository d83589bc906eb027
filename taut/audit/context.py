"""Who is acting, from where: bound per request, per API call or per CLI command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    ip: str = ""
    request_id: str = ""
    user: Any = None
    clinic: Any = None
    channel: str = "web"


_current: ContextVar[AuditContext] = ContextVar(
    "taut_audit_context",
    default=AuditContext(channel="system"),  # noqa: B039 (a frozen dataclass)
)


def current() -> AuditContext:
    return _current.get()


@contextmanager
def bind(ctx: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextmanager
def update(**changes: Any) -> Iterator[AuditContext]:
    """Refine the current context (e.g. once the user and clinic are known)."""
    with bind(replace(current(), **changes)) as ctx:
        yield ctx
