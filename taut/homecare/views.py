"""The home programme's pages: the client's private link (no account; the exercises, a tick per
exercise per day, a print view and a PDF) and the staff's pages under the client (make or change
a programme, send or revoke its link, adherence per exercise)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.clients import links
from taut.clients import services as clients
from taut.core.bodymap.figures import figure_svg
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.queries import exercise_allowed
from taut.homecare import pdf, services
from taut.homecare.models import HomeProgramme, HomeProgrammeLink

SCORES = range(0, 11)


def _unavailable(request: HttpRequest) -> HttpResponse:
    return services.KIND.unavailable(request)


# A public page of a home programme link (taut.clients.links.public_link): throttled, the token
# resolved, run inside the link's clinic; the view is given the link and its token.
public_link = links.public_link(services.KIND)


def _exercise_context(link: HomeProgrammeLink) -> list[dict[str, Any]]:
    out = []
    for shown in services.shown_items(link.programme):
        ex = shown.exercise
        figure = ""
        if ex.figure is not None:  # an <img> of a data: address: no markup of ours is marked safe
            svg = figure_svg(ex.figure, title=ex.name, size=180)
            figure = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        out.append({"shown": shown, "exercise": ex, "figure": figure, "note": shown.item.get("note", "")})
    return out


def _day(request: HttpRequest) -> dt.date:
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return today
    return day if today - dt.timedelta(days=7) <= day <= today else today


@public_link
def programme(request: HttpRequest, link: HomeProgrammeLink, token: str) -> HttpResponse:
    """The client's exercises for a day, each with a tick, pain and difficulty."""
    day = _day(request)
    services.do_open(link, "programme")
    done = services.ticks(link.programme, day)
    items = _exercise_context(link)
    for item in items:
        item["tick"] = done.get(item["exercise"].id)
    today = timezone.localdate()
    context = {
        "link": link,
        "token": token,
        "items": items,
        "day": day,
        "today": today,
        "days": [today - dt.timedelta(days=n) for n in range(0, 8)],
        "scores": SCORES,
        "problem": request.GET.get("problem") == "1",
    }
    return render(request, "homecare/programme.html", context)


@public_link
@require_POST
def tick(request: HttpRequest, link: HomeProgrammeLink, token: str) -> HttpResponse:
    data = request.POST
    day = data.get("date", "")
    try:
        services.do_record_adherence(
            link, data.get("exercise"), day, data.get("done", ""), data.get("pain"), data.get("difficulty")
        )
    except ValidationError as exc:
        if "link" in exc.message_dict:
            return _unavailable(request)
        context = {"link": link, "token": token, "problems": exc.messages}
        return render(request, "homecare/problem.html", context, status=400)
    url = reverse("homecare:home_programme", kwargs={"home_token": token})
    return redirect(f"{url}?day={day}#ex-{data.get('exercise')}")


@public_link
def print_view(request: HttpRequest, link: HomeProgrammeLink, token: str) -> HttpResponse:
    services.do_open(link, "print")
    context = {"link": link, "token": token, "items": _exercise_context(link), "today": timezone.localdate()}
    return render(request, "homecare/print.html", context)


@public_link
def pdf_download(request: HttpRequest, link: HomeProgrammeLink, token: str) -> HttpResponse:
    services.do_open(link, "pdf")
    data = pdf.render_programme(link.programme, link.clinic.name)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="home-programme.pdf"'
    return response


# Staff pages ---------------------------------------------------------------------------------------


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


