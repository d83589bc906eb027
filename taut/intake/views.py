"""The intake's pages: the client's private link (no account, one step a page) and the staff's
pages under the client (send and revoke links, read an intake, fill it in the clinic)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.access.scoping import clinic_scope
from taut.assessments.views import CHART_VIEWS
from taut.audit.context import update as audit_context
from taut.audit.middleware import client_ip
from taut.clients import services as clients
from taut.core.knowledge.loader import load_base
from taut.intake import consent_text, services
from taut.intake import forms as intake_forms
from taut.intake.models import IntakeLink, IntakeSubmission
from taut.intake.screen import load_screen, see_a_doctor


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    return response


def _private(response: HttpResponse) -> HttpResponse:
    """The token is in the URL: never cache the page, never send the URL on as a referrer."""
    _no_store(response)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's 4xx log line would carry the URL
    return response


def _unavailable(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "intake/unavailable.html", status=404))


def public_link(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open a public intake page: throttle, resolve the token, then run inside the link's clinic.

    Unknown, expired, revoked and used tokens all get the same 404 page; a session of another
    clinic is refused the same way. Every refusal is audited without the token.

    The first browser to open a link is bound to it (a random secret in an HttpOnly,
    SameSite=Strict cookie scoped to the link's path; only its hash is stored); any other browser
    is refused (403) and never sees the draft (docs/intake.md, "One browser per link").

    No CSRF cookie check here: the unguessable token in the path is the request's secret (a
    forged cross-site post would need it), and under "Referrer-Policy: no-referrer" browsers send
    "Origin: null" with form posts, which Django's CSRF check must refuse.
    """

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, intake_token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if services.ip_locked(client_ip(request)):
            services.deny("too many failed intake links from this address")
            return _private(render(request, "intake/too_many.html", status=429))
        link = services.resolve_link(intake_token)
        staff_clinic = getattr(request, "clinic", None)
        if link is None or (staff_clinic is not None and staff_clinic.pk != link.clinic_id):
            services.deny()
            return _unavailable(request)
        if services.link_busy(link):
            with audit_context(clinic=link.clinic, channel="intake"):
                services.deny(services.BUSY_REASON, link)
            return _private(render(request, "intake/too_many.html", status=429))
        with audit_context(clinic=link.clinic, channel="intake"), clinic_scope(link.clinic):
            cookie = f"taut_intake_{link.pk}"
            new_secret = services.bind_browser(link) if not link.browser_sha256 else None
            if new_secret is None and not services.is_bound_browser(link, request.COOKIES.get(cookie, "")):
                link.refresh_from_db(fields=["browser_sha256", "bound_at"])
                if not services.is_bound_browser(link, request.COOKIES.get(cookie, "")):
                    return _other_browser(request, link)
            response = _private(view(request, link, *args, **kwargs))
            if new_secret is not None:
                response.set_cookie(
                    cookie,
                    new_secret,
                    max_age=max(0, int((link.expires_at - timezone.now()).total_seconds())),
                    path=reverse("intake:intake_start", kwargs={"intake_token": intake_token}),
                    secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Strict",
                )
            return response

    return wrapped


def _other_browser(request: HttpRequest, link: IntakeLink) -> HttpResponse:
    """A link bound to another browser: nothing of the draft is shown.

    A click in an e-mail app is a cross-site navigation, which does not carry a SameSite=Strict
    cookie; so a GET without the cookie first gets a page that opens the same address again from
    this site (the cookie is then sent). Only when that second request has no cookie either is the
    browser refused, and the refusal audited.
    """
    if request.method == "GET" and request.GET.get("checked") != "1":
        return _private(render(request, "intake/reopen.html", {"again": request.path + "?checked=1"}))
    services.deny(services.OTHER_BROWSER, link)
    return _private(render(request, "intake/other_browser.html", status=403))


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
