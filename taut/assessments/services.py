"""Write and read paths for pain charts: validated by the core, stored with the visit, audited."""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import fields as dataclass_fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from taut.access import capabilities
from taut.assessments.models import PainChart, RomAssessment, SpecialTestResult
from taut.audit import service as audit
from taut.clients.gate import CLINICAL, require_consent
from taut.clients.models import Visit
from taut.clients.services import age_on
from taut.core.errors import TautError
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import JointMotion
from taut.core.measures import rom
from taut.core.measures.rom import EndFeel, RomEntry
from taut.core.reasoning.analysis import Analysis, analyse
from taut.core.reasoning.parse import chart_from_inputs, parse_mark

FORM_KEYS = ("qualities", "mechanism", "aggravating", "easing", "restricted", "symptoms", "condition", "red_flags")


def inputs_from_text(pain_text: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The web form's shape -> the JSON inputs shape ("left temple:6" lines become marks)."""
    base = load_base()
    pain: list[dict[str, Any]] = []
    for line in pain_text.splitlines():
        if line.strip():
            try:
                marks = parse_mark(base, line)
            except TautError as exc:
                raise ValidationError({"pain": str(exc)}) from None
            pain += [{"zone": z, "intensity": i, "quality": q} for z, i, q in marks]
    return {"pain": pain, **{k: extra.get(k) for k in FORM_KEYS if extra.get(k)}}


def compute(inputs: dict[str, Any], visit: Visit | None = None, tests: list[Any] | None = None) -> Analysis:
    """Run the reasoning on inputs; a problem becomes a ValidationError naming the field.

    ``tests`` are special-test results to weigh; by default, those recorded at the visit.
    """
    base = load_base()
    if tests is None and visit is not None:
        tests = results_for_analysis(visit)
    client = visit.client if visit is not None else None
    try:
        chart = chart_from_inputs(
            base,
            inputs,
            age=age_on(client, visit.date) if client and visit else None,
            sex=client.sex if client and client.sex in ("female", "male") else None,
        )
        return analyse(base, chart, tests=tests or ())  # checks red flags and tests against the knowledge base
    except TautError as exc:
        field = (exc.field or "pain").split(".")[0]
        raise ValidationError({field: str(exc)}, code=exc.code) from None


def results_for_analysis(visit: Visit) -> list[dict[str, str]]:
    """The visit's special-test results as the reasoning takes them (tests no longer in the knowledge base left out)."""
    known = load_base().special_tests
    rows = SpecialTestResult.objects.filter(visit=visit).order_by("test", "side")
    return [{"test": r.test, "side": r.side, "result": r.result} for r in rows if r.test in known]


def get_pain_chart(visit: Visit) -> PainChart | None:
    return PainChart.objects.filter(visit=visit).first()


def _write_analysis(record: PainChart, result: Analysis) -> None:
    """The one place a chart's analysis is written (the caller saves and audits)."""
    data = result.to_dict()
    record.analysis = data
    record.kb_version = result.kb_version
    record.red_flag_count = len(data.get("red_flags", []))


def do_save_pain_chart(visit: Visit, inputs: dict[str, Any], user: Any, role: str | None) -> PainChart:
    """Validate, analyse and file the chart with the visit (one per visit; saving again replaces it)."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(visit.client, CLINICAL)
    result = compute(inputs, visit)
    with transaction.atomic():
        record = get_pain_chart(visit)
        created = record is None
        if record is None:
            record = PainChart(clinic=visit.clinic, client=visit.client, visit=visit, recorded_by=user)
        record.inputs = inputs
        _write_analysis(record, result)
        record.recorded_by = user
        record.save()
        audit.record("create" if created else "update", record, detail={"kb_version": result.kb_version})
    return record


def refresh_analysis(visit: Visit, *, reason: str) -> None:
    """Re-analyse the visit's filed chart (its special tests changed), audited as an update of the chart.

    Runs inside the caller's transaction. A chart that no longer reads under this knowledge base is
    left as it is; it is re-analysed when it is saved again.
    """
    chart = get_pain_chart(visit)
    if chart is None:
        return
    try:
        result = compute(chart.inputs, visit)
    except ValidationError:
        return
    _write_analysis(chart, result)
    chart.save(update_fields=["analysis", "kb_version", "red_flag_count", "updated_at"])
    audit.record("update", chart, detail={"reason": reason, "kb_version": result.kb_version})


# Range of motion ---------------------------------------------------------------------------


def read_rom(entries: list[dict[str, Any]], visit: Visit) -> list[dict[str, Any]]:
    """Check every entry and read it against the client's norms; a bad entry names its place."""
    base = load_base()
    client = visit.client
    readings = []
    for i, raw in enumerate(entries):
        try:
            entry = RomEntry(
                motion=JointMotion(raw["motion"]),
                side=str(raw.get("side", "midline")),
                active=_number(raw.get("active")),
                passive=_number(raw.get("passive")),
                end_feel=EndFeel(raw["end_feel"]) if raw.get("end_feel") else None,
                painful=bool(raw.get("painful", False)),
                painful_arc=bool(raw.get("painful_arc", False)),
            )
            reading = rom.read(
                base,
                entry,
                age=age_on(client, visit.date),
                sex=client.sex if client.sex in ("female", "male") else None,
            )
        except (KeyError, ValueError, TypeError) as exc:
            where = f"entries.{i}.{(exc.field if isinstance(exc, TautError) else None) or 'motion'}"
            message = str(exc) if isinstance(exc, TautError) else f"{raw.get('motion')!r}: {exc}"
            raise ValidationError({where: message}) from None
        readings.append(asdict(reading))
    return readings


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TypeError("use a number of degrees (or mm)")
    return float(value)


def get_rom(visit: Visit) -> RomAssessment | None:
    return RomAssessment.objects.filter(visit=visit).first()


def do_save_rom(visit: Visit, entries: list[dict[str, Any]], user: Any, role: str | None) -> RomAssessment:
    """Check, read and file the visit's range-of-motion entries (saving again replaces them)."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(visit.client, CLINICAL)
    if not entries:
        raise ValidationError({"entries": "Enter at least one measurement."})
    readings = read_rom(entries, visit)
    with transaction.atomic():
        record = get_rom(visit)
        created = record is None
        if record is None:
            record = RomAssessment(clinic=visit.clinic, client=visit.client, visit=visit, recorded_by=user)
        record.entries = entries
        record.readings = readings
        record.kb_version = load_base().version
        record.recorded_by = user
        record.save()
        audit.record("create" if created else "update", record, object_type="romassessment")
    return record


def restricted_from_rom(visit: Visit) -> list[str]:
    """Motions the visit's ROM found restricted, for the pain chart's findings."""
    record = get_rom(visit)
    if record is None:
        return []
    readings = record.readings
    if any("codes" not in r for r in readings):  # filed before readings carried codes: read the entries again
        try:
            readings = read_rom(record.entries, visit)
        except ValidationError:
            return []
    return sorted({r["motion"] for r in readings if any(code in rom.RESTRICTED for code in r["codes"])})


def rom_readings(record: RomAssessment, visit: Visit) -> list[dict[str, Any]]:
    """The record's readings, read again from its entries when they were filed before readings
    carried the measured values (so every row can show degrees beside the norm)."""
    readings: list[dict[str, Any]] = record.readings
    if any("codes" not in r or "active" not in r for r in readings):
        try:
            readings = read_rom(record.entries, visit)
        except ValidationError:
            return readings
    return readings


def rom_asymmetries(readings: list[dict[str, Any]]) -> list[str]:
    """The left-right differences beyond the threshold, in words."""
    fields = {f.name for f in dataclass_fields(rom.RomReading)}
    parsed = [
        rom.RomReading(**{k: tuple(v) if isinstance(v, list) else v for k, v in r.items() if k in fields})  # type: ignore[arg-type]
        for r in readings
        if "active" in r
    ]
    return [a.words() for a in rom.asymmetries(parsed)]
