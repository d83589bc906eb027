"""Outcome measures sent to the client's phone through a private link (taut.clients.links).

The practitioner picks one or more scored instruments for a visit and sends a link; the client
fills them on a phone; nothing is saved until every instrument is complete and valid. The answers
are then scored by the core, filed with the visit as if entered by the practitioner who sent the
link (``recorded_by``), marked as client-reported, audited, and the link closes. Through the link
the actor is the client: its audit entries carry no user, the channel "measures" and the link's id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.assessments import measures
from taut.assessments.link_models import MeasuresLink
from taut.assessments.models import OutcomeMeasure
from taut.audit import service as audit
from taut.clients import links
from taut.clients.gate import CLINICAL, require_consent
from taut.clients.models import Client, Visit
from taut.core.knowledge.schema import Instrument
from taut.core.measures import scoring

CAPABILITY = "can_send_measures"
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 30, 7
MAX_INSTRUMENTS = 5
DENIED_REASON = "unknown, expired, revoked or used measures link"
BUSY_REASON = "too many requests on this measures link in a minute"
OBJECT_TYPE = "measureslink"

KIND = links.LinkKind(
    model=MeasuresLink,
    channel="measures",
    object_type=OBJECT_TYPE,
    url_kwarg="measures_token",
    settings_prefix="TAUT_MEASURES",
    denied_reason=DENIED_REASON,
    busy_reason=BUSY_REASON,
    locked_reason="too many failed measures links from this address",
    unavailable_template="assessments/link/unavailable.html",
    too_many_template="assessments/link/too_many.html",
    pass_token=True,
)


def _instruments(ids: Any) -> list[Instrument]:
    if not isinstance(ids, list | tuple) or not ids:
        raise ValidationError({"instruments": "Choose at least one outcome measure."})
    if len(ids) > MAX_INSTRUMENTS:
        raise ValidationError({"instruments": f"Choose at most {MAX_INSTRUMENTS} outcome measures for one link."})
    out: list[Instrument] = []
    for raw in ids:
        if not isinstance(raw, str):
            raise ValidationError({"instruments": "Name each outcome measure by its id."})
        found = next((i for i in measures.instruments() if i.id == raw), None)
        if found is None:
            raise ValidationError({"instruments": f"{raw[:40]!r} is not an outcome measure of the knowledge base."})
        if found not in out:
            out.append(found)
    return out


def do_send_link(
    visit: Visit,
    instrument_ids: Any,
    created_by: Any,
    role: str | None,
    *,
    days: Any = DEFAULT_DAYS,
    url_for: Callable[[str], str] | None = None,
) -> tuple[MeasuresLink, str]:
    """A new link asking the chosen instruments for the visit; the plaintext token is returned
    once. Other usable links for the same visit are revoked. With `url_for`, it is e-mailed."""
    capabilities.require(role, CAPABILITY)
    require_consent(visit.client, CLINICAL)
    chosen = _instruments(instrument_ids)
    if isinstance(days, bool) or not isinstance(days, int) or not (MIN_DAYS <= days <= MAX_DAYS):
        raise ValidationError({"days": f"Choose from {MIN_DAYS} to {MAX_DAYS} days."})
    plaintext = links.new_token()
    now = timezone.now()
    expires = now + dt.timedelta(days=days)
    client = visit.client
    email = _email_link(client, url_for(plaintext), expires) if url_for else "not asked"
    with transaction.atomic():
        open_links = MeasuresLink.objects.select_for_update().filter(visit=visit, revoked_at=None, used_at=None)
        replaced = [old for old in open_links if old.expires_at > now]
        for old in replaced:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        link = MeasuresLink.objects.create(
            clinic=client.clinic,
            client=client,
            visit=visit,
            created_by=created_by,
            instruments=[i.id for i in chosen],
            token_sha256=links.token_digest(plaintext),
            expires_at=expires,
        )
        audit.record(
            "create",
            link,
            detail={
                "visit": visit.pk,
                "instruments": link.instruments,
                "days": days,
                "replaced": [o.pk for o in replaced],
                "email": email,
            },
        )
    link.emailed = email == "sent"
    return link, plaintext


def _email_link(client: Client, url: str, expires_at: dt.datetime) -> str:
    """The clinic's name and the link's last day: no name, no health content."""
    clinic = client.clinic.name
    body = (
        f"{clinic} asks you to answer a few questions before your next visit.\n\n"
        f"Open this link on your phone or computer:\n{url}\n\n"
        f"The link works until {expires_at:%Y-%m-%d}. Please do not forward this message.\n"
    )
    return links.email_link(client, f"{clinic}: your questions", body)


def list_links(visit: Visit) -> QuerySet[MeasuresLink]:
    return MeasuresLink.objects.filter(visit=visit)


def get_link(client: Client, link_id: Any) -> MeasuresLink:
    found: MeasuresLink = get_or_404(MeasuresLink.objects.filter(client=client), pk=link_id)
    return found


def do_revoke_link(link: MeasuresLink, role: str | None) -> MeasuresLink:
    links.do_revoke(link, role, CAPABILITY)
    return link


# Through the link -----------------------------------------------------------------------------


def link_instruments(link: MeasuresLink) -> list[Instrument]:
    """The link's instruments still in the knowledge base, in the order asked."""
    known = {i.id: i for i in measures.instruments()}
    return [known[i] for i in link.instruments if i in known]


