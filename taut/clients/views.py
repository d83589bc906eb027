"""Pages for clients, their consents and visits. Thin: parse, call a service, render."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from taut.access import capabilities
from taut.access.decorators import requires
from taut.access.models import Role
from taut.clients import consent as consent_texts
from taut.clients import gate, services, today
from taut.clients.forms import ClientForm, ConsentForm, ConsentTextForm, VerbalConsentForm, VisitForm
from taut.clients.models import Consent


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


def _fail(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields and not form[field].is_hidden else None  # a hidden field shows no error
        for error in errors:
            form.add_error(target, error)


def _practitioner_filter(request: HttpRequest, people: list[Any]) -> tuple[list[int] | None, int | None]:
    """Whose day to show: a practitioner sees their own; owner and front desk see everyone's, or one
    practitioner's with ?practitioner=ID (an id outside the clinic's practitioners is ignored)."""
    if _role(request) == Role.PRACTITIONER:
        return [request.user.pk], request.user.pk  # type: ignore[list-item]
    wanted = request.GET.get("practitioner", "")
    ids = {p.pk for p in people}
    if wanted.isdigit() and int(wanted) in ids:
        return [int(wanted)], int(wanted)
    return None, None


@requires("can_view_client")
def dashboard(request: HttpRequest) -> HttpResponse:
    """The Today page: the day's visits in time order and, for clinical roles, what is due."""
    day = timezone.localdate()
    clinical = capabilities.has(_role(request), "can_view_clinical")
    people = [m.user for m in services.practitioners().order_by("user__first_name", "user__username")]
    ids, chosen = _practitioner_filter(request, people)
    services.audit_list("visit", day=day.isoformat(), practitioner=chosen)
    context: dict[str, Any] = {
        "rows": today.day_rows(day, ids, clinical),
        "due": today.due_list(day, ids) if clinical else None,
        "people": people if _role(request) != Role.PRACTITIONER else [],
        "chosen": chosen,
        "clinical": clinical,
        "client_count": services.search_clients().count(),
        "today": day,
        "rule": {"sessions": today.reassess_after_sessions(), "weeks": today.reassess_after_weeks()},
    }
    return render(request, "clients/dashboard.html", context)


@requires("can_view_client")
def client_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = services.list_clients(query, request.GET.get("page", 1))  # type: ignore[arg-type]
    template = "clients/_client_rows.html" if request.headers.get("HX-Request") else "clients/client_list.html"
    response = render(request, template, {"page": page, "q": query})
    patch_vary_headers(response, ["HX-Request"])  # Back must not show the cached htmx fragment as the page
    return response


@requires("can_edit_client")
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, role=_role(request))
    if request.method == "POST" and form.is_valid():
        try:
            client = services.do_create_client(request.clinic, form.cleaned_data, _role(request))  # type: ignore[attr-defined]
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, f"{client} was added.")
            return redirect("clients:client_detail", client_id=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "creating": True})


@requires("can_view_client")
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    client = services.read_client(client_id)
    context = {
        "client": client,
        "visits": client.visits.select_related("practitioner").all(),
        "consents": client.consents.all(),
        "age": services.age_on(client),
        "has_consent": services.has_active_consent(client),
        "can_withdraw": capabilities.has(_role(request), "can_record_consent"),
        "can_record_verbal": gate.verbal_allowed(client) and capabilities.has(_role(request), "can_edit_clinical"),
    }
    return render(request, "clients/client_detail.html", context)


