"""The intake's pages: the client's private link (no account, one step a page) and the staff's
pages under the client (send and revoke links, read an intake, fill it in the clinic)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.assessments.views import CHART_VIEWS
from taut.clients import links as private_links
from taut.clients import services as clients
from taut.core.knowledge.loader import load_base
from taut.intake import consent_text, services
from taut.intake import forms as intake_forms
from taut.intake.models import IntakeLink, IntakeSubmission
from taut.intake.screen import load_screen, see_a_doctor

_no_store = private_links.no_store
_private = private_links.private


def _unavailable(request: HttpRequest) -> HttpResponse:
    return services.KIND.unavailable(request)


# A public intake page (taut.clients.links.public_link): throttled, the token resolved, bound to the
# first browser that opens it (docs/intake.md, "One browser per link"), run inside the link's clinic.
public_link = private_links.public_link(services.KIND)


def _progress(link: IntakeLink, current: str) -> list[dict[str, Any]]:
    return [
        {"n": n, "step": s, "done": s.slug in link.draft, "current": s.slug == current}
        for n, s in enumerate(intake_forms.STEPS, start=1)
    ]


def _step_context(form: Any, slug: str, clinic: Any) -> dict[str, Any]:
    """What a step's template needs besides its form (the chart, the consent text)."""
    extra: dict[str, Any] = {}
    if slug == "pain":
        base = load_base()
        value = form["pain"].value() or ""
        zones = {line.split(":", 1)[0].strip() for line in str(value).splitlines()}
        extra["marks"] = {z: "pain" for z in zones if z in base.zones}
        extra["views"] = [(v, base.views[v].label) for v in CHART_VIEWS if v in base.views]
    if slug == "consent":
        extra["consent_text"] = consent_text.render(intake_forms.CONSENT_TEXT, clinic)
    return extra


def _initial(link: IntakeLink, slug: str) -> dict[str, Any]:
    if slug == "contact":
        return {name: getattr(link.client, name) for name in intake_forms.CONTACT_FIELDS}
    return {}


@public_link
def start(request: HttpRequest, link: IntakeLink) -> HttpResponse:
    """The welcome page of a link: who it is for, the steps and how far the client got."""
    services.do_open(link, "start")
    first_open = next((s for s in intake_forms.STEPS if s.slug not in link.draft), None)
    context = {"link": link, "progress": _progress(link, ""), "next_step": first_open, "token": _token(request)}
    return render(request, "intake/start.html", context)


def _token(request: HttpRequest) -> str:
    return str(request.resolver_match.kwargs["intake_token"]) if request.resolver_match else ""


@public_link
def step_page(request: HttpRequest, link: IntakeLink, step: str) -> HttpResponse:
    """One step: shown with the saved draft; a valid post is kept and leads to the next step."""
    current = intake_forms.step(step)
    if current is None:
        services.deny("unknown intake step", link)
        return _unavailable(request)
    token = _token(request)
    if request.method == "POST":
        try:
            form = services.do_save_step(link, step, request.POST)
        except ValidationError:
            return _unavailable(request)
        if form.is_valid():
            index = intake_forms.STEP_SLUGS.index(step)
            if index + 1 < len(intake_forms.STEPS):
                return redirect("intake:intake_step", intake_token=token, step=intake_forms.STEP_SLUGS[index + 1])
            return redirect("intake:intake_review", intake_token=token)
    else:
        services.do_open(link, step)
        saved = link.draft.get(step)
        form = current.form(saved) if saved is not None else current.form(initial=_initial(link, step))
    index = intake_forms.STEP_SLUGS.index(step)
    context = {
        "link": link,
        "token": token,
        "step": current,
        "number": index + 1,
        "total": len(intake_forms.STEPS),
        "previous": intake_forms.STEP_SLUGS[index - 1] if index else None,
        "progress": _progress(link, step),
        "form": form,
        "screen": load_screen(),
        "doctor": _doctor(link) if index > intake_forms.STEP_SLUGS.index("screen") else None,
        **_step_context(form, step, link.clinic),
    }
    return render(request, "intake/step.html", context, status=200)


def _doctor(link: IntakeLink) -> dict[str, Any] | None:
    """The see-a-doctor note for the client, from the saved answers of the safety step."""
    answers = link.draft.get("screen")
    return see_a_doctor(answers) if isinstance(answers, dict) else None


def _summary(checked: services.Checked) -> dict[str, Any]:
    """What the review page and the staff page show of the answers."""
    out: dict[str, Any] = {}
    for slug, form in checked.forms.items():
        out[slug] = form.cleaned_data if form.is_valid() else None
    screen = out.get("screen") or {}
    ci, flags = services.findings(intake_forms.raw_values(checked.forms["screen"])) if screen else ([], [])
    out["contraindications"], out["red_flags"] = ci, flags
    return out


