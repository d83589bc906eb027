"""Retention periods per record type, their legal minimums, and when a held record may be purged.

The periods are set in ``settings.TAUT_RETENTION_YEARS`` (``taut/web/settings.py``, each one
overridable from the environment). A period below its minimum is refused: the system check
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


def problems(configured: Any) -> list[str]:
    """What is wrong with a ``TAUT_RETENTION_YEARS`` value (empty when it can be used)."""
    if not isinstance(configured, dict):
        return ["TAUT_RETENTION_YEARS must be a mapping of record type to years."]
    out: list[str] = []
    for key in sorted(set(configured) - set(RECORD_TYPES)):
        out.append(f"TAUT_RETENTION_YEARS names an unknown record type {key!r}; known: {', '.join(RECORD_TYPES)}.")
    for key, kind in RECORD_TYPES.items():
        years = configured.get(key, kind.default_years)
        if isinstance(years, bool) or not isinstance(years, int):
            out.append(f"The retention period for {key} must be a whole number of years, not {years!r}.")
        elif years < kind.minimum_years:
            out.append(
                f"The retention period for {key} is {years} years, below its legal minimum of "
                f"{kind.minimum_years} years ({kind.source}). Set at least {kind.minimum_years}."
            )
    return out


def periods() -> dict[str, int]:
    """The configured period of every record type, in years; raises if one is below its minimum."""
    configured = getattr(settings, "TAUT_RETENTION_YEARS", {})
    found = problems(configured)
    if found:
        raise RetentionConfigError(" ".join(found))
    return {key: int(configured.get(key, kind.default_years)) for key, kind in RECORD_TYPES.items()}


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


def due_for(date_of_birth: dt.date, last_activity: dt.date, has_record: bool) -> Due:
    """When a client's clinical record may be purged.

    No clinical record (no visit held or planned): nothing must be kept, so the purge may run at
    once. An adult at the last visit: the adult period after it. Under 18 at the last visit: the
    later of that and the minor period after the 18th birthday.
    """
    if not has_record:
        return Due("none", last_activity, last_activity)
    years = periods()
    due = add_years(last_activity, years["clinical_record"])
    adult_on = add_years(date_of_birth, ADULT_AGE)
    if last_activity < adult_on:
        return Due("minor_record", last_activity, max(due, add_years(adult_on, years["minor_record"])))
    return Due("clinical_record", last_activity, due)
