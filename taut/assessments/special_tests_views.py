"""Special tests on the visit: pick tests by region, record left, right or midline results from the
keyboard, and see how they weigh the pain chart's neural differential."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from taut.access.decorators import requires
from taut.assessments import services
from taut.assessments import special_tests as service
from taut.clients import services as clients
from taut.core.reasoning.findings import SIDES

RESULTS = (("positive", "Positive"), ("negative", "Negative"), ("equivocal", "Equivocal"))


def items_from_post(post: Any) -> list[dict[str, str]]:
    """Fields "<test>.<side>" (a result, blank when not done) and "<test>.note" -> result items.

    A note belongs to the results recorded in its row; a note with no result is refused.
    """
    items: list[dict[str, str]] = []
    notes: dict[str, str] = {}
    for key in post:
        if "." not in key:
            continue  # the CSRF token and anything else that is not a test field
        test, _, part = str(key).rpartition(".")
        value = str(post.get(key, ""))
        if part == "note":
            notes[test] = value
        elif value.strip():
            items.append({"test": test, "side": part, "result": value})
    for item in items:
        item["note"] = notes.get(item["test"], "")
    orphans = sorted(t for t, n in notes.items() if n.strip() and t not in {i["test"] for i in items})
    if orphans:
        raise ValidationError(
            {"tests": f"A note needs a result in its row ({', '.join(o[:60] for o in orphans[:3])})."}
        )
    return items


def _rows(values: dict[str, str], notes: dict[str, str]) -> list[dict[str, Any]]:
    groups = []
    for region, tests in service.catalogue():
        rows: list[dict[str, Any]] = [
            {
                "test": t,
                "cells": [(side, values.get(f"{t.id}.{side}", "")) for side in SIDES],
                "note": notes.get(t.id, ""),
            }
            for t in tests
        ]
        done = sum(1 for r in rows for _, v in r["cells"] if v)
        groups.append({"region": region.replace("_", " "), "rows": rows, "done": done})
    return groups


@requires("can_edit_clinical")
def special_tests(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    """Record the visit's special tests; saving re-weighs the filed pain chart's neural differential."""
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    errors: list[str] = []
    existing = service.list_results(visit)
    values = {f"{r.test}.{r.side}": r.result for r in existing}
    notes: dict[str, str] = {}
    for r in existing:
        if r.note:
            notes.setdefault(r.test, r.note)
    if request.method == "POST":
        try:
            items = items_from_post(request.POST)
            service.do_record_special_tests(visit, items, request.user, getattr(request, "role", None))
        except ValidationError as exc:
            errors = [f"{k}: {' '.join(v)}" if k != "tests" else " ".join(v) for k, v in exc.message_dict.items()]
            values = {k: str(v) for k, v in request.POST.items() if "." in k and not k.endswith(".note")}
            notes = {k.removesuffix(".note"): str(v) for k, v in request.POST.items() if k.endswith(".note")}
        else:
            messages.success(request, "Special tests saved with the visit.")
            return redirect("assessments:special_tests", client_id=client.pk, visit_id=visit.pk)
    else:
        clients.audit_read(visit)
    chart = services.get_pain_chart(visit)
    context = {
        "client": client,
        "visit": visit,
        "groups": _rows(values, notes),
        "sides": SIDES,
        "results": RESULTS,
        "errors": errors,
        "existing": existing,
        "neural": chart.analysis.get("neural", []) if chart is not None else None,
    }
    return render(request, "assessments/special_tests.html", context)
