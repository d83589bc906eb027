"""Retention periods per record type, their legal minimums, and when a held record may be purged.

The periods are set in ``settings.TAUT_RETENTION_YEARS`` (``taut/web/settings.py``, each one
overridable from the environment); a clinic may set its own (``Clinic.retention_years``, for a
jurisdiction that asks for longer), never below the minimum. A period below its minimum is refused: the system check
``privacy.E001`` stops the workbench from starting, and ``periods()`` raises for the purge.
The minimums and their sources are listed in docs/privacy.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

ADULT_AGE = 18


@dataclass(frozen=True)
class RecordType:
    key: str
    label: str
    counted_from: str
    minimum_years: int
    default_years: int
    source: str


RECORD_TYPES: dict[str, RecordType] = {
    t.key: t
    for t in (
        RecordType(
            "clinical_record",
            "Clinical record of an adult (visits, notes, assessments, photos, videos, plans, intake)",
            "the last visit (or the record's creation when it has no visit)",
            10,
            10,
            "BGB § 630f(3) (Germany): ten years after the treatment ends; CMTO (Ontario): ten years "
            "after the last visit",
        ),
        RecordType(
            "minor_record",
            "Clinical record of a client who was under 18 at the last visit",
            "the client's 18th birthday (and never before the adult period ends)",
            10,
            10,
            "CMTO (Ontario): ten years after the client's 18th birthday when under 18 at the last visit",
        ),
        RecordType(
            "audit",
            "Audit entries (who did what, when; no clinical content)",
            "the entry's time",
            6,
            6,
            "HIPAA 45 CFR 164.316(b)(2)(i): documentation kept six years",
        ),
    )
}


class RetentionConfigError(ImproperlyConfigured):
    """A configured retention period is unknown, not a whole number of years, or below its minimum."""


MAX_YEARS = 100


def _year_problem(name: str, kind: RecordType, years: Any) -> str | None:
    """Why ``years`` cannot be the period of ``kind`` (named ``name`` in the message), or None."""
    if isinstance(years, bool) or not isinstance(years, int):
        return f"The retention period for {name} must be a whole number of years, not {years!r}."
    if years < kind.minimum_years:
        return (
            f"The retention period for {name} is {years} years, below its legal minimum of "
            f"{kind.minimum_years} years ({kind.source})."
        )
    if years > MAX_YEARS:
        return f"The retention period for {name} can be at most {MAX_YEARS} years."
    return None


def problems(configured: Any) -> list[str]:
    """What is wrong with a ``TAUT_RETENTION_YEARS`` value (empty when it can be used)."""
    if not isinstance(configured, dict):
        return ["TAUT_RETENTION_YEARS must be a mapping of record type to years."]
    out = [
        f"TAUT_RETENTION_YEARS names an unknown record type {key!r}; known: {', '.join(RECORD_TYPES)}."
        for key in sorted(set(configured) - set(RECORD_TYPES))
    ]
    for key, kind in RECORD_TYPES.items():
        problem = _year_problem(key, kind, configured.get(key, kind.default_years))
        if problem:
            out.append(problem)
    return out


def periods(clinic: Any = None) -> dict[str, int]:
    """The period of every record type, in years: the installation's, or the clinic's own where it
    set one; raises if one is below its minimum."""
    configured = getattr(settings, "TAUT_RETENTION_YEARS", {})
    found = problems(configured)
    if found:
        raise RetentionConfigError(" ".join(found))
    out = {key: int(configured.get(key, kind.default_years)) for key, kind in RECORD_TYPES.items()}
    own = getattr(clinic, "retention_years", None) or {}
    found = clinic_problems(own)
    if found:
        raise RetentionConfigError(" ".join(found))
    out.update({key: int(years) for key, years in own.items()})
    return out


def clinic_problems(own: Any) -> list[str]:
    """What is wrong with a clinic's own periods (empty when they can be used)."""
    if not isinstance(own, dict):
        return ["The clinic's retention periods must map record types to years."]
    out: list[str] = []
    for key in sorted(own):
        kind = RECORD_TYPES.get(key)
        if kind is None:
            out.append(f"{str(key)[:40]!r} is not a record type; known: {', '.join(RECORD_TYPES)}.")
            continue
        problem = _year_problem(kind.label.lower(), kind, own[key])
        if problem:
            out.append(problem)
    return out


@register()
def check_retention(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    configured = getattr(settings, "TAUT_RETENTION_YEARS", {})
    return [Error(message, id="privacy.E001") for message in problems(configured)]


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Due:
    record_type: str
    last_activity: dt.date
    purge_due: dt.date


def due_for(date_of_birth: dt.date, last_activity: dt.date, has_record: bool, clinic: Any = None) -> Due:
    """When a client's clinical record may be purged.

    No clinical record (no visit held or planned): nothing must be kept, so the purge may run at
    once. An adult at the last visit: the adult period after it. Under 18 at the last visit: the
    later of that and the minor period after the 18th birthday.
    """
    if not has_record:
        return Due("none", last_activity, last_activity)
    years = periods(clinic)
    due = add_years(last_activity, years["clinical_record"])
    adult_on = add_years(date_of_birth, ADULT_AGE)
    if last_activity < adult_on:
        return Due("minor_record", last_activity, max(due, add_years(adult_on, years["minor_record"])))
    return Due("clinical_record", last_activity, due)


def do_set_clinic_periods(clinic: Any, values: dict[str, Any], role: str | None) -> dict[str, int]:
    """Set the clinic's own periods (owners only): a record type with a number of years takes it,
    one left blank (None or "") keeps the installation's. Below a minimum, nothing changes."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from taut.access import capabilities
    from taut.audit import service as audit

    capabilities.require(role, "can_manage_clinic")
    unknown = sorted(set(values) - set(RECORD_TYPES))
    if unknown:
        raise ValidationError({unknown[0][:40]: "Not a record type."})
    own: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        years = raw.strip() if isinstance(raw, str) else raw
        if isinstance(years, str) and years.isdigit():  # a form sends text
            years = int(years)
        own[key] = years
        found = clinic_problems({key: years})
        if found:
            errors[key] = found[0]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = dict(clinic.retention_years or {})
        clinic.retention_years = own
        clinic.save(update_fields=["retention_years"])
        audit.record("update", clinic, clinic=clinic, detail={"retention_years": own, "before": before})
    return periods(clinic)
