"""Outcome measures and the wellness questionnaire filed with a visit: scored by the core, audited."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from taut.access import capabilities
from taut.assessments.models import OutcomeMeasure, WellnessAnswers
from taut.audit import service as audit
from taut.clients.gate import CLINICAL, require_consent
from taut.clients.models import Client, Visit
from taut.core.errors import NotAvailable, TautError
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import Instrument, WellnessDomain
from taut.core.measures import scoring, wellness

MAX_ITEMS = 100  # no instrument has more items; longer lists are refused before scoring


# Instruments -------------------------------------------------------------------------------


def instruments() -> list[Instrument]:
    return sorted(load_base().instruments.values(), key=lambda i: i.name.lower())


def get_instrument(instrument_id: str) -> Instrument:
    """An instrument by its exact id (as in URLs); NotAvailable (a 404) when the knowledge base has none."""
    found = load_base().instruments.get(instrument_id)
    if found is None:
        raise NotAvailable("unknown_instrument", "No such instrument.")
    return found


def item_labels(instrument: Instrument) -> list[str]:
    """One short label per item: the knowledge base's domain words, never the item wording."""
    items = instrument.items
    domains = items.domains
    if len(domains) == items.count_max:
        return list(domains)
    if items.count_max == 1:
        return ["Rating"]
    if items.count_min != items.count_max:
        return [f"Activity {n} (the client's own)" for n in range(1, items.count_max + 1)]
    word = "Statement" if items.max_value - items.min_value == 1 else "Item"  # a checklist: ticked = 1
    return [f"{word} {n}" for n in range(1, items.count_max + 1)]


def _answers_error(exc: TautError) -> ValidationError:
    return ValidationError({exc.field or "answers": str(exc)}, code=exc.code)


def _check_list(answers: Any) -> list[float | int | None]:
    if not isinstance(answers, list | tuple):
        raise ValidationError({"answers": "Give the answers as a list in item order (null for a blank item)."})
    if len(answers) > MAX_ITEMS:
        raise ValidationError({"answers": f"At most {MAX_ITEMS} answers; this instrument has fewer items."})
    for n, value in enumerate(answers, 1):
        ok = value is None or (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value))
        if not ok:
            raise ValidationError({f"answers.{n}": f"Item {n}: {str(value)[:40]!r} is not a number."})
    return list(answers)


def score_answers(instrument: Instrument, answers: Any) -> scoring.Score:
    """Score through the core; a problem becomes a ValidationError naming the item."""
    checked = _check_list(answers)
    try:
        return scoring.score(instrument.id, checked)
    except scoring.InvalidAnswersError as exc:
        raise _answers_error(exc) from None


def get_measure(visit: Visit, instrument_id: str) -> OutcomeMeasure | None:
    return OutcomeMeasure.objects.filter(visit=visit, instrument=instrument_id).first()


def visit_measures(visit: Visit) -> list[OutcomeMeasure]:
    return list(OutcomeMeasure.objects.filter(visit=visit).order_by("instrument"))