@public_link
def review(request: HttpRequest, link: IntakeLink) -> HttpResponse:
    """Review every step, then submit: all of it is filed, or nothing is."""
    token = _token(request)
    if request.method == "POST":
        try:
            submission, checked = services.do_submit_link(link)
        except ValidationError as exc:
            if "link" in exc.message_dict and services.DENIED_REASON in exc.message_dict["link"]:
                return _unavailable(request)
            return render(request, "intake/review.html", {"link": link, "token": token, "problem": exc.messages})
        if submission is not None:
            return render(request, "intake/done.html", {"link": link, "clinic": link.clinic})
        status = 200
    else:
        services.do_open(link, "review")
        checked = services.check(link.draft)
        status = 200
    context = {
        "link": link,
        "token": token,
        "progress": _progress(link, "review"),
        "checked": checked,
        "incomplete": checked.incomplete,
        "submitted": request.method == "POST",
        "summary": _summary(checked),
        "steps": intake_forms.STEPS,
        "doctor": _doctor(link),
    }
    return render(request, "intake/review.html", context, status=status)


# Staff pages ---------------------------------------------------------------------------------


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


@requires("can_send_intake")
def links(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's intake links and intakes; send a new link (its address is shown only once)."""
    client = clients.get_client(client_id)
    members = services.clinical_members()
    default = members.filter(user_id=request.user.pk or 0).first() or members.order_by("id").first()
    form = intake_forms.LinkForm(
        request.POST or None,
        practitioners=members,
        initial={"practitioner": default, "days": intake_forms.DEFAULT_DAYS},
    )
    new_url, emailed = "", False
    if request.method == "POST":
        if form.is_valid():
            try:
                link, plaintext = services.do_create_link(
                    client,
                    request.user,
                    _role(request),
                    days=form.cleaned_data["days"],
                    practitioner_id=form.cleaned_data["practitioner"].user_id,
                    url_for=lambda token: request.build_absolute_uri(
                        reverse("intake:intake_start", kwargs={"intake_token": token})
                    ),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                new_url = request.build_absolute_uri(reverse("intake:intake_start", kwargs={"intake_token": plaintext}))
                emailed = link.emailed
                form = intake_forms.LinkForm(practitioners=members, initial=form.initial)
    else:
        clients.audit_list("intakelink", client=client.pk)
    context = {
        "client": client,
        "form": form,
        "new_url": new_url,
        "emailed": emailed,
        "links": services.list_links(client, _role(request)),
        "intakes": services.list_submissions(client),
    }
    return _no_store(render(request, "intake/links.html", context))  # may hold a new link's address


@requires("can_send_intake")
@require_POST
def revoke(request: HttpRequest, client_id: int, link_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    link = services.get_link(client, link_id)
    try:
        services.do_revoke_link(link, _role(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The link was revoked; it no longer opens.")
    return redirect("intake:intake_links", client_id=client.pk)


def submission_context(submission: IntakeSubmission, role: str | None) -> dict[str, Any]:
    clinical = services.clinical_role(role)
    context: dict[str, Any] = {"submission": submission, "clinical": clinical}
    if clinical:
        checked = services.check(submission.answers)
        context["summary"] = _summary(checked)
        context["wellness_form"] = checked.forms["wellness"]
        context["screen_answers"] = submission.answers.get("screen", {})
    return context


@requires("can_view_client")
def detail(request: HttpRequest, client_id: int, intake_id: int) -> HttpResponse:
    """A submitted intake: red flags and contraindications first; clinical parts for clinical roles."""
    client = clients.get_client(client_id)
    submission = services.read_submission(client, intake_id)
    context = {"client": client, **submission_context(submission, _role(request))}
    return render(request, "intake/detail.html", context)


@requires("can_view_clinical")
@require_POST
def mark_reviewed(request: HttpRequest, client_id: int, intake_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    submission = services.get_submission(client, intake_id)
    try:
        services.do_mark_reviewed(submission, request.user, _role(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("intake:intake_detail", client_id=client.pk, intake_id=submission.pk)


@requires("can_edit_clinical")
def fill(request: HttpRequest, client_id: int) -> HttpResponse:
    """The same intake filled in the clinic, every step on one page (for a tablet at the desk)."""
    client = clients.get_client(client_id)
    problem: list[str] = []
    if request.method == "POST":
        try:
            submission, checked = services.do_submit_in_clinic(client, request.POST, request.user, _role(request))
        except ValidationError as exc:
            checked, submission, problem = services.check(request.POST), None, exc.messages
        if submission is not None:
            messages.success(request, "Intake saved with the visit.")
            return redirect("intake:intake_detail", client_id=client.pk, intake_id=submission.pk)
        forms = checked.forms
    else:
        clients.audit_read(client)
        contact = {n: getattr(client, n) for n in intake_forms.CONTACT_FIELDS}
        forms = {s.slug: s.form(initial=contact if s.slug == "contact" else None) for s in intake_forms.STEPS}
    sections = [
        {"step": s, "form": forms[s.slug], **_step_context(forms[s.slug], s.slug, client.clinic)}
        for s in intake_forms.STEPS
    ]
    context = {
        "client": client,
        "sections": sections,
        "problem": problem,
        "has_errors": request.method == "POST",
        "screen": load_screen(),
        "red_flag_count": len(load_screen().questions()),
    }
    return render(request, "intake/fill.html", context)
