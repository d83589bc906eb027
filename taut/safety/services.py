"""The red flags and contraindications of one client, gathered from every record that reports them.

`active_flags(client)` is the stable, public entry point: the banner on every clinical page, the
API, and the plans and notes apps call it. A flag is identified by a key that stays the same
whichever record reported it (``red-flag-<id>`` for a red flag of the knowledge base,
``contraindication-<id>`` for an item of the intake's screen), so a red flag reported by the
intake and again on a pain chart is one flag with two sources.

A practitioner resolves a flag with `do_resolve_flag` (referred, cleared by a physician, not
applicable); the resolution covers what was recorded up to then: the same flag reported again
afterwards shows again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from taut.access import capabilities
from taut.assessments.models import PainChart
from taut.audit import service as audit
from taut.clients.models import Client
from taut.core.reasoning.redflags import ACTION
from taut.intake.models import IntakeSubmission
from taut.safety.models import FlagResolution

NOTE_MAX = 2000
CAUTION_ACTION = "Treat with care: adapt pressure, position or the areas worked, as the reason says."
REFER_ACTION = "Do not treat until a physician has assessed this; refer the client first."
URGENCY_WORDS = {
    "emergency": "Emergency",
    "urgent": "Urgent",
    "soon": "Refer first",
    "refer": "Refer",
    "caution": "Caution",
}


@dataclass(frozen=True)
class Flag:
    """One red flag or contraindication of a client, in words a practitioner acts on."""

    key: str
    kind: str  # "red flag" or "contraindication"
    label: str
    action: str  # what to do
    why: str
    urgency: str  # emergency, urgent, soon (red flags); refer, caution (contraindications)
    stop: bool  # True: no treatment until resolved
    last_seen: dt.datetime
    sources: tuple[str, ...] = ()
    detail: str = ""
    resolution: FlagResolution | None = field(default=None, compare=False)

    @property
    def urgency_label(self) -> str:
        return URGENCY_WORDS.get(self.urgency, self.urgency.capitalize())

    @property
    def active(self) -> bool:
        return self.resolution is None

    def as_dict(self) -> dict[str, Any]:
        r = self.resolution
        return {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "action": self.action,
            "why": self.why,
            "urgency": self.urgency,
            "stop": self.stop,
            "detail": self.detail,
            "sources": list(self.sources),
            "last_seen": self.last_seen,
            "resolution": None
            if r is None
            else {
                "outcome": r.outcome,
                "note": r.note,
                "resolved_at": r.resolved_at,
                "resolved_by_id": r.resolved_by_id,
            },
        }


def words(identifier: str) -> str:
    """ "recent_surgery" -> "Recent surgery"."""
    return identifier.replace("_", " ").replace("-", " ").strip().capitalize()


def red_flag_key(flag_id: str) -> str:
    return f"red-flag-{flag_id}".replace("_", "-")


def contraindication_key(item_id: str) -> str:
    return f"contraindication-{item_id}".replace("_", "-")


def red_flag(found: dict[str, Any], seen: dt.datetime, where: str) -> Flag:
    """A red flag as a record stores it (id, name, urgency, action, why), in the banner's terms."""
    urgency = str(found.get("urgency", "soon"))
    return Flag(
        key=red_flag_key(str(found["id"])),
        kind="red flag",
        label=str(found.get("name") or words(str(found["id"]))),
        action=str(found.get("action") or ACTION.get(urgency, REFER_ACTION)),
        why=str(found.get("why", "")),
        urgency=urgency,
        stop=True,
        last_seen=seen,
        sources=(where,),
    )


# Sources: each yields the flags one kind of record reports. Another app adds one with register().

Source = Callable[[Client], Iterable[Flag]]
SOURCES: list[Source] = []


def register(source: Source) -> Source:
    SOURCES.append(source)
    return source