def _choices(client: Any, current: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Every exercise of the knowledge base, with whether the client's precautions rule it out."""
    kb = load_base()
    precautions = services.client_precautions(client)
    chosen = {i["exercise"]: i for i in current or []}
    rows = []
    for ex in sorted(kb.exercises.values(), key=lambda e: e.name):
        blocked = [kb.precautions[p].name for p in ex.precautions if p in precautions]
        item = chosen.get(ex.id, {})
        rows.append(
            {
                "exercise": ex,
                "allowed": exercise_allowed(ex, precautions),
                "blocked": blocked,
                "chosen": ex.id in chosen,
                "values": [
                    {"name": f, "label": services.DOSE_WORDS[f], "value": item.get(f, _default(ex, f))}
                    for f in services.DOSE_FIELDS
                ],
                "note": item.get("note", ""),
            }
        )
    return rows


def _default(exercise: Any, name: str) -> int | None:
    if exercise.dose is None or name not in ("sets", "reps", "hold_seconds"):
        return None
    value: int | None = getattr(exercise.dose, name)
    return value


def items_from_post(data: Any) -> list[dict[str, Any]]:
    """The items of the programme form: the ticked exercises, each with its dose fields."""
    out = []
    for eid in data.getlist("exercise"):
        item: dict[str, Any] = {"exercise": eid}
        for f in services.DOSE_FIELDS:
            value = data.get(f"{eid}.{f}", "").strip()
            if value:
                item[f] = value
        item["note"] = data.get(f"{eid}.note", "")
        out.append(item)
    return out


def _form_context(client: Any, request: HttpRequest, current: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {"client": client, "choices": _choices(client, current), "fields": services.DOSE_FIELDS}


@requires("can_edit_clinical")
def programmes(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's programmes and the form for a new one."""
    client = clients.get_client(client_id)
    errors: list[str] = []
    if request.method == "POST":
        items = items_from_post(request.POST)
        try:
            created = services.do_create_programme(
                client, items, request.user, _role(request), notes=request.POST.get("notes", "")
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "The home programme was saved.")
            return redirect("homecare:programme_detail", client_id=client.pk, programme_id=created.pk)
        current = items
    else:
        clients.audit_list("homeprogramme", client=client.pk)
        current = None
    context = {
        **_form_context(client, request, current),
        "programmes": services.list_programmes(client),
        "errors": errors,
        "notes": request.POST.get("notes", ""),
    }
    return render(request, "homecare/programmes.html", context, status=400 if errors else 200)


@requires("can_edit_clinical")
def programme_detail(request: HttpRequest, client_id: int, programme_id: int) -> HttpResponse:
    """One programme: its exercises, adherence per exercise with the pain trend, its links; edit it."""
    client = clients.get_client(client_id)
    errors: list[str] = []
    if request.method == "POST":
        programme_obj = services.get_programme(client, programme_id)
        items = items_from_post(request.POST)
        try:
            services.do_update_programme(programme_obj, items, _role(request), notes=request.POST.get("notes", ""))
        except ValidationError as exc:
            errors = exc.messages
            current = items
        else:
            messages.success(request, "The home programme was changed.")
            return redirect("homecare:programme_detail", client_id=client.pk, programme_id=programme_obj.pk)
    else:
        programme_obj = services.read_programme(client, programme_id)
        current = programme_obj.items
    new_url = request.session.pop(f"homecare_new_url_{programme_obj.pk}", "")
    context = {
        **_form_context(client, request, current),
        "programme": programme_obj,
        "shown": services.shown_items(programme_obj),
        "adherence": services.adherence_summary(programme_obj),
        "links": HomeProgrammeLink.objects.filter(programme=programme_obj),
        "errors": errors,
        "notes": programme_obj.notes,
        "new_url": new_url,
        "days": services.DEFAULT_DAYS,
    }
    return links.no_store(render(request, "homecare/programme_detail.html", context, status=400 if errors else 200))


@requires("can_send_home_programme")
@require_POST
def send_link(request: HttpRequest, client_id: int, programme_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    programme_obj: HomeProgramme = services.get_programme(client, programme_id)
    raw = request.POST.get("days", str(services.DEFAULT_DAYS))
    days: Any = int(raw) if raw.strip().isdigit() else raw
    try:
        link, token = services.do_send_link(
            programme_obj,
            request.user,
            _role(request),
            days=days,
            url_for=lambda t: request.build_absolute_uri(reverse("homecare:home_programme", kwargs={"home_token": t})),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        url = request.build_absolute_uri(reverse("homecare:home_programme", kwargs={"home_token": token}))
        request.session[f"homecare_new_url_{programme_obj.pk}"] = url
        if link.emailed:
            messages.success(request, f"The link was e-mailed to {client.email}.")
    return redirect("homecare:programme_detail", client_id=client.pk, programme_id=programme_obj.pk)


@requires("can_send_home_programme")
@require_POST
def revoke_link(request: HttpRequest, client_id: int, home_link_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    link = services.get_link(client, home_link_id)
    try:
        services.do_revoke_link(link, _role(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The link was revoked; it no longer opens.")
    return redirect("homecare:programme_detail", client_id=client.pk, programme_id=link.programme_id)


@require_POST
@requires("can_edit_clinical")
def from_plan(request: HttpRequest, client_id: int, signed_plan_id: int) -> HttpResponse:
    """ "Start home programme from this plan": the signed plan's exercises and doses become the
    client's home programme (made, or the latest one changed)."""
    from taut.plans import services as plans

    client = clients.get_client(client_id)
    record = plans.get_plan(_role(request), client, signed_plan_id)
    try:
        programme_obj, made = services.do_programme_from_plan(record, request.user, _role(request))
    except ValidationError as exc:
        messages.error(request, "The home programme was not changed: " + " ".join(exc.messages))
        return redirect("plans:plan_detail", client_id=client.pk, plan_id=record.pk)
    done = "started" if made else "brought up to date"
    messages.success(request, f"The home programme was {done} from plan version {record.version}.")
    return redirect("homecare:programme_detail", client_id=client.pk, programme_id=programme_obj.pk)
