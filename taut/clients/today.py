"""The practitioner's day: today's booked visits, what is due for each, and clashing bookings.

Read-only helpers over the active clinic scope; the Today page (``views.dashboard``) and the
visit form call them. The rules are stated in docs/today.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from taut.clients.models import Client, Visit

ASSESSMENT_KINDS = (Visit.Kind.INITIAL, Visit.Kind.REASSESSMENT)


def reassess_after_sessions() -> int:
    """Treatment visits after the last assessment that make a re-assessment due (setting)."""
    return int(getattr(settings, "TAUT_REASSESS_AFTER_SESSIONS", 6))


def reassess_after_weeks() -> int:
    """Weeks since the last assessment that make a re-assessment due (setting)."""
    return int(getattr(settings, "TAUT_REASSESS_AFTER_WEEKS", 6))


# Booking -----------------------------------------------------------------------------------


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def end_time(start: dt.time, duration_minutes: int) -> dt.time | None:
    """The time a visit ends, or None when it would run past midnight."""
    end = _minutes(start) + duration_minutes
    if end > 24 * 60:
        return None
    if end == 24 * 60:
        return dt.time(23, 59)
    return dt.time(end // 60, end % 60)


def clashes(
    practitioner_id: Any, day: dt.date, start: dt.time | None, duration_minutes: int, exclude_pk: Any = None
) -> list[Visit]:
    """The practitioner's other visits that day whose booked time overlaps this one (cancelled ones never clash)."""
    if start is None or practitioner_id is None:
        return []
    begin, finish = _minutes(start), _minutes(start) + duration_minutes
    others = (
        Visit.objects.filter(practitioner_id=practitioner_id, date=day, start_time__isnull=False)
        .exclude(status=Visit.Status.CANCELLED)
        .select_related("client")
        .order_by("start_time", "id")
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    found = []
    for other in others:
        assert other.start_time is not None
        o_begin = _minutes(other.start_time)
        if o_begin < finish and begin < o_begin + other.duration_minutes:
            found.append(other)
    return found


def describe_clash(visit: Visit) -> str:
    assert visit.start_time is not None
    end = end_time(visit.start_time, visit.duration_minutes)
    until = f"–{end:%H:%M}" if end else ""
    return f"{visit.client} at {visit.start_time:%H:%M}{until} ({visit.duration_minutes} minutes)"


# What is due -------------------------------------------------------------------------------


@dataclass
class Due:
    """One thing to do, in words, with the page where it is done."""

    kind: str  # "note", "reassessment", "flag"
    text: str
    urgent: bool = False


@dataclass
class Row:
    visit: Visit
    end: dt.time | None
    due: list[Due] = field(default_factory=list)


def _notes_by_visit(visits: Iterable[Visit]) -> dict[int, set[str]]:
    """The statuses of each visit's session notes (read through the visit, so clients need not import notes)."""
    ids = [v.pk for v in visits]
    found: dict[int, set[str]] = {}
    rows = Visit.objects.filter(pk__in=ids, session_notes__isnull=False).values_list("pk", "session_notes__status")
    for visit_id, status in rows:
        found.setdefault(visit_id, set()).add(status)
    return found


def has_happened(visit: Visit, now: dt.datetime | None = None) -> bool:
    """Finished, or its booked time (the whole day when no time was booked) is over."""
    if visit.status == Visit.Status.CANCELLED:
        return False
    if visit.status == Visit.Status.FINISHED:
        return True
    now = timezone.localtime(now)
    if visit.date != now.date():
        return visit.date < now.date()
    if visit.start_time is None:
        return False
    return _minutes(visit.start_time) + visit.duration_minutes <= now.hour * 60 + now.minute


def note_due(visit: Visit, statuses: set[str], now: dt.datetime | None = None) -> Due | None:
    if "signed" in statuses or not has_happened(visit, now):
        return None
    if "draft" in statuses:
        return Due("note", "Sign the draft note")
    return Due("note", "Write the session note")


def reassessment_due(visit: Visit) -> Due | None:
    """A treatment visit is due a re-assessment after N treatments or W weeks since the last assessment."""
    if visit.kind != Visit.Kind.TREATMENT or visit.status == Visit.Status.CANCELLED:
        return None
    earlier = Visit.objects.filter(client_id=visit.client_id, date__lt=visit.date).exclude(
        status=Visit.Status.CANCELLED
    )
    last = earlier.filter(kind__in=ASSESSMENT_KINDS).order_by("-date", "-id").first()
    if last is None:
        return Due("reassessment", "No assessment on record: assess before treating")
    treatments = earlier.filter(kind=Visit.Kind.TREATMENT, date__gte=last.date).count()
    weeks = (visit.date - last.date).days // 7
    if treatments >= reassess_after_sessions():
        return Due("reassessment", f"Re-assessment due: {treatments} treatments since the last assessment")
    if weeks >= reassess_after_weeks():
        return Due("reassessment", f"Re-assessment due: {weeks} weeks since the last assessment")
    return None


def visits_on(day: dt.date, practitioner_ids: list[int] | None) -> QuerySet[Visit]:
    qs = Visit.objects.filter(date=day).select_related("client", "practitioner")
    if practitioner_ids is not None:
        qs = qs.filter(practitioner_id__in=practitioner_ids)
    return qs.order_by(F("start_time").asc(nulls_last=True), "id")


def day_rows(
    day: dt.date, practitioner_ids: list[int] | None, clinical: bool, now: dt.datetime | None = None
) -> list[Row]:
    """Today's visits in time order; what is due for each only when the viewer may see clinical content."""
    visits = list(visits_on(day, practitioner_ids))
    rows = [Row(v, end_time(v.start_time, v.duration_minutes) if v.start_time else None) for v in visits]
    if not clinical:
        return rows
    notes = _notes_by_visit(visits)
    for row in rows:
        if row.visit.status == Visit.Status.CANCELLED:
            continue
        for item in (note_due(row.visit, notes.get(row.visit.pk, set()), now), reassessment_due(row.visit)):
            if item is not None:
                row.due.append(item)
    return rows


@dataclass
class DueList:
    notes: list[tuple[Visit, Due]]
    clients: list[Client]  # whose unresolved flags the page lists (safety_tags.client_flags)


RECENT_DAYS = 90


def due_list(day: dt.date, practitioner_ids: list[int] | None, limit: int = 50) -> DueList:
    """Across the practitioner's clients (seen in the last RECENT_DAYS days or booked): notes not
    signed for visits before today, and the clients whose unresolved flags are to be listed."""
    recent = Visit.objects.filter(date__gte=day - dt.timedelta(days=RECENT_DAYS))
    if practitioner_ids is not None:
        recent = recent.filter(practitioner_id__in=practitioner_ids)
    unsigned = list(
        recent.filter(date__lt=day)
        .exclude(status=Visit.Status.CANCELLED)
        .exclude(session_notes__status="signed")
        .select_related("client", "practitioner")
        .order_by("date", "id")[:limit]
    )
    notes = _notes_by_visit(unsigned)
    out_notes = [(v, d) for v in unsigned if (d := note_due(v, notes.get(v.pk, set()))) is not None]
    client_ids = list(recent.values_list("client_id", flat=True).distinct()[:200])
    clients = list(Client.objects.filter(pk__in=client_ids).order_by("family_name", "given_name", "id"))
    return DueList(out_notes, clients)
