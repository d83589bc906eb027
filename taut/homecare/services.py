"""Write and read paths of the home programme.

Programmes: exercises of the knowledge base, each with a dose inside the exercise's dose range,
none ruled out by the client's precautions (their red flags and contraindications, taut.safety).
Links: like intake links (the token is returned once, only its SHA-256 is stored; expiring,
revocable, rate-limited); one usable link per client. Adherence: one tick per exercise per day,
from the client's phone. Through a link the actor is the client: audit entries carry no user, the
channel "homecare" and the link's id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.audit import service as audit
from taut.audit.models import AuditEntry
from taut.clients import links
from taut.clients.gate import CLINICAL, require_consent
from taut.clients.models import Client
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.queries import exercise_allowed, precautions_for_red_flag
from taut.core.knowledge.schema import Exercise
from taut.homecare.models import AdherenceEntry, HomeProgramme, HomeProgrammeLink
from taut.safety import services as safety

DOSE_FIELDS = ("sets", "reps", "hold_seconds", "per_day", "per_week")
DOSE_WORDS = {
    "sets": "sets",
    "reps": "repetitions",
    "hold_seconds": "seconds hold",
    "per_day": "times a day",
    "per_week": "days a week",
}
# Without a dose range in the knowledge base, the limits of its schema (taut.core.knowledge.schema.Dose).
SCHEMA_MAX = {"sets": 20, "reps": 100, "hold_seconds": 600, "per_day": 12, "per_week": 7}
MAX_ITEMS = 20
NOTE_MAX = 500
NOTES_MAX = 2000
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 90, 28
DENIED_REASON = "unknown, expired or revoked home programme link"
BUSY_REASON = "too many requests on this home programme link in a minute"
OBJECT_TYPE = "homeprogrammelink"

# The home programme's private link (taut.clients.links): not bound to a browser (the client may
# open it on the phone and print it from a computer).
KIND = links.LinkKind(
    model=HomeProgrammeLink,
    channel="homecare",
    object_type=OBJECT_TYPE,
    url_kwarg="home_token",
    settings_prefix="TAUT_HOMECARE",
    denied_reason=DENIED_REASON,
    busy_reason=BUSY_REASON,
    locked_reason="too many failed home programme links from this address",
    unavailable_template="homecare/unavailable.html",
    too_many_template="homecare/too_many.html",
    pass_token=True,
)


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError


# Precautions ------------------------------------------------------------------------------------


def client_precautions(client: Client) -> dict[str, str]:
    """The precaution ids of the knowledge base that the client's unresolved flags stand for,
    each with the flag's words (why it applies)."""
    kb = load_base()
    out: dict[str, str] = {}
    by_key = {safety.contraindication_key(pid): pid for pid in kb.precautions}
    red_flags = {safety.red_flag_key(fid): fid for fid in kb.red_flags}
    for flag in safety.active_flags(client):
        if flag.key in by_key:
            out.setdefault(by_key[flag.key], flag.label)
        elif flag.key in red_flags:
            for p in precautions_for_red_flag(kb, red_flags[flag.key]):
                out.setdefault(p.id, flag.label)
    return out


# Programmes ---------------------------------------------------------------------------------------


