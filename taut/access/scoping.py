"""The one clinic-scoping mechanism.

Clinical models use `ScopedManager(clinic=...)`: a query with no active clinic raises
`ScopeError`. Requests activate the scope in `ClinicScopeMiddleware`; the CLI and jobs call
`clinic_scope()`. Crossing clinics needs `unscoped()`, which is greppable on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404
from django_scopes import ScopeError, scope, scopes_disabled

from taut.audit import service as audit

M = TypeVar("M", bound=Model)

__all__ = ["ScopeError", "clinic_scope", "get_or_404", "unscoped"]


@contextmanager
def clinic_scope(clinic: Any) -> Iterator[None]:
    if clinic is None or getattr(clinic, "pk", None) is None:
        raise ScopeError("No clinic is active; clinical data cannot be read without one.")
    with scope(clinic=clinic):
        yield


@contextmanager
def unscoped() -> Iterator[None]:
    """Cross clinic boundaries. Only for system work: migrations, demo data, the audit chain."""
    with scopes_disabled():
        yield


def get_or_404(queryset: QuerySet[M], **lookups: Any) -> M:
    """Fetch one object inside the active clinic; anything else is a 404 and an audited denial."""
    try:
        return queryset.get(**lookups)
    except (ObjectDoesNotExist, ValueError, TypeError):
        ident = next(iter(lookups.values()), "")
        audit.denied(queryset.model.__name__.lower(), str(ident))
        raise Http404(f"No {queryset.model._meta.verbose_name} with that id in this clinic.") from None