@register
def from_intakes(client: Client) -> Iterable[Flag]:
    for s in IntakeSubmission.objects.filter(client=client).order_by("submitted_at", "id"):
        where = f"Intake {s.version} ({s.submitted_at:%Y-%m-%d})"
        for f in s.red_flags or []:
            yield red_flag(f, s.submitted_at, where)
        for c in s.contraindications or []:
            refer = c.get("action") == "refer"
            yield Flag(
                key=contraindication_key(str(c["id"])),
                kind="contraindication",
                label=words(str(c["id"])),
                action=REFER_ACTION if refer else CAUTION_ACTION,
                why=str(c.get("why", "")),
                urgency="refer" if refer else "caution",
                stop=refer,
                last_seen=s.submitted_at,
                sources=(where,),
                detail=str(c.get("detail", ""))[:300],
            )


@register
def from_pain_charts(client: Client) -> Iterable[Flag]:
    charts = PainChart.objects.filter(client=client).select_related("visit").order_by("updated_at", "id")
    for chart in charts:
        where = f"Pain chart of the visit of {chart.visit.date:%Y-%m-%d}"
        analysis = chart.analysis if isinstance(chart.analysis, dict) else {}
        for f in analysis.get("red_flags") or []:
            if isinstance(f, dict) and "id" in f:
                yield red_flag(f, chart.updated_at, where)


ORDER = ("emergency", "urgent", "soon", "refer", "caution")


def all_flags(client: Client) -> list[Flag]:
    """Every flag the client's records report, merged by key, each with its latest resolution
    (None when unresolved, or when it was reported again after it was resolved). Most urgent first."""
    merged: dict[str, Flag] = {}
    for source in SOURCES:
        for flag in source(client):
            seen = merged.get(flag.key)
            if seen is None:
                merged[flag.key] = flag
                continue
            sources = seen.sources + tuple(s for s in flag.sources if s not in seen.sources)
            newer = flag if flag.last_seen >= seen.last_seen else seen
            merged[flag.key] = replace(
                newer,
                sources=sources,
                stop=seen.stop or flag.stop,
                detail=newer.detail or seen.detail,
                urgency=min(seen.urgency, flag.urgency, key=lambda u: ORDER.index(u) if u in ORDER else 99),
            )
    latest: dict[str, FlagResolution] = {}
    for r in FlagResolution.objects.filter(client=client).order_by("resolved_at", "id"):
        latest[r.flag_key] = r
    out = []
    for flag in merged.values():
        found = latest.get(flag.key)
        covers = found is not None and found.resolved_at >= flag.last_seen
        out.append(replace(flag, resolution=found if covers else None))
    return sorted(out, key=lambda f: (ORDER.index(f.urgency) if f.urgency in ORDER else 99, f.label))


def active_flags(client: Client) -> list[Flag]:
    """The client's unresolved red flags and contraindications, most urgent first (public: stable)."""
    return [f for f in all_flags(client) if f.active]


def do_resolve_flag(client: Client, key: str, outcome: str, note: str, user: Any, role: str | None) -> FlagResolution:
    """Record how a practitioner resolved one active flag of the client; audited."""
    capabilities.require(role, "can_edit_clinical")
    flags = {f.key: f for f in all_flags(client)}
    if key not in flags:
        raise Http404("This client has no such flag.")
    errors: dict[str, str] = {}
    if not flags[key].active:
        errors["flag"] = "This flag is already resolved."
    if outcome not in FlagResolution.Outcome.values:
        labels = ", ".join(str(label).lower() for label in FlagResolution.Outcome.labels)
        errors["outcome"] = f"Choose how the flag was resolved: {labels}."
    note = (note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX} characters."
    if outcome == FlagResolution.Outcome.NOT_APPLICABLE and not note:
        errors["note"] = "Say in a few words why this flag does not apply."
    if errors:
        raise ValidationError(errors)
    resolution = FlagResolution(
        clinic=client.clinic,
        client=client,
        flag_key=key,
        outcome=outcome,
        note=note,
        resolved_by=user,
        resolved_at=timezone.now(),
    )
    with transaction.atomic():
        resolution.save()
        audit.record("create", resolution, detail={"flag": key, "outcome": outcome, "client": client.pk})
    return resolution