def do_open(link: MeasuresLink) -> MeasuresLink:
    with transaction.atomic():
        if link.opened_at is None:
            link.opened_at = timezone.now()
            link.save(update_fields=["opened_at"])
        audit.record("open", link, clinic=link.clinic, detail={"via": f"measures link #{link.pk}"})
    return link


def check_complete(instrument: Instrument, answers: list[Any]) -> None:
    """Every item answered (a phone form is filled in full; the scorer's missing-item rules are
    for paper forms handed back with gaps)."""
    items = instrument.items
    blank = [n for n, v in enumerate(answers, 1) if v is None]
    if len(answers) < items.count_min:
        blank += list(range(len(answers) + 1, items.count_min + 1))
    if blank:
        shown = ", ".join(str(n) for n in blank[:10])
        raise ValidationError({"answers": f"{instrument.name}: answer every question (missing: {shown})."})


def do_submit(link: MeasuresLink, answers: dict[str, list[Any]]) -> list[OutcomeMeasure]:
    """Score every instrument of the link; only when all are complete and valid are they filed
    (all at once) and the link closed. A problem raises a ValidationError and changes nothing."""
    asked = link_instruments(link)
    scored: list[tuple[Instrument, list[Any], scoring.Score]] = []
    problems: dict[str, list[str]] = {}
    for instrument in asked:
        given = answers.get(instrument.id)
        try:
            if not isinstance(given, list):
                raise ValidationError({"answers": f"{instrument.name}: answer every question."})
            check_complete(instrument, given)
            scored.append((instrument, given, measures.score_answers(instrument, given)))
        except ValidationError as exc:
            problems[instrument.id] = [f"{instrument.name}: {m}" if not m.startswith(instrument.name) else m
                                       for m in exc.messages]  # fmt: skip
    if problems:
        raise ValidationError(problems)
    require_consent(link.client, CLINICAL)
    with transaction.atomic():
        fresh = MeasuresLink.objects.select_for_update().get(pk=link.pk)
        if not fresh.usable:
            raise ValidationError({"link": "This link can no longer be used."})
        filed = []
        for instrument, given, result in scored:
            record = measures.get_measure(link.visit, instrument.id)
            created = record is None
            if record is None:
                record = OutcomeMeasure(
                    clinic=link.clinic, client=link.client, visit=link.visit, instrument=instrument.id
                )
            record.answers = list(given)
            record.score = result.to_dict()
            record.kb_version = result.kb_version
            record.recorded_by = link.created_by
            record.client_reported = True
            record.save()
            audit.record(
                "create" if created else "update",
                record,
                clinic=link.clinic,
                object_type="outcomemeasure",
                detail={
                    "instrument": instrument.id,
                    "kb_version": result.kb_version,
                    "client_reported": True,
                    "via": f"measures link #{link.pk}",
                },
            )
            filed.append(record)
        fresh.used_at = timezone.now()
        fresh.save(update_fields=["used_at"])
        link.used_at = fresh.used_at
        audit.record("update", fresh, clinic=link.clinic, detail={"used": True, "filed": [r.pk for r in filed]})
    return filed
