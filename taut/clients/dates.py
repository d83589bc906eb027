"""The one rule for the dates people type: a date of birth and a visit's date.

Used by all three faces: the services check every write (so the CLI and imports keep it), the web
forms show the same message next to the field, and the API schemas refuse the value with 422.
A date of birth is plausible from 120 years ago (the oldest age the pain chart reasons about) to
today. A visit's date is plausible from 1990-01-01 (before any clinic kept records in Taut, so
imports of old paper records still fit), never before the client was born, to two years ahead.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST_VISIT = dt.date(1990, 1, 1)
VISIT_YEARS_AHEAD = 2
OLDEST_AGE = 120  # the pain chart's range of ages (taut.core.reasoning.chart)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def years_from(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (or earlier, when negative); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def earliest_birth(today: dt.date | None = None) -> dt.date:
    """The earliest plausible date of birth: someone born that day is OLDEST_AGE today."""
    return years_from(today or timezone.localdate(), -OLDEST_AGE)


def latest_visit(today: dt.date | None = None) -> dt.date:
    """The latest plausible visit date: VISIT_YEARS_AHEAD years from today."""
    return years_from(today or timezone.localdate(), VISIT_YEARS_AHEAD)


def birth_date_problem(value: dt.date, today: dt.date | None = None) -> str | None:
    """Why a date of birth cannot be right, or None."""
    today = today or timezone.localdate()
    if value > today:
        return f"A date of birth cannot be in the future (today is {today:%Y-%m-%d})."
    earliest = earliest_birth(today)
    if value < earliest:
        return (
            f"A date of birth more than {OLDEST_AGE} years ago is not plausible "
            f"(the earliest is {earliest:%Y-%m-%d}); check the year."
        )
    return None


def visit_date_problem(value: dt.date, today: dt.date | None = None, born: dt.date | None = None) -> str | None:
    """Why a visit's date cannot be right (for a client born on ``born``, when given), or None."""
    today = today or timezone.localdate()
    latest = latest_visit(today)
    if value > latest:
        return (
            f"A visit date more than {VISIT_YEARS_AHEAD} years ahead is not plausible "
            f"(the latest is {latest:%Y-%m-%d})."
        )
    if value < EARLIEST_VISIT:
        return f"A visit date before {EARLIEST_VISIT:%Y-%m-%d} is not plausible; check the year."
    if born is not None and value < born:
        return f"A visit cannot be before the client was born ({born:%Y-%m-%d}); check the date."
    return None


def onset_date_problem(
    value: dt.date, visit_day: dt.date | None = None, born: dt.date | None = None, today: dt.date | None = None
) -> str | None:
    """Why the date a complaint began cannot be right, or None: not after the visit it is recorded
    at (nor after today), not before the client was born, and no further back than a date of birth."""
    today = today or timezone.localdate()
    if visit_day is not None and value > visit_day:
        return f"The complaint cannot begin after this visit ({visit_day:%Y-%m-%d}); check the date."
    if value > today:
        return f"An onset date cannot be in the future (today is {today:%Y-%m-%d})."
    if born is not None and value < born:
        return f"The complaint cannot begin before the client was born ({born:%Y-%m-%d}); check the year."
    earliest = earliest_birth(today)
    if value < earliest:
        return f"An onset more than {OLDEST_AGE} years ago is not plausible (the earliest is {earliest:%Y-%m-%d})."
    return None


def validate_birth_date(value: dt.date) -> None:
    """A form field validator (Django's ValidationError, shown next to the field)."""
    problem = birth_date_problem(value)
    if problem:
        raise ValidationError(problem, code="implausible_date")


def validate_visit_date(value: dt.date) -> None:
    problem = visit_date_problem(value)
    if problem:
        raise ValidationError(problem, code="implausible_date")


def parse_iso(value: object) -> dt.date:
    """An ISO 8601 calendar date written YYYY-MM-DD, and nothing else (no numbers, no times).

    Raises ValueError with a message for people.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise ValueError("Write the date as YYYY-MM-DD, for example 1985-03-21.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date of the calendar; check the month and day.") from None


def age_on(born: dt.date, day: dt.date) -> int | None:
    """Whole years from `born` to `day`, or None when that is not a plausible age (an odd stored date)."""
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return years if 0 <= years <= OLDEST_AGE else None