@requires("can_edit_client")
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    client = services.get_client(client_id)
    if request.method != "POST":
        services.audit_read(client)
    form = ClientForm(request.POST or None, instance=copy.copy(client), role=_role(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_client(client, form.cleaned_data, _role(request))
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("clients:client_detail", client_id=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@requires("can_record_consent")
def consent_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = services.get_client(client_id)
    if request.method != "POST":
        services.audit_read(client)
    text = consent_texts.render("treatment-consent", client.clinic)
    form = ConsentForm(request.POST or None, initial={"signed_by": client.full_name, "shown_sha256": text.sha256})
    if request.method == "POST" and form.is_valid():
        data = services.ConsentInput(**form.cleaned_data)
        try:
            services.do_record_consent(client, data, request.user, _role(request))
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("clients:client_detail", client_id=client.pk)
    return render(request, "clients/consent_form.html", {"form": form, "client": client, "text": text})


@requires("can_edit_clinical")
def consent_verbal(request: HttpRequest, client_id: int) -> HttpResponse:
    """A verbal consent: the practitioner reads the consent text to the client and writes down who
    agreed, when, and the client's words (only where the clinic accepts verbal consent)."""
    client = services.get_client(client_id)
    if request.method != "POST":
        services.audit_read(client)
    text = consent_texts.render("treatment-consent", client.clinic)
    initial = {
        "signed_by": client.full_name,
        "shown_sha256": text.sha256,
        "signed_at": timezone.localtime().replace(second=0, microsecond=0),
    }
    form = VerbalConsentForm(request.POST or None, initial=initial)
    allowed = gate.verbal_allowed(client)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            gate.do_record_verbal_consent(
                client,
                data["signed_by"],
                data["statement"],
                request.user,
                _role(request),
                signed_at=data["signed_at"],
                relationship=data["relationship"],
                shown_sha256=data["shown_sha256"],
            )
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Verbal consent recorded.")
            return redirect("clients:client_detail", client_id=client.pk)
    context = {"form": form, "client": client, "text": text, "allowed": allowed}
    return render(request, "clients/consent_verbal.html", context)


@requires("can_manage_clinic")
def consent_text_edit(request: HttpRequest) -> HttpResponse:
    """The owner's editor for the clinic's consent text. "Preview" shows the text exactly as the client
    will read and sign it, with its fingerprint; only a previewed text can be saved, as a new version."""
    clinic = request.clinic  # type: ignore[attr-defined]
    current = consent_texts.load("treatment-consent", clinic=clinic)
    data = request.POST.copy() if request.method == "POST" else None
    form = ConsentTextForm(data, initial={"body": current.body})
    preview = None
    if data is not None and form.is_valid():
        body = form.cleaned_data["body"].replace("\r\n", "\n")
        problem = consent_texts.body_problem(body, clinic.name)
        if problem:
            form.add_error("body", problem)
        else:
            preview = consent_texts.render_body(body, clinic.name)
            wants_save = request.POST.get("action") == "save"
            if wants_save and form.cleaned_data["previewed_sha256"] == preview.sha256:
                try:
                    row = consent_texts.do_save_clinic_text(clinic, body, request.user, _role(request))
                except ValidationError as exc:
                    _fail(form, exc)
                else:
                    label = consent_texts.version_label(row.version)
                    messages.success(request, f"Saved as {label}. New consents use it; signed ones keep their text.")
                    return redirect("clients:consent_text")
            elif wants_save:
                form.add_error(None, "The text changed after its preview: check the new preview, then save.")
            data["previewed_sha256"] = preview.sha256  # the form is drawn from this data: Save saves what is shown
    context = {
        "form": form,
        "preview": preview,
        "current": consent_texts.render("treatment-consent", clinic),
        "versions": list(consent_texts.clinic_versions(clinic, "treatment-consent")[:50]),
    }
    return render(request, "clients/consent_text_edit.html", context)


@requires("can_view_consent")
def consent_detail(request: HttpRequest, client_id: int, consent_id: int) -> HttpResponse:
    client = services.get_client(client_id)
    consent = services.get_consent(client, consent_id)
    services.audit_read(consent)
    context = {"client": client, "consent": consent, **_signed_text(consent)}
    return render(request, "clients/consent_detail.html", context)


def _signed_text(consent: Consent) -> dict[str, Any]:
    """The consent's text as it was signed: the stored text (drawn by the same template, from the
    same blocks, when it still matches its fingerprint), or for a consent stored before texts
    were kept, the text rendered again for this clinic, said to be so."""
    try:
        text = consent_texts.render(consent.text_id, consent.clinic, consent.text_version)
    except KeyError:
        return {"text": None, "stored": consent.text, "rerendered": False}
    if consent.text and text.text == consent.text:
        return {"text": text, "stored": consent.text, "rerendered": False}
    return {"text": None if consent.text else text, "stored": consent.text, "rerendered": not consent.text}


@requires("can_record_consent")
def consent_withdraw(request: HttpRequest, client_id: int, consent_id: int) -> HttpResponse:
    client = services.get_client(client_id)
    consent = services.get_consent(client, consent_id)
    if request.method == "POST":
        try:
            services.do_withdraw_consent(consent, _role(request), request.user)
            messages.success(request, "Consent withdrawn. No new treatment or analysis will be done under it.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("clients:client_detail", client_id=client.pk)


@requires("can_edit_visit")
def visit_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = services.get_client(client_id)
    if request.method != "POST":
        services.audit_read(client)
    initial = {"date": timezone.localdate(), "practitioner": request.user.pk}
    form = VisitForm(request.POST or None, initial=initial, role=_role(request))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "practitioner"}
        try:
            visit = services.do_create_visit(client, data, form.cleaned_data["practitioner"].pk, _role(request))
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, f"{visit} was added.")
            return redirect("clients:visit_detail", client_id=client.pk, visit_id=visit.pk)
    return render(request, "clients/visit_form.html", {"form": form, "client": client, "creating": True})


@requires("can_view_visit")
def visit_detail(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    client = services.get_client(client_id)
    visit = services.get_visit(client, visit_id)
    services.audit_read(visit)
    chart = getattr(visit, "pain_chart", None) if capabilities.has(_role(request), "can_view_clinical") else None
    return render(request, "clients/visit_detail.html", {"client": client, "visit": visit, "pain_chart": chart})


@requires("can_edit_visit")
def visit_edit(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    client = services.get_client(client_id)
    visit = services.get_visit(client, visit_id)
    if request.method != "POST":
        services.audit_read(visit)
    form = VisitForm(request.POST or None, instance=copy.copy(visit), role=_role(request))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "practitioner"}
        try:
            services.do_update_visit(visit, data, _role(request), form.cleaned_data["practitioner"].pk)
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("clients:visit_detail", client_id=client.pk, visit_id=visit.pk)
    return render(request, "clients/visit_form.html", {"form": form, "client": client, "visit": visit})
