"""Special tests done at a visit: checked against the knowledge base, stored one row per test and
side, audited, and weighed into the visit's pain-chart analysis (``services.refresh_analysis`` writes it again
on each change)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from taut.access import capabilities
from taut.assessments import services
from taut.assessments.models import SpecialTestResult
from taut.audit import service as audit
from taut.clients.gate import CLINICAL, require_consent
from taut.clients.models import Visit
from taut.core.errors import TautError
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import SpecialTest
from taut.core.reasoning import findings

MAX_NOTE = 500
MAX_ITEMS = 100
REGION_ORDER = ("neck", "shoulder", "upper_arm", "elbow", "forearm", "wrist", "hand", "upper_back", "lower_back",
                "buttock", "hip", "thigh", "knee", "leg", "ankle", "foot")  # fmt: skip


def catalogue() -> list[tuple[str, list[SpecialTest]]]:
    """The knowledge base's special tests grouped by region (head to foot), by name within a region."""
    groups: dict[str, list[SpecialTest]] = {}
    for test in load_base().special_tests.values():
        groups.setdefault(str(test.region), []).append(test)
    order = {r: i for i, r in enumerate(REGION_ORDER)}
    return [
        (region, sorted(tests, key=lambda t: t.name))
        for region, tests in sorted(groups.items(), key=lambda g: (order.get(g[0], len(order)), g[0]))
    ]


def list_results(visit: Visit) -> list[SpecialTestResult]:
    return list(SpecialTestResult.objects.filter(visit=visit).order_by("test", "side"))


def check_results(items: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Validate results ({"test", "side", "result", "note"}); tests named by name are stored by id.

    Raises ValidationError naming the item and field ("tests.0.test") and how to fix it.
    """
    raw = list(items)
    if not raw:
        raise ValidationError({"tests": "Record at least one test result."})
    if len(raw) > MAX_ITEMS:
        raise ValidationError({"tests": f"Record at most {MAX_ITEMS} results at a time."})
    notes: dict[tuple[str, str], str] = {}
    base = load_base()
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ValidationError({f"tests.{i}": 'Each result needs "test", "side" and "result".'})
        note = item.get("note") or ""
        if not isinstance(note, str) or len(note) > MAX_NOTE or "\x00" in note:
            raise ValidationError({f"tests.{i}.note": f"Write a note of at most {MAX_NOTE} characters, without NUL."})
        for key in ("test", "side", "result"):
            value = item.get(key)
            if isinstance(value, str) and "\x00" in value:
                raise ValidationError({f"tests.{i}.{key}": "Text cannot contain NUL (\\x00) characters; remove them."})
    try:
        checked = findings.read_results(base, raw)
    except TautError as exc:
        raise ValidationError({exc.field or "tests": str(exc)}, code=exc.code) from None
    for item in raw:
        found = findings.resolve_test(base, str(item["test"]).strip())
        notes[(found.id, str(item.get("side", "midline")).strip().lower())] = (item.get("note") or "").strip()
    return [
        {"test": r.test, "side": r.side, "result": r.result.value, "note": notes.get((r.test, r.side), "")}
        for r in checked
    ]


def do_record_special_tests(
    visit: Visit, items: Iterable[Mapping[str, Any]], user: Any, role: str | None
) -> list[SpecialTestResult]:
    """Record (or correct) results, one row per test and side: each row written gets one audit entry,
    an unchanged row none; the visit's pain chart is re-analysed. All or nothing."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(visit.client, CLINICAL)
    checked = check_results(items)
    written: list[SpecialTestResult] = []
    changed = False
    with transaction.atomic():
        existing = {(r.test, r.side): r for r in SpecialTestResult.objects.select_for_update().filter(visit=visit)}
        for item in checked:
            record = existing.get((item["test"], item["side"]))
            if record is not None and (record.result, record.note) == (item["result"], item["note"]):
                written.append(record)
                continue
            created, changed = record is None, True
            if record is None:
                record = SpecialTestResult(
                    clinic=visit.clinic, client=visit.client, visit=visit, test=item["test"], side=item["side"]
                )
            record.result = item["result"]
            record.note = item["note"]
            record.recorded_by = user
            record.save()
            audit.record(
                "create" if created else "update",
                record,
                object_type="specialtestresult",
                detail={"test": record.test, "side": record.side, "result": record.result},
            )
            written.append(record)
        if changed:
            services.refresh_analysis(visit, reason="special tests recorded")
    return written


def do_record_special_test(
    visit: Visit, test: str, side: str, result: str, user: Any, role: str | None, note: str = ""
) -> SpecialTestResult:
    """Record one result (see do_record_special_tests)."""
    [record] = do_record_special_tests(
        visit, [{"test": test, "side": side, "result": result, "note": note}], user, role
    )
    return record