def _check_item(n: int, raw: Any, precautions: dict[str, str], errors: dict[str, str]) -> dict[str, Any] | None:
    kb = load_base()
    key = f"items.{n}"
    if not isinstance(raw, dict):
        errors[key] = "Each exercise needs an exercise id and its dose."
        return None
    exercise_id = raw.get("exercise")
    exercise = kb.exercises.get(exercise_id) if isinstance(exercise_id, str) else None
    if exercise is None:
        errors[key] = f"Unknown exercise {str(exercise_id)[:80]!r}: choose one of the knowledge base."
        return None
    if not exercise_allowed(exercise, precautions):
        why = [f"{kb.precautions[p].name} ({precautions[p]})" for p in exercise.precautions if p in precautions]
        errors[key] = f"{exercise.name} is ruled out for this client: {'; '.join(why)}."
        return None
    item: dict[str, Any] = {"exercise": exercise.id}
    default = exercise.dose
    rng = exercise.dose_range
    for name in DOSE_FIELDS:
        try:
            value = _int(raw.get(name))
        except ValueError:
            errors[f"{key}.{name}"] = f"{exercise.name}: {DOSE_WORDS[name]} must be a whole number."
            continue
        if value is None and default is not None and name in ("sets", "reps", "hold_seconds"):
            value = getattr(default, name)
        if value is None:
            continue
        low = getattr(rng, f"{name}_min") if rng else None
        high = getattr(rng, f"{name}_max") if rng else None
        high = SCHEMA_MAX[name] if high is None else high
        if value < 1 or (low is not None and value < low) or (high is not None and value > high):
            span = f"{low or 1} to {high}"
            errors[f"{key}.{name}"] = f"{exercise.name}: {value} {DOSE_WORDS[name]} is outside its range ({span})."
            continue
        item[name] = value
    note = raw.get("note", "")
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        errors[f"{key}.note"] = f"A note is text of at most {NOTE_MAX} characters."
    else:
        item["note"] = note.strip()
    return item


def check_items(client: Client, items: Any) -> list[dict[str, Any]]:
    """The items checked against the knowledge base and the client's precautions; a clear error otherwise."""
    errors: dict[str, str] = {}
    if not isinstance(items, list) or not items:
        raise ValidationError({"items": "Choose at least one exercise."})
    if len(items) > MAX_ITEMS:
        raise ValidationError({"items": f"At most {MAX_ITEMS} exercises in one programme."})
    precautions = client_precautions(client)
    out = []
    for n, raw in enumerate(items):
        item = _check_item(n, raw, precautions, errors)
        if item is not None:
            out.append(item)
    ids = [i["exercise"] for i in out]
    if len(set(ids)) != len(ids):
        errors["items"] = "Each exercise only once."
    if errors:
        raise ValidationError(errors)
    return out


def _check_notes(notes: Any) -> str:
    if not isinstance(notes, str) or len(notes) > NOTES_MAX:
        raise ValidationError({"notes": f"Notes are text of at most {NOTES_MAX} characters."})
    return notes.strip()


def _check_plan_id(plan_id: Any) -> int | None:
    try:
        value = _int(plan_id)
    except ValueError:
        value = -1
    if value is not None and value < 1:
        raise ValidationError({"plan_id": "A plan id is a positive whole number."})
    return value


def do_create_programme(
    client: Client, items: Any, created_by: Any, role: str | None, *, notes: Any = "", plan_id: Any = None
) -> HomeProgramme:
    capabilities.require(role, "can_edit_clinical")
    require_consent(client, CLINICAL)
    checked = check_items(client, items)
    text = _check_notes(notes)
    plan = _check_plan_id(plan_id)
    with transaction.atomic():
        programme = HomeProgramme.objects.create(
            clinic=client.clinic, client=client, created_by=created_by, items=checked, notes=text, plan_id=plan
        )
        audit.record("create", programme, detail={"exercises": [i["exercise"] for i in checked], "plan_id": plan})
    return programme


def do_update_programme(programme: HomeProgramme, items: Any, role: str | None, *, notes: Any = None) -> HomeProgramme:
    capabilities.require(role, "can_edit_clinical")
    require_consent(programme.client, CLINICAL)
    checked = check_items(programme.client, items)
    text = programme.notes if notes is None else _check_notes(notes)
    with transaction.atomic():
        before = [i["exercise"] for i in programme.items]
        programme.items, programme.notes = checked, text
        programme.save(update_fields=["items", "notes", "updated_at"])
        audit.record("update", programme, detail={"before": before, "exercises": [i["exercise"] for i in checked]})
    return programme


def list_programmes(client: Client) -> QuerySet[HomeProgramme]:
    return HomeProgramme.objects.filter(client=client)


def get_programme(client: Client, programme_id: Any) -> HomeProgramme:
    return get_or_404(HomeProgramme.objects.filter(client=client), pk=programme_id)


