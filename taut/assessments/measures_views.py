"""Outcome measures and the wellness questionnaire on the visit: enter the numbers, see the score."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from taut.access.decorators import requires
from taut.assessments import measures
from taut.clients import services as clients
from taut.core.errors import NotAvailable
from taut.core.knowledge.schema import Instrument


def _parse(raw: str, number: int) -> float | int | None:
    text = raw.strip()
    if not text:
        return None
    if len(text) > 12 or "\x00" in text:
        raise ValidationError({f"answers.{number}": f"Item {number}: enter a number."})
    try:
        value = float(text)
    except ValueError:
        raise ValidationError({f"answers.{number}": f"Item {number}: enter a number."}) from None
    if not math.isfinite(value):
        raise ValidationError({f"answers.{number}": f"Item {number}: enter a number."})
    return int(value) if value.is_integer() else value


def answers_from_post(instrument: Instrument, post: Any) -> list[float | int | None]:
    """The item_1 ... item_N fields in order; trailing blanks dropped where the count may vary."""
    items = instrument.items
    extra = [k for k in post if k.startswith("item_") and k.removeprefix("item_") not in
             {str(n) for n in range(1, items.count_max + 1)}]  # fmt: skip
    if extra:
        raise ValidationError({"answers": f"{len(extra)} answer(s) for items this instrument does not have."})
    answers = [_parse(str(post.get(f"item_{n}", "")), n) for n in range(1, items.count_max + 1)]
    if items.count_min != items.count_max:
        while len(answers) > items.count_min and answers[-1] is None:
            answers.pop()
    return answers


def _item_errors(exc: ValidationError) -> tuple[dict[int, list[str]], list[str]]:
    by_item: dict[int, list[str]] = {}
    general: list[str] = []
    for key, errors in exc.message_dict.items():
        number = key.removeprefix("answers.")
        if number.isdigit():
            by_item.setdefault(int(number), []).extend(errors)
        else:
            general.extend(errors)
    return by_item, general


@requires("can_edit_clinical")
def measures_page(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    """The visit's outcome measures: pick an instrument, enter the answers as numbers, see the score."""
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    chosen_id = str(request.POST.get("instrument") or request.GET.get("instrument") or "")[:40]
    try:
        instrument = measures.get_instrument(chosen_id) if chosen_id else None
    except NotAvailable as exc:
        raise Http404(str(exc)) from None
    existing = measures.get_measure(visit, instrument.id) if instrument else None
    values: dict[int, Any] = {}
    item_errors: dict[int, list[str]] = {}
    errors: list[str] = []
    if request.method == "POST":
        if instrument is None:
            errors = ["Choose an instrument."]
        else:
            try:
                answers = answers_from_post(instrument, request.POST)
                measures.do_record_measure(visit, instrument, answers, request.user, getattr(request, "role", None))
            except ValidationError as exc:
                item_errors, errors = _item_errors(exc)
                values = {n: str(request.POST.get(f"item_{n}", ""))[:12].replace("\x00", "") for n in range(1, 101)}
            else:
                messages.success(request, f"{instrument.name} saved with the visit.")
                url = reverse("assessments:measures", kwargs={"client_id": client.pk, "visit_id": visit.pk})
                return redirect(f"{url}?instrument={instrument.id}")
    else:
        clients.audit_read(existing or visit)
        if existing is not None:
            values = {n: ("" if v is None else f"{v:g}") for n, v in enumerate(existing.answers, 1)}
    items = []
    if instrument is not None:
        for n, label in enumerate(measures.item_labels(instrument), 1):
            items.append({"n": n, "label": label, "value": values.get(n, ""), "errors": item_errors.get(n, [])})
    context = {
        "client": client,
        "visit": visit,
        "instruments": measures.instruments(),
        "recorded": {m.instrument: m for m in measures.visit_measures(visit)},
        "instrument": instrument,
        "items": items,
        "existing": existing if not errors and not item_errors else None,
        "errors": errors,
        "has_item_errors": bool(item_errors),
    }
    return render(request, "assessments/measures.html", context)


@requires("can_edit_clinical")
def wellness_page(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    """The wellness questionnaire for the visit, and the advice its answers raise for the plan."""
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    existing = measures.get_wellness(visit)
    errors: list[str] = []
    domains = measures.wellness_domains()
    known = {f"{d.id}.{q.id}" for d in domains for q in d.questions}
    if request.method == "POST":
        answers = {k: str(v)[:60] for k, v in request.POST.items() if k in known and v}
        try:
            measures.do_save_wellness(visit, answers, request.user, getattr(request, "role", None))
        except ValidationError as exc:
            errors = [e for msgs in exc.message_dict.values() for e in msgs]
            chosen = answers
        else:
            messages.success(request, "Wellness answers saved with the visit.")
            return redirect("assessments:wellness", client_id=client.pk, visit_id=visit.pk)
    else:
        clients.audit_read(existing or visit)
        chosen = dict(existing.answers) if existing else {}
    form = [
        {
            "domain": d,
            "questions": [
                {"q": q, "name": f"{d.id}.{q.id}", "chosen": chosen.get(f"{d.id}.{q.id}")} for q in d.questions
            ],
        }
        for d in domains
    ]
    context = {
        "client": client,
        "visit": visit,
        "form": form,
        "existing": existing if not errors else None,
        "names": {d.id: d.name for d in domains},
        "errors": errors,
    }
    return render(request, "assessments/wellness.html", context)