def do_record_measure(
    visit: Visit, instrument: str | Instrument, answers: Any, user: Any, role: str | None
) -> OutcomeMeasure:
    """Score the answers and file them with the visit (one per instrument; saving again replaces)."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(visit.client, CLINICAL)
    if isinstance(instrument, str):
        found = load_base().instruments.get(instrument)
        if found is None:
            raise ValidationError({"instrument": f"{instrument[:40]!r} is not an instrument of the knowledge base."})
        instrument = found
    result = score_answers(instrument, answers)
    with transaction.atomic():
        record = get_measure(visit, instrument.id)
        created = record is None
        if record is None:
            record = OutcomeMeasure(
                clinic=visit.clinic, client=visit.client, visit=visit, instrument=instrument.id, recorded_by=user
            )
        record.answers = list(answers)
        record.score = result.to_dict()
        record.kb_version = result.kb_version
        record.recorded_by = user
        record.save()
        audit.record(
            "create" if created else "update",
            record,
            object_type="outcomemeasure",
            detail={"instrument": instrument.id, "kb_version": result.kb_version},
        )
    return record


# History -----------------------------------------------------------------------------------


@dataclass
class HistoryRow:
    measure: OutcomeMeasure
    value: float
    difference: float | None = None  # since the first
    exceeds_mcid: bool = False
    improved: bool = False


@dataclass
class History:
    instrument: Instrument
    rows: list[HistoryRow] = field(default_factory=list)

    @property
    def latest(self) -> HistoryRow:
        return self.rows[-1]


def _comparable(instrument: Instrument, score: dict[str, Any]) -> float:
    if instrument.mcid is not None and instrument.mcid.unit == "percent" and score.get("percent") is not None:
        return float(score["percent"])
    return float(score["value"])


def history(client: Client) -> list[History]:
    """Each instrument's scores across the client's visits, oldest first, with the change since
    the first and whether it reaches the MCID (by the core's ``change``)."""
    base = load_base()
    out: dict[str, History] = {}
    for measure in OutcomeMeasure.objects.filter(client=client).select_related("visit"):
        instrument = base.instruments.get(measure.instrument)
        if instrument is None:
            continue
        entry = out.setdefault(instrument.id, History(instrument))
        value = _comparable(instrument, measure.score)
        row = HistoryRow(measure, float(measure.score["value"]))
        if entry.rows:
            first = _comparable(instrument, entry.rows[0].measure.score)
            delta = scoring.change(instrument, first, value)
            row.difference, row.exceeds_mcid, row.improved = delta.difference, delta.exceeds_mcid, delta.improved
        entry.rows.append(row)
    return sorted(out.values(), key=lambda h: h.instrument.name.lower())


def history_out(client: Client) -> list[dict[str, Any]]:
    """The history as plain data (for the API)."""
    return [
        {
            "instrument": h.instrument.id,
            "name": h.instrument.name,
            "higher_is": h.instrument.higher_is,
            "mcid": h.instrument.mcid.value if h.instrument.mcid else None,
            "scores": [
                {
                    "visit_id": r.measure.visit_id,
                    "date": r.measure.visit.date,
                    "value": r.value,
                    "percent": r.measure.score.get("percent"),
                    "band": r.measure.score.get("band"),
                    "difference": r.difference,
                    "exceeds_mcid": r.exceeds_mcid,
                    "improved": r.improved,
                }
                for r in h.rows
            ],
        }
        for h in history(client)
    ]


# Wellness ----------------------------------------------------------------------------------


def wellness_domains() -> list[WellnessDomain]:
    return list(load_base().wellness.values())


def _wellness_field(key: str | None, sent: dict[str, Any]) -> str:
    """The field at fault as the client sent it: "answers.sleep.hours", or "answers.sleep" when nested."""
    if key is None:
        return "answers"
    if key in sent:
        return f"answers.{key}"
    domain = key.split(".")[0]
    return f"answers.{domain}" if domain in sent else "answers"


def get_wellness(visit: Visit) -> WellnessAnswers | None:
    return WellnessAnswers.objects.filter(visit=visit).first()


def do_save_wellness(visit: Visit, answers: Any, user: Any, role: str | None) -> WellnessAnswers:
    """Evaluate the wellness answers and file them with the visit (saving again replaces them)."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(visit.client, CLINICAL)
    if not isinstance(answers, dict) or not answers:
        raise ValidationError({"answers": "Answer at least one question."})
    flat = {str(k): v for k, v in answers.items()}
    try:
        result = wellness.evaluate(flat)
    except wellness.InvalidWellnessAnswerError as exc:
        raise ValidationError({_wellness_field(exc.key, flat): str(exc)[:500]}, code=exc.code) from None
    with transaction.atomic():
        record = get_wellness(visit)
        created = record is None
        if record is None:
            record = WellnessAnswers(clinic=visit.clinic, client=visit.client, visit=visit, recorded_by=user)
        record.answers = flat
        record.advice = result.to_dict()
        record.kb_version = result.kb_version
        record.recorded_by = user
        record.save()
        audit.record("create" if created else "update", record, object_type="wellnessanswers")
    return record
