"""The consent gate: clinical work and media need an active consent, checked in one place.

Every clinical write service (visits with clinical content, charting, measures, tests, notes,
photos and videos) calls ``require_consent(client, purpose)`` right after its capability check,
so the web, the API and the CLI are all covered. Reads of records already made stay allowed.

- ``CLINICAL``: an active written consent, or an active verbal consent when the clinic allows
  verbal consent in its settings.
- ``MEDIA``: photos and videos always need an active written (signed) consent.

A record can also be *held*: apps above this one register a check with ``register_hold`` (the
privacy app holds a record after an erasure request until its retention ends), and a held record
takes no new clinical work or media whatever its consents say.

Withdrawing a consent sends ``consent_withdrawn`` inside the withdrawal's transaction; the apps
that hold private client links (intake) revoke them there, so the withdrawal and its effects
commit together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import django.dispatch
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from taut.access import capabilities
from taut.audit import service as audit
from taut.clients import consent as consent_texts
from taut.clients.models import Client, Consent

CLINICAL = "clinical"
MEDIA = "media"
PURPOSES = {CLINICAL: "clinical work", MEDIA: "photos and videos"}
WRITTEN = (Consent.Method.SIGNED_IN_CLINIC, Consent.Method.SIGNED_ONLINE)

# Checks that can hold a client's record: each returns why no new clinical work may be added, or None
Hold = Callable[[Client], str | None]
_HOLDS: list[Hold] = []


def register_hold(check: Hold) -> None:
    """Add a check that can hold a record (called once, from an app's ``ready``)."""
    if check not in _HOLDS:
        _HOLDS.append(check)


def hold_problem(client: Client) -> str | None:
    """Why this client's record is held (no new clinical work or media), or None."""
    for check in _HOLDS:
        problem = check(client)
        if problem:
            return problem
    return None


# Sent inside the withdrawal's transaction with ``consent`` and ``user``; receivers revoke what it covered.
consent_withdrawn = django.dispatch.Signal()


class ConsentRequired(Exception):
    """Clinical work or media for a client without the consent it needs (web: 409 page, API: 409)."""

    def __init__(self, client: Client, purpose: str, message: str) -> None:
        super().__init__(message)
        self.client_id = int(client.pk)
        self.purpose = purpose
        self.message = message


def verbal_allowed(client: Client) -> bool:
    return bool(getattr(client.clinic, "allow_verbal_consent", False))


def _active(client: Client) -> Any:
    return Consent.objects.filter(client=client, withdrawn_at=None)


def consent_problem(client: Client, purpose: str = CLINICAL) -> str | None:
    """Why clinical work (or media) for this client is refused, or None when it may go ahead."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    held = hold_problem(client)
    if held:
        return held
    active = _active(client)
    if active.filter(method__in=WRITTEN).exists():
        return None
    withdrawn = Consent.objects.filter(client=client).exclude(withdrawn_at=None).exists()
    has_verbal = active.filter(method=Consent.Method.VERBAL).exists()
    if purpose == MEDIA:
        if has_verbal:
            return (
                "Photos and videos need a written consent signed by the client; a verbal consent does not cover "
                "them. Record a signed consent first."
            )
    elif has_verbal and verbal_allowed(client):
        return None
    elif has_verbal:
        return (
            "This clinic does not accept verbal consent for clinical work. Record a signed consent first "
            "(or the owner can allow verbal consent in the clinic settings)."
        )
    if withdrawn:
        return f"{client} withdrew consent: no new {PURPOSES[purpose]} can be recorded until a new consent is recorded."
    return f"{client} has no active consent: record a consent before any {PURPOSES[purpose]}."


def require_consent_for_visit(client: Client, data: dict[str, Any]) -> None:
    """Booking a visit is not clinical work; a complaint, notes or a finished visit are."""
    if any(data.get(k) for k in ("chief_complaint", "notes")) or data.get("status") == "finished":
        require_consent(client, CLINICAL)


def require_consent(client: Client, purpose: str = CLINICAL) -> None:
    """Refuse (``ConsentRequired``) clinical work or media without the consent it needs."""
    problem = consent_problem(client, purpose)
    if problem is not None:
        raise ConsentRequired(client, purpose, problem)


def do_record_verbal_consent(
    client: Client,
    signed_by: str,
    statement: str,
    recorded_by: Any,
    role: str | None,
    *,
    signed_at: Any = None,
    relationship: str = "self",
    shown_sha256: str = "",
) -> Consent:
    """Record a verbal consent: who gave it, who recorded it, when, the consent text that was read
    to them (stored with its fingerprint) and what they said. Only where the clinic allows verbal
    consent; it never covers photos or videos."""
    capabilities.require(role, "can_edit_clinical")
    errors: dict[str, str] = {}
    if not verbal_allowed(client):
        errors["method"] = "This clinic does not accept verbal consent; the owner can allow it in the clinic settings."
    if not signed_by.strip():
        errors["signed_by"] = "Give the name of the person who consented."
    if len(statement.strip()) < 10:
        errors["statement"] = "Write down what was said: what the client agreed to, in a sentence or more."
    now = timezone.now()
    signed_at = signed_at or now
    if signed_at > now + dt.timedelta(minutes=5):
        errors["signed_at"] = "The consent cannot be given in the future: give the time it was given."
    elif signed_at < now - dt.timedelta(days=7):
        errors["signed_at"] = "Record a verbal consent within a week of it being given; for an older one, ask again."
    text = consent_texts.render("treatment-consent", client.clinic)
    if shown_sha256 and shown_sha256 != text.sha256:
        errors["shown_sha256"] = "The consent text changed after it was shown; read the new text to the client."
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        clinic=client.clinic,
        client=client,
        text_id=text.text_id,
        text_version=text.version,
        text_sha256=text.sha256,
        text=text.text,
        signed_by=signed_by.strip()[:200],
        relationship=(relationship or "self").strip()[:60],
        signed_at=signed_at,
        method=Consent.Method.VERBAL,
        statement=statement.strip()[:4000],
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        consent.save()
        audit.record("create", consent, detail={"text": f"{text.text_id}@{text.version}", "method": "verbal"})
    return consent


def withdraw(consent: Consent, user: Any) -> Consent:
    """Mark the consent withdrawn (who, when) and stop what it covered; the caller holds the transaction."""
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = user if getattr(user, "is_authenticated", False) else None
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit.record("withdraw", consent, detail={"method": consent.method})
    consent_withdrawn.send(sender=Consent, consent=consent, user=user)
    return consent


class ConsentGateMiddleware:
    """A page refused by the consent gate answers 409 with the reason and a link to record consent."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, ConsentRequired):
            return None
        with transaction.atomic():
            audit.denied("consent", request.path[:64], reason=f"no consent for {exc.purpose}")
        context = {
            "message": exc.message,
            "client_id": exc.client_id,
            "record_url": reverse("clients:consent_create", args=[exc.client_id]),
            "client_url": reverse("clients:client_detail", args=[exc.client_id]),
        }
        return render(request, "clients/consent_required.html", context, status=409)