def read_programme(client: Client, programme_id: Any) -> HomeProgramme:
    programme = get_programme(client, programme_id)
    with transaction.atomic():
        audit.record("read", programme)
    return programme


@dataclass(frozen=True)
class Shown:
    """One item of a programme as the client sees it."""

    item: dict[str, Any]
    exercise: Exercise

    @property
    def id(self) -> str:
        return self.exercise.id

    @property
    def dose(self) -> str:
        return dose_words(self.item, self.exercise)


def dose_words(item: dict[str, Any], exercise: Exercise) -> str:
    parts = []
    if item.get("sets"):
        parts.append(f"{item['sets']} sets")
    if item.get("reps"):
        parts.append(f"{item['reps']} repetitions")
    if item.get("hold_seconds"):
        parts.append(f"hold {item['hold_seconds']} seconds")
    if exercise.dose is not None and exercise.dose.per_side:
        parts.append("each side")
    if item.get("per_day"):
        parts.append(f"{item['per_day']} times a day")
    if item.get("per_week"):
        parts.append(f"{item['per_week']} days a week")
    elif not item.get("per_day") and exercise.dose is not None:
        parts.append(exercise.dose.frequency)
    return ", ".join(parts) or "as shown by your practitioner"


def shown_items(programme: HomeProgramme) -> list[Shown]:
    kb = load_base()
    return [Shown(i, kb.exercises[i["exercise"]]) for i in programme.items if i.get("exercise") in kb.exercises]


# Links --------------------------------------------------------------------------------------------


def do_send_link(
    programme: HomeProgramme,
    created_by: Any,
    role: str | None,
    *,
    days: Any = DEFAULT_DAYS,
    url_for: Callable[[str], str] | None = None,
) -> tuple[HomeProgrammeLink, str]:
    """A new link to the programme (the client's other usable links are revoked); the plaintext
    token is returned once. With `url_for`, the link is e-mailed to the client first."""
    capabilities.require(role, "can_send_home_programme")
    if isinstance(days, bool) or not isinstance(days, int) or not (MIN_DAYS <= days <= MAX_DAYS):
        raise ValidationError({"days": f"Choose from {MIN_DAYS} to {MAX_DAYS} days."})
    plaintext = links.new_token()
    now = timezone.now()
    expires = now + dt.timedelta(days=days)
    client = programme.client
    email = _email_link(client, url_for(plaintext), expires) if url_for else "not asked"
    with transaction.atomic():
        open_links = HomeProgrammeLink.objects.select_for_update().filter(client=client, revoked_at=None)
        replaced = [link for link in open_links if link.expires_at > now]
        for old in replaced:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        link = HomeProgrammeLink.objects.create(
            clinic=client.clinic,
            client=client,
            programme=programme,
            created_by=created_by,
            token_sha256=links.token_digest(plaintext),
            expires_at=expires,
        )
        audit.record(
            "create",
            link,
            detail={"programme": programme.pk, "days": days, "replaced": [o.pk for o in replaced], "email": email},
        )
    link.emailed = email == "sent"
    return link, plaintext


def _email_link(client: Client, url: str, expires_at: dt.datetime) -> str:
    """E-mail the link: the clinic's name and the link's last day, no name, no health content."""
    clinic = client.clinic.name
    body = (
        f"{clinic} has put something for you on a private page.\n\n"
        f"Open this link on your phone or computer:\n{url}\n\n"
        f"The link works until {expires_at:%Y-%m-%d}. Please do not forward this message.\n"
    )
    return links.email_link(client, f"{clinic}: your link", body)


def list_links(client: Client, role: str | None) -> QuerySet[HomeProgrammeLink]:
    capabilities.require(role, "can_send_home_programme")
    return HomeProgrammeLink.objects.filter(client=client)


def get_link(client: Client, link_id: Any) -> HomeProgrammeLink:
    return get_or_404(HomeProgrammeLink.objects.filter(client=client), pk=link_id)


def do_revoke_link(link: HomeProgrammeLink, role: str | None) -> HomeProgrammeLink:
    links.do_revoke(link, role, "can_send_home_programme")
    return link


# Using a link ---------------------------------------------------------------------------------------


