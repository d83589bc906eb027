"""Erasure (GDPR Art. 17) with retention (Art. 17(3)(b) and (c)): erase what may go, hold what must stay.

``do_request_erasure`` (owner only, with a reason) erases at once what the clinical record does
not need (``ERASED_AT_ONCE``: contact details and the emergency contact), revokes the client's
intake and home-programme links and cancels bookings not yet held. The clinical record is held
until its retention period ends (``taut.privacy.retention``). ``purge_due`` (``taut retention
purge``, daily) then deletes every row of the client, found by walking the model registry from
the client along foreign keys, and every media file those rows name. What remains is the
``ErasureRequest`` row as a tombstone (who asked, when, counts per kind of record; no name, no
content) and the audit chain, which is never rewritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from taut.access import capabilities
from taut.access.models import Clinic, User
from taut.access.scoping import clinic_scope, unscoped
from taut.audit import service as audit
from taut.clients.models import CLINICAL_FIELDS, CONTACT_FIELDS, Client, Visit
from taut.motion import storage
from taut.privacy import retention
from taut.privacy.models import ErasureRequest

# Client fields erased at once: not needed to keep, read or defend the clinical record.
# Kept: the name, date of birth and sex identify the record (and the date of birth sets a
# minor's retention); the occupation is part of the history taken; the physician, history and
# medications are clinical. See docs/privacy.md for the reasoning, field by field.
ERASED_AT_ONCE: tuple[str, ...] = CONTACT_FIELDS
KEPT: tuple[str, ...] = ("given_name", "family_name", "date_of_birth", "sex", "occupation", *CLINICAL_FIELDS["client"])
REASON_MAX = 500
# Rows that by themselves are no clinical record: the purge may run at once when only these exist.
NOT_A_RECORD = ("clients.Consent", "intake.IntakeLink", "homecare.HomeProgrammeLink", "assessments.MeasuresLink")


class ErasureError(ValidationError):
    """An erasure request that cannot be made (the message says why); nothing was changed."""


def field_label(name: str) -> str:
    return str(Client._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()


# The client's rows, from the model registry ---------------------------------------------------


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def client_rows(client: Client) -> dict[type[models.Model], set[Any]]:
    """Every row held about the client: the client, then any row with a key to a row already found.

    Walks every installed model (with Django's own many-to-many tables), so a model added later
    is covered without a list to keep. Clinic-wide rows (clinics, users, the audit log) have no
    key to a client's row and are never reached.
    """
    found: dict[type[models.Model], set[Any]] = {Client: {client.pk}}
    with unscoped():
        changed = True
        while changed:
            changed = False
            for model in apps.get_models(include_auto_created=True):
                for fk in _foreign_keys(model):
                    target: Any = fk.related_model
                    if target not in found or not found[target]:
                        continue
                    parents = target._base_manager.filter(pk__in=found[target])
                    pks = set(model._base_manager.filter(**{f"{fk.name}__in": parents}).values_list("pk", flat=True))
                    new = pks - found.get(model, set())
                    if new:
                        found.setdefault(model, set()).update(new)
                        changed = True
    return {model: pks for model, pks in found.items() if pks}


def media_names(rows: dict[type[models.Model], set[Any]]) -> list[str]:
    names: list[str] = []
    with unscoped():
        for model in storage.stored_file_models():
            if rows.get(model):
                names += list(model._base_manager.filter(pk__in=rows[model]).values_list("media_name", flat=True))
    return sorted(n for n in names if n)


def has_clinical_record(client: Client, rows: dict[type[models.Model], set[Any]]) -> bool:
    """Whether anything must be kept: a visit held or booked, health details, or any clinical row."""
    if any(getattr(client, f) for f in CLINICAL_FIELDS["client"]):
        return True
    with unscoped():
        if Visit._base_manager.filter(client=client).exclude(status=Visit.Status.CANCELLED).exists():
            return True
    skip = {Client, Visit, *(apps.get_model(label) for label in NOT_A_RECORD)}
    return any(pks for model, pks in rows.items() if model not in skip and not model._meta.auto_created)


def last_activity(client: Client, today: dt.date) -> dt.date:
    """The day retention is counted from: the last visit held (not cancelled), else the record's creation."""
    with unscoped():
        last = (
            Visit._base_manager.filter(client=client, date__lte=today)
            .exclude(status=Visit.Status.CANCELLED)
            .aggregate(m=models.Max("date"))["m"]
        )
    created = _local_day(client.created_at)
    return max(d for d in (last, created) if d is not None)


# The request --------------------------------------------------------------------------------


def request_for(client: Client) -> ErasureRequest | None:
    """The client's open erasure request (held or purged), not one that was withdrawn."""
    return (
        ErasureRequest.objects.filter(clinic_id=client.clinic_id, client_ref=client.pk)
        .exclude(status=ErasureRequest.Status.WITHDRAWN)
        .first()
    )


def hold_problem(client: Client) -> str | None:
    """Why no new clinical work may be added for this client: an erasure request holds the record."""
    found = request_for(client)
    if found is None or found.status != ErasureRequest.Status.HELD:
        return None
    return (
        f"An erasure was requested for this client on {found.requested_at:%Y-%m-%d}: the clinical record is held, "
        f"unchanged, until its retention ends ({found.purge_due:%Y-%m-%d}), and no new clinical work, photos or "
        "videos can be added to it."
    )


def requests_for(client: Client) -> list[ErasureRequest]:
    return list(ErasureRequest.objects.filter(clinic_id=client.clinic_id, client_ref=client.pk))


def clean_reason(reason: Any) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ErasureError({"reason": "Give the reason for the erasure (for example: the client asked in writing)."})
    if len(text) > REASON_MAX:
        raise ErasureError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    if "\x00" in text:
        raise ErasureError({"reason": "The reason contains a character that cannot be stored."})
    return text


def do_request_erasure(
    client: Client, actor: User, role: str | None, reason: Any, now: dt.datetime | None = None
) -> ErasureRequest:
    """Erase the client's non-clinical data now and hold the clinical record until its retention ends.

    Owner only (``can_request_erasure``). One request per client. One audit entry
    ("create", "erasurerequest") names the fields erased, never their values.
    """
    capabilities.require(role, "can_request_erasure")
    text = clean_reason(reason)
    at = _now(now)
    today = _local_day(at)
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if request_for(locked) is not None:
            raise ErasureError("An erasure has already been requested for this client.")
        erased = [f for f in ERASED_AT_ONCE if getattr(locked, f)]
        for name in ERASED_AT_ONCE:
            setattr(locked, name, "")
        locked.save(update_fields=[*ERASED_AT_ONCE, "updated_at"])
        cancelled = (
            Visit.objects.filter(client=locked, status=Visit.Status.PLANNED, date__gte=today)
            .update(status=Visit.Status.CANCELLED, updated_at=at)
        )  # fmt: skip
        revoked = _revoke_links(locked, at)
        rows = client_rows(locked)
        due = retention.due_for(
            locked.date_of_birth, last_activity(locked, today), has_clinical_record(locked, rows), locked.clinic
        )
        erasure = ErasureRequest.objects.create(
            clinic_id=locked.clinic_id,
            client_ref=locked.pk,
            requested_by=actor,
            requested_at=at,
            reason=text,
            erased_fields=erased,
            retention_type=due.record_type,
            last_activity=due.last_activity,
            purge_due=due.purge_due,
        )
        audit.record(
            "create",
            erasure,
            user=actor,
            detail={
                "client": locked.pk,
                "erased": erased,
                "cancelled_bookings": cancelled,
                "revoked_links": revoked,
                "retention": due.record_type,
                "purge_due": due.purge_due.isoformat(),
            },
        )
    client.refresh_from_db()
    return erasure


def do_withdraw_erasure(
    client: Client, actor: User, role: str | None, reason: Any, now: dt.datetime | None = None
) -> ErasureRequest:
    """Withdraw a held erasure request (the client changed their mind, or it was made in error).

    Owner only. The record is no longer held: clinical work may go on once a consent is active.
    What was erased at the request stays erased (the values are gone: they were never kept), the
    revoked links stay revoked and the cancelled bookings stay cancelled. The request stays as
    history, with who withdrew it, when and why; a later request can be made. A purged record
    cannot come back. One audit entry ("update", "erasurerequest")."""
    capabilities.require(role, "can_request_erasure")
    text = clean_reason(reason)
    at = _now(now)
    with transaction.atomic():
        found = request_for(client)
        locked = ErasureRequest.objects.select_for_update().get(pk=found.pk) if found is not None else None
        if locked is None:
            raise ErasureError("No erasure has been requested for this client; there is nothing to withdraw.")
        if locked.status != ErasureRequest.Status.HELD:
            raise ErasureError("The record was purged: a purged record cannot be brought back.")
        locked.status = ErasureRequest.Status.WITHDRAWN
        locked.withdrawn_at = at
        locked.withdrawn_by = actor
        locked.withdraw_reason = text
        locked.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdraw_reason"])
        audit.record("update", locked, user=actor, detail={"client": client.pk, "withdrawn": True})
    return locked


def _revoke_links(client: Client, at: dt.datetime) -> int:
    """Links the client could still open (intake, home programme, measures) stop working at once."""
    count = 0
    for label in ("intake.IntakeLink", "homecare.HomeProgrammeLink", "assessments.MeasuresLink"):
        model: Any = apps.get_model(label)
        count += model.objects.filter(client=client, revoked_at__isnull=True).update(revoked_at=at)
    return int(count)


# The purge ----------------------------------------------------------------------------------


@dataclass
class Purged:
    request_id: int
    clinic: str
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0


def due_requests(now: dt.datetime | None = None) -> list[ErasureRequest]:
    """Held requests whose retention period has ended, in every clinic."""
    today = _local_day(_now(now))
    with unscoped():
        return list(
            ErasureRequest.objects.filter(status=ErasureRequest.Status.HELD, purge_due__lte=today)
            .select_related("clinic")
            .order_by("purge_due", "id")
        )


def purge_due(now: dt.datetime | None = None) -> list[Purged]:
    """Purge every held record whose retention has ended. Running it again changes nothing."""
    retention.periods()  # refuse to run on a configuration below the legal minimums
    return [purge_one(req, now) for req in due_requests(now)]


def _raw_delete(model: type[models.Model], pks: set[Any]) -> None:
    ordered = sorted(pks)
    for start in range(0, len(ordered), 500):
        qs = model._base_manager.filter(pk__in=ordered[start : start + 500])
        qs._raw_delete(qs.db)


def purge_one(erasure: ErasureRequest, now: dt.datetime | None = None) -> Purged:
    """Delete every row of one client and the files they name, leaving the tombstone; one audit entry.

    The rows go in one transaction (foreign keys are checked at its end, so the order does not
    matter). The files are deleted just before it commits: if the commit fails the rows stay
    and the next run deletes them again (a missing file is not an error), so nothing is ever
    left without a row that the purge can still reach.
    """
    at = _now(now)
    clinic: Clinic = erasure.clinic
    with clinic_scope(clinic), transaction.atomic():
        locked = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
        result = Purged(int(locked.pk), clinic.slug)
        if locked.status != ErasureRequest.Status.HELD:
            return result
        with unscoped():
            client = Client._base_manager.filter(pk=locked.client_ref, clinic=clinic).first()
        if client is not None:
            rows = client_rows(client)
            names = media_names(rows)
            for model, pks in rows.items():
                if not model._meta.auto_created:
                    result.rows[model._meta.label] = len(pks)
            with unscoped():
                for model, pks in rows.items():
                    _raw_delete(model, pks)
            for name in names:
                storage.delete(name)
            result.files = len(names)
        locked.status = ErasureRequest.Status.PURGED
        locked.purged_at = at
        locked.purged = {"rows": result.rows, "files": result.files}
        locked.reason = ""  # the tombstone keeps no words about the client
        locked.save(update_fields=["status", "purged_at", "purged", "reason"])
        audit.record(
            "purge",
            locked,
            clinic=clinic,
            detail={"client": locked.client_ref, "rows": result.rows, "files": result.files},
        )
    erasure.refresh_from_db()
    return result
