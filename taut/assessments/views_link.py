"""Outcome measures on the client's phone: the staff page that sends the link (under the visit)
and the client's public page (no account) that fills and files them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.assessments import links as measure_links
from taut.assessments import measures
from taut.assessments.link_models import MeasuresLink
from taut.assessments.measures_views import answers_from_post
from taut.clients import links
from taut.clients import services as clients
from taut.core.knowledge.schema import Instrument

public_link = links.public_link(measure_links.KIND)
MAX_CHOICES = 11  # up to this many whole-number answers are shown as a row of choices


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


def _public_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("assessments:measures_link", kwargs={"measures_token": token}))


# Staff -------------------------------------------------------------------------------------------


@requires(measure_links.CAPABILITY)
def send_page(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    """Choose the outcome measures, send the link; the visit's links with their status."""
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    errors: list[str] = []
    chosen = [str(i)[:40] for i in request.POST.getlist("instrument")]
    if request.method == "POST":
        raw = request.POST.get("days", str(measure_links.DEFAULT_DAYS)).strip()
        days: Any = int(raw) if raw.isdigit() and len(raw) < 4 else raw
        try:
            link, token = measure_links.do_send_link(
                visit, chosen, request.user, _role(request), days=days,
                url_for=lambda t: _public_url(request, t),
            )  # fmt: skip
        except ValidationError as exc:
            errors = exc.messages
        else:
            request.session[f"measures_new_url_{visit.pk}"] = _public_url(request, token)
            text = f"The link was e-mailed to {client.email}." if link.emailed else "The link is ready."
            messages.success(request, text)
            return redirect("assessments:measures_send", client_id=client.pk, visit_id=visit.pk)
    else:
        clients.audit_list(measure_links.OBJECT_TYPE, client=client.pk, visit=visit.pk)
    context = {
        "client": client,
        "visit": visit,
        "instruments": measures.instruments(),
        "chosen": chosen,
        "links": measure_links.list_links(visit),
        "new_url": request.session.pop(f"measures_new_url_{visit.pk}", "") if request.method == "GET" else "",
        "errors": errors,
        "days": request.POST.get("days", measure_links.DEFAULT_DAYS),
        "max_days": measure_links.MAX_DAYS,
    }
    return links.no_store(render(request, "assessments/measures_send.html", context, status=400 if errors else 200))


@requires(measure_links.CAPABILITY)
@require_POST
def revoke(request: HttpRequest, client_id: int, measures_link_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    link = measure_links.get_link(client, measures_link_id)
    try:
        measure_links.do_revoke_link(link, _role(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The link was revoked; it no longer opens.")
    return redirect("assessments:measures_send", client_id=client.pk, visit_id=link.visit_id)


# The client's page -------------------------------------------------------------------------------


def _form(instrument: Instrument, values: dict[int, str]) -> dict[str, Any]:
    items = instrument.items
    choices: list[str] = []
    span = items.max_value - items.min_value
    if items.integer and span < MAX_CHOICES:
        choices = [str(int(items.min_value) + n) for n in range(int(span) + 1)]
    rows = [
        {"n": n, "label": label, "name": f"{instrument.id}.item_{n}", "value": values.get(n, ""),
         "required": n <= items.count_min}
        for n, label in enumerate(measures.item_labels(instrument), 1)
    ]  # fmt: skip
    return {
        "instrument": instrument,
        "rows": rows,
        "choices": choices,
        "low": f"{items.min_value:g}",
        "high": f"{items.max_value:g}",
        "step": "1" if items.integer else "any",
    }


def _answers(instrument: Instrument, post: Any) -> list[Any]:
    prefix = f"{instrument.id}."
    mine = {k.removeprefix(prefix): v for k, v in post.items() if k.startswith(prefix)}
    return answers_from_post(instrument, mine)


@public_link
def fill(request: HttpRequest, link: MeasuresLink, token: str) -> HttpResponse:
    """The link's outcome measures as one simple form; filed only when complete and valid."""
    asked = measure_links.link_instruments(link)
    errors: list[str] = []
    values: dict[str, dict[int, str]] = {}
    if request.method == "POST":
        answers: dict[str, list[Any]] = {}
        for instrument in asked:
            values[instrument.id] = {
                n: str(request.POST.get(f"{instrument.id}.item_{n}", ""))[:12].replace("\x00", "")
                for n in range(1, instrument.items.count_max + 1)
            }
            try:
                answers[instrument.id] = _answers(instrument, request.POST)
            except ValidationError as exc:
                errors += [f"{instrument.name}: {m}" for m in exc.messages]
        if not errors:
            try:
                measure_links.do_submit(link, answers)
            except ValidationError as exc:
                if "link" in exc.message_dict:
                    return measure_links.KIND.unavailable(request)
                errors = exc.messages
            else:
                return render(request, "assessments/link/done.html", {"link": link})
    else:
        measure_links.do_open(link)
    context = {
        "link": link,
        "token": token,
        "forms": [_form(i, values.get(i.id, {})) for i in asked],
        "errors": errors,
    }
    return render(request, "assessments/link/fill.html", context, status=400 if errors else 200)
