"""Small builders for web tests: two clinics with every role, and clients with children."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from taut.access import services as access
from taut.access.models import Clinic, Membership, Role, User
from taut.access.scoping import clinic_scope
from taut.clients import services as clients
from taut.clients.models import Client, Consent, Visit

PASSWORD = "correct-horse-battery-staple"
CLINICAL_MARKER = "CLINICAL-SECRET-7f3a"  # seeded into every clinical field, searched for in responses
_counter = itertools.count(1)


@dataclass
class ClinicWorld:
    clinic: Clinic
    users: dict[str, User]
    client: Client
    visit: Visit
    consent: Consent
    extra: dict[str, Any] = field(default_factory=dict)


def make_clinic(label: str = "") -> ClinicWorld:
    n = next(_counter)
    label = label or f"c{n}"
    with transaction.atomic():
        clinic = access.do_create_clinic(f"Clinic {label}", f"clinic-{label}-{n}")
        with clinic_scope(clinic):
            users = {
                role: access.do_create_user(clinic, f"{role}-{label}-{n}", PASSWORD, role, first_name=role.title())
                for role in (Role.OWNER, Role.PRACTITIONER, Role.FRONT_DESK)
            }
            client = make_client(clinic, consent_by=users[Role.FRONT_DESK])
            visit = clients.do_create_visit(
                client,
                {
                    "date": timezone.localdate(),
                    "chief_complaint": f"{CLINICAL_MARKER} complaint",
                    "notes": f"{CLINICAL_MARKER} notes",
                },
                users[Role.PRACTITIONER].pk,
                Role.PRACTITIONER,
            )
            consent = client.consents.get()
    return ClinicWorld(clinic, users, client, visit, consent)


def make_client(
    clinic: Clinic, *, with_consent: bool = True, consent_by: User | None = None, **overrides: Any
) -> Client:
    """A client of the clinic; by default with an active signed consent (clinical work needs one)."""
    n = next(_counter)
    data: dict[str, Any] = {
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "date_of_birth": dt.date(1980, 1, 1) + dt.timedelta(days=n),
        "sex": "female",
        "email": f"client{n}@example.org",
        "phone": "+1 555 0100",
        "physician": f"{CLINICAL_MARKER} physician",
        "health_history": f"{CLINICAL_MARKER} history",
        "medications": f"{CLINICAL_MARKER} medications",
    }
    data.update(overrides)
    with clinic_scope(clinic), transaction.atomic():
        client = clients.do_create_client(clinic, data, Role.PRACTITIONER)
        if with_consent:
            give_consent(client, consent_by)
    return client


def give_consent(client: Client, by: User | None = None, method: str = "signed_in_clinic") -> Consent:
    """Record the client's consent (by the clinic's first member when no one is named)."""
    if by is None:
        by = Membership.objects.filter(clinic=client.clinic).select_related("user").order_by("id").first().user  # type: ignore[union-attr]
    with clinic_scope(client.clinic):
        return clients.do_record_consent(
            client, clients.ConsentInput(signed_by=client.full_name, method=method, agreed=True), by, Role.FRONT_DESK
        )