def resolve_link(plaintext: str) -> HomeProgrammeLink | None:
    link: HomeProgrammeLink | None = KIND.resolve(plaintext)
    return link


def ip_locked(ip: str) -> bool:
    """Too many failed home programme links from this address lately."""
    return KIND.ip_locked(ip)


def link_busy(link: HomeProgrammeLink) -> bool:
    return KIND.busy(link)


def deny(reason: str = DENIED_REASON, link: HomeProgrammeLink | None = None) -> None:
    KIND.deny(reason, link)


def do_open(link: HomeProgrammeLink, page: str) -> HomeProgrammeLink:
    with transaction.atomic():
        if link.opened_at is None:
            link.opened_at = timezone.now()
            link.save(update_fields=["opened_at"])
        audit.record("open", link, clinic=link.clinic, detail={"via": f"home programme link #{link.pk}", "page": page})
    return link


def _score(value: Any, label: str, errors: dict[str, str]) -> int | None:
    try:
        number = _int(value)
    except ValueError:
        number = -1
    if number is not None and not (0 <= number <= 10):
        errors[label] = f"{label.capitalize()} is a whole number from 0 to 10."
        return None
    return number


def do_record_adherence(
    link: HomeProgrammeLink, exercise_id: Any, day: Any, done: Any, pain: Any = None, difficulty: Any = None
) -> AdherenceEntry:
    """The client's tick for one exercise on one day (today or up to 7 days back)."""
    errors: dict[str, str] = {}
    programme = link.programme
    ids = [i.get("exercise") for i in programme.items]
    if not isinstance(exercise_id, str) or exercise_id not in ids:
        errors["exercise"] = "This exercise is not in your programme."
    today = timezone.localdate()
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, dt.date) or not (today - dt.timedelta(days=7) <= day <= today):
        errors["date"] = "Choose today or one of the last 7 days."
    if isinstance(done, str):
        done = {"yes": True, "no": False, "on": True, "true": True, "false": False}.get(done.lower(), done)
    if not isinstance(done, bool):
        errors["done"] = "Say whether you did it: yes or no."
    pain_n = _score(pain, "pain", errors)
    difficulty_n = _score(difficulty, "difficulty", errors)
    if errors:
        with transaction.atomic():
            audit.record(
                "update",
                link,
                outcome=AuditEntry.Outcome.FAILURE,
                clinic=link.clinic,
                detail={"invalid": sorted(errors)},
            )
        raise ValidationError(errors)
    with transaction.atomic():
        locked = HomeProgrammeLink.objects.select_for_update().get(pk=link.pk)
        if not locked.usable:
            raise ValidationError({"link": DENIED_REASON})
        entry, created = AdherenceEntry.objects.update_or_create(
            programme=programme,
            exercise_id=exercise_id,
            date=day,
            defaults={
                "clinic": link.clinic,
                "link": link,
                "done": done,
                "pain": pain_n,
                "difficulty": difficulty_n,
            },
        )
        audit.record(
            "create" if created else "update",
            entry,
            clinic=link.clinic,
            detail={"via": f"home programme link #{link.pk}", "exercise": exercise_id, "date": str(day)},
        )
    return entry


def ticks(programme: HomeProgramme, day: dt.date) -> dict[str, AdherenceEntry]:
    return {e.exercise_id: e for e in AdherenceEntry.objects.filter(programme=programme, date=day)}


