"""The read path of a record filed with a visit, in one place: the caller's capability, the client in
the active clinic, the visit under that client, the record, and its audit entry.

A wrong client or visit id is a 404 with a ``denied`` audit entry (``get_or_404``); a visit that has no
such record yet is ``NotAvailable``, which the views and the API answer with 404.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from taut.access import capabilities
from taut.clients import services as clients
from taut.clients.models import Visit
from taut.core.errors import NotAvailable

R = TypeVar("R")

READ = "can_view_clinical"


def visit_for(role: str | None, client_id: object, visit_id: object, capability: str = READ) -> Visit:
    """The visit, once the role may ``capability``: client first (clinic-scoped), then the visit under it."""
    capabilities.require(role, capability)
    return clients.get_visit(clients.get_client(client_id), visit_id)


def read_record(
    role: str | None,
    client_id: object,
    visit_id: object,
    find: Callable[[Visit], R | None],
    *,
    missing: str = "This visit has no such record yet.",
) -> R:
    """One record of the visit, audited as read. ``find`` looks it up under the visit (None when absent)."""
    visit = visit_for(role, client_id, visit_id)
    record = find(visit)
    if record is None:
        raise NotAvailable("not_recorded", missing)
    clients.audit_read(record)
    return record


def list_records(
    role: str | None, client_id: object, visit_id: object, object_type: str, items: Callable[[Visit], Sequence[R]]
) -> list[R]:
    """The visit's records of one kind, the listing audited (``object_type`` names the kind)."""
    visit = visit_for(role, client_id, visit_id)
    clients.audit_list(object_type, client=visit.client_id, visit=visit.pk)
    return list(items(visit))
