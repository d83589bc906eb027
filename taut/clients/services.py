"""The write and read paths for clients, consents and visits.

Every function runs in one transaction with its audit entry, inside the active clinic scope.
Views, the API and the CLI all call these; none writes the models directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from taut.access import capabilities
from taut.access.models import Clinic, Membership, Role
from taut.access.scoping import get_or_404
from taut.audit import service as audit
from taut.audit.context import current
from taut.clients import consent as consent_texts
from taut.clients import dates, gate, today
from taut.clients.models import CLINICAL_FIELDS, CONTACT_FIELDS, Client, Consent, Visit

CLIENT_FIELDS = (
    "given_name", "family_name", "date_of_birth", "sex", "email", "phone", "address", "occupation",
    "emergency_contact_name", "emergency_contact_phone", "physician", "health_history", "medications",
)  # fmt: skip
VISIT_FIELDS = (
    "date", "start_time", "kind", "status", "duration_minutes", "chief_complaint", "notes",
    "onset_date", "skin_areas", "surgery_areas",
)  # fmt: skip
PAGE_SIZE = 25


def visible_fields(kind: str, fields: tuple[str, ...], role: str | None) -> tuple[str, ...]:
    """The fields a role may see or change: clinical ones only for clinical roles."""
    if capabilities.has(role, "can_view_clinical"):
        return fields
    hidden = CLINICAL_FIELDS[kind]
    return tuple(f for f in fields if f not in hidden)


def _check(instance: Any) -> None:
    instance.full_clean(exclude=["clinic", "client", "practitioner", "recorded_by"])
    problems: dict[str, str] = {}
    if isinstance(instance, Client):
        problems["date_of_birth"] = dates.birth_date_problem(instance.date_of_birth) or ""
        first = instance.visits.order_by("date").values_list("date", flat=True).first() if instance.pk else None
        if not problems["date_of_birth"] and first is not None and first < instance.date_of_birth:
            problems["date_of_birth"] = f"The client has a visit on {first:%Y-%m-%d}, before this date of birth."
    if isinstance(instance, Visit):
        problems["date"] = dates.visit_date_problem(instance.date, born=instance.client.date_of_birth) or ""
        if instance.start_time and today.end_time(instance.start_time, instance.duration_minutes or 0) is None:
            problems["duration_minutes"] = "The visit would end after midnight: start earlier or shorten it."
    problems = {k: v for k, v in problems.items() if v}
    if problems:
        raise ValidationError(problems)


def _apply(instance: Any, data: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))
    changed = [k for k, v in data.items() if getattr(instance, k) != v]
    for key, value in data.items():
        setattr(instance, key, value)
    return changed


# Clients -----------------------------------------------------------------------------------


def search_clients(query: str = "") -> QuerySet[Client]:
    qs = Client.objects.all()
    for word in query.replace("\x00", "").split()[:5]:
        qs = qs.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(email__icontains=word))
    return qs


def audit_list(object_type: str, **detail: Any) -> None:
    with transaction.atomic():
        audit.record("list", object_type=object_type, detail=detail)


def list_clients(query: str = "", page: int = 1, per_page: int = PAGE_SIZE) -> Page[Client]:
    """One page of clients of the active clinic; the listing itself is audited."""
    query = query.replace("\x00", "")  # PostgreSQL cannot compare or store NUL characters
    paginator = Paginator(search_clients(query), per_page)
    result = paginator.get_page(page)
    audit_list("client", query=query[:100], page=result.number)
    return result


def get_client(client_id: Any) -> Client:
    """Look a client up in the active clinic (no audit entry: the caller's action makes one)."""
    return get_or_404(Client.objects.all(), pk=client_id)


def audit_read(obj: Any) -> None:
    with transaction.atomic():
        audit.record("read", obj)


def read_client(client_id: Any) -> Client:
    client = get_client(client_id)
    audit_read(client)
    return client


def do_create_client(clinic: Clinic, data: dict[str, Any], role: str | None) -> Client:
    capabilities.require(role, "can_edit_client")
    client = Client(clinic=clinic)
    _apply(client, data, visible_fields("client", CLIENT_FIELDS, role))
    _check(client)
    with transaction.atomic():
        client.save()
        audit.record("create", client, detail={"fields": sorted(data)})
    return client


def do_update_client(client: Client, data: dict[str, Any], role: str | None) -> Client:
    capabilities.require(role, "can_edit_client")
    held = gate.hold_problem(client)
    changed = _apply(client, data, visible_fields("client", CLIENT_FIELDS, role))
    refilled = [f for f in CONTACT_FIELDS if f in changed and getattr(client, f)]
    if held and refilled:
        client.refresh_from_db()
        raise ValidationError(
            dict.fromkeys(
                refilled, f"{held} The contact details were erased at the client's request and are not taken again."
            )
        )
    _check(client)
    with transaction.atomic():
        client.save()
        audit.record("update", client, detail={"fields": sorted(changed)})
    return client


# Consents ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentInput:
    signed_by: str
    method: str
    relationship: str = "self"
    agreed: bool = False
    text_id: str = "treatment-consent"
    text_version: str = ""  # the version shown (the current one when empty)
    shown_sha256: str = ""  # the fingerprint of the text the signer was shown, checked when given


def do_record_consent(client: Client, data: ConsentInput, recorded_by: Any, role: str | None) -> Consent:
    capabilities.require(role, "can_record_consent")
    errors: dict[str, str] = {}
    if not data.agreed:
        errors["agreed"] = "The client must read the consent and agree to it before it can be recorded."
    if not data.signed_by.strip():
        errors["signed_by"] = "Give the name of the person who consented."
    if data.method not in Consent.Method.values:
        errors["method"] = f"Choose how consent was given: {', '.join(Consent.Method.values)}."
    try:
        text = consent_texts.render(data.text_id, client.clinic, data.text_version or None)
    except KeyError as exc:
        errors["text_id"] = str(exc.args[0])
    else:
        if data.shown_sha256 and data.shown_sha256 != text.sha256:
            errors["text_id"] = "The consent text changed after it was shown; show it again and sign the new text."
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        clinic=client.clinic,
        client=client,
        text_id=text.text_id,
        text_version=text.version,
        text_sha256=text.sha256,
        text=text.text,
        signed_by=data.signed_by.strip()[:200],
        relationship=(data.relationship or "self").strip()[:60],
        signed_at=timezone.now(),
        method=data.method,
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        consent.save()
        audit.record("create", consent, detail={"text": f"{text.text_id}@{text.version}"})
    return consent


def get_consent(client: Client, consent_id: Any) -> Consent:
    """Nested lookup: the clinic (scope), then the client, then the id."""
    return get_or_404(client.consents.all(), pk=consent_id)


def do_withdraw_consent(consent: Consent, role: str | None, user: Any = None) -> Consent:
    """Withdraw at once: who and when are kept, and what it covered stops (see taut.clients.gate)."""
    capabilities.require(role, "can_record_consent")
    if consent.withdrawn_at is not None:
        raise ValidationError({"consent": "This consent was already withdrawn."})
    with transaction.atomic():
        gate.withdraw(consent, user if user is not None else current().user)
    return consent


def has_active_consent(client: Client) -> bool:
    return client.consents.filter(withdrawn_at=None).exists()


# Visits ------------------------------------------------------------------------------------


def practitioners() -> QuerySet[Membership]:
    """Members of the active clinic who can see clients (for the visit's practitioner)."""
    return Membership.objects.filter(is_active=True, role__in=[Role.OWNER, Role.PRACTITIONER]).select_related("user")


def _practitioner(user_id: Any) -> Any:
    membership = practitioners().filter(user_id=user_id).first()
    if membership is None:
        raise ValidationError({"practitioner": "Choose a practitioner of this clinic."})
    return membership.user


def _check_clash(visit: Visit) -> None:
    """Refuse a booking that overlaps another visit of the same practitioner, naming it."""
    if visit.status == Visit.Status.CANCELLED:
        return
    found = today.clashes(visit.practitioner_id, visit.date, visit.start_time, visit.duration_minutes, visit.pk)
    if found:
        names = "; ".join(today.describe_clash(v) for v in found)
        raise ValidationError({"start_time": f"This overlaps another visit of the practitioner: {names}. "
                               "Choose another time, or book anyway."})  # fmt: skip


def do_create_visit(
    client: Client, data: dict[str, Any], practitioner_id: Any, role: str | None, book_anyway: bool = True
) -> Visit:
    """Book or record a visit. With book_anyway=False an overlapping booking is refused (the API's default)."""
    capabilities.require(role, "can_edit_visit")
    gate.require_consent_for_visit(client, data)
    visit = Visit(clinic=client.clinic, client=client, practitioner=_practitioner(practitioner_id))
    _apply(visit, data, visible_fields("visit", VISIT_FIELDS, role))
    _check(visit)
    if not book_anyway:
        _check_clash(visit)
    with transaction.atomic():
        visit.save()
        audit.record("create", visit, detail={"fields": sorted(data)})
    return visit


def get_visit(client: Client, visit_id: Any) -> Visit:
    """Nested lookup: the clinic (scope), then the client, then the id."""
    return get_or_404(client.visits.all(), pk=visit_id)


def do_update_visit(
    visit: Visit, data: dict[str, Any], role: str | None, practitioner_id: Any = None, book_anyway: bool = True
) -> Visit:
    capabilities.require(role, "can_edit_visit")
    gate.require_consent_for_visit(visit.client, data)
    changed = _apply(visit, data, visible_fields("visit", VISIT_FIELDS, role))
    if practitioner_id is not None:
        visit.practitioner = _practitioner(practitioner_id)
        changed.append("practitioner")
    _check(visit)
    if not book_anyway and {"date", "start_time", "duration_minutes", "practitioner", "status"} & set(changed):
        _check_clash(visit)
    with transaction.atomic():
        visit.save()
        audit.record("update", visit, detail={"fields": sorted(changed)})
    return visit


def age_on(client: Client, day: dt.date | None = None) -> int | None:
    """The client's age in whole years, or None when the stored date of birth gives no plausible age."""
    return dates.age_on(client.date_of_birth, day or timezone.localdate())