# Adherence --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseAdherence:
    exercise_id: str
    name: str
    days_due: int
    days_done: int
    pain: tuple[tuple[dt.date, int], ...]  # (date, pain) of the days with a pain rating, oldest first
    difficulty_last: int | None

    @property
    def trend(self) -> str:
        """The pain trend in words: the mean of the last three ratings against the first three."""
        if len(self.pain) < 2:
            return "not enough ratings"
        values = [p for _, p in self.pain]
        k = min(3, len(values) // 2)
        first, last = sum(values[:k]) / k, sum(values[-k:]) / k
        if last <= first - 1:
            return "pain going down"
        if last >= first + 1:
            return "pain going up"
        return "pain about the same"


def _days_due(item: dict[str, Any], start: dt.date, end: dt.date) -> int:
    days = (end - start).days + 1
    if days <= 0:
        return 0
    per_week = item.get("per_week")
    if isinstance(per_week, int) and per_week < 7:
        return round(days * per_week / 7)
    return days


def adherence_summary(
    programme: HomeProgramme, *, until: dt.date | None = None, record: bool = True
) -> list[ExerciseAdherence]:
    """Per exercise: the days it was done of the days it was due since the programme began, the pain trend.

    `record=False` only for a panel on a page whose own read entry covers it (the client page)."""
    kb = load_base()
    end = until or timezone.localdate()
    start = timezone.localdate(programme.created_at)
    entries = list(AdherenceEntry.objects.filter(programme=programme, date__lte=end).order_by("date"))
    if record:
        with transaction.atomic():
            audit.record(
                "list", object_type="adherenceentry", detail={"client": programme.client_id, "programme": programme.pk}
            )
    out = []
    for item in programme.items:
        eid = item["exercise"]
        mine = [e for e in entries if e.exercise_id == eid]
        difficulty = [e.difficulty for e in mine if e.difficulty is not None]
        out.append(
            ExerciseAdherence(
                exercise_id=eid,
                name=kb.exercises[eid].name if eid in kb.exercises else eid,
                days_due=_days_due(item, start, end),
                days_done=sum(1 for e in mine if e.done),
                pain=tuple((e.date, e.pain) for e in mine if e.pain is not None),
                difficulty_last=difficulty[-1] if difficulty else None,
            )
        )
    return out


# From a signed treatment plan ------------------------------------------------------------------


def plan_items(plan: Any) -> list[dict[str, Any]]:
    """A plan's home exercises as programme items: the numbers its dose gives (the exercise's own
    dose for the rest) and the plan's dose in words as the note."""
    from taut.core.planning.dose import dose_numbers

    items = []
    for e in plan.exercises:
        item: dict[str, Any] = {"exercise": e.exercise, **dose_numbers(e.dose)}
        item["note"] = f"Plan dose: {e.dose}"[:NOTE_MAX]
        items.append(item)
    return items


def do_programme_from_plan(record: Any, user: Any, role: str | None) -> tuple[HomeProgramme, bool]:
    """Start (or bring up to date) the client's home programme from a signed plan's exercises and
    doses, with the same checks as choosing them on the client page (dose ranges, exercises the
    client's precautions rule out, refused with the reason). The client's latest programme is
    updated when there is one; otherwise a new one is made. Returns it and whether it was made."""
    from taut.plans import services as plans
    from taut.plans.models import TreatmentPlan

    capabilities.require(role, "can_edit_clinical")
    capabilities.require(role, "can_view_plan")
    client = record.client
    require_consent(client, CLINICAL)
    if record.status != TreatmentPlan.Status.SIGNED:
        raise ValidationError({"plan": "Sign the plan first: a home programme comes from a signed plan."})
    plan = plans.plan_of(record)
    if not plan.exercises:
        raise ValidationError({"plan": "This plan has no home exercises to start a programme with."})
    checked = check_items(client, plan_items(plan))
    note = f"From treatment plan version {record.version} of the visit of {record.visit.date:%Y-%m-%d}."
    with transaction.atomic():
        programme = (
            HomeProgramme.objects.select_for_update().filter(client=client).order_by("-created_at", "-id").first()
        )
        exercises = [i["exercise"] for i in checked]
        if programme is None:
            programme = HomeProgramme.objects.create(
                clinic=client.clinic, client=client, created_by=user, items=checked, notes=note, plan_id=record.pk
            )
            audit.record("create", programme, detail={"exercises": exercises, "plan_id": record.pk})
            return programme, True
        before = [i["exercise"] for i in programme.items]
        programme.items, programme.notes, programme.plan_id = checked, note, record.pk
        programme.save(update_fields=["items", "notes", "plan_id", "updated_at"])
        audit.record("update", programme, detail={"before": before, "exercises": exercises, "plan_id": record.pk})
    return programme, False
