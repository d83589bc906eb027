"""The privacy buttons: "Export client" on the client page and "Export the whole clinic" on the
clinic's settings (zip downloads), and "Request erasure"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.clients import services as clients
from taut.privacy import erasure, retention
from taut.privacy.export import ExportError, clinic_zip_response, zip_response


@require_POST
@requires("can_export_client")
def export_client(request: HttpRequest, client_id: int) -> HttpResponseBase:
    client = clients.get_client(client_id)
    try:
        return zip_response(client, request.user)  # type: ignore[no-any-return]
    except ExportError as exc:
        messages.error(request, f"Nothing was exported: {exc}")
        return redirect("clients:client_detail", client.pk)


@require_POST
@requires("can_manage_clinic")
def export_clinic(request: HttpRequest) -> HttpResponseBase:
    """The whole clinic as `taut export clinic` writes it, zipped: owners only, audited for the
    clinic and for each client."""
    try:
        return clinic_zip_response(request.clinic, request.user)  # type: ignore[attr-defined,no-any-return]
    except ExportError as exc:
        messages.error(request, f"Nothing was exported: {exc}")
        return redirect("access:clinic_settings")


# Erasure ------------------------------------------------------------------------------------


class ErasureForm(forms.Form):
    reason = forms.CharField(
        max_length=erasure.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the record is erased, for example: the client asked in writing on a date. "
        "No clinical details: the reason is cleared when the record is purged.",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=erasure.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the request is withdrawn, for example: the client asked to keep their record on a date.",
    )


@require_POST
@requires("can_request_erasure")
def erasure_withdraw(request: HttpRequest, client_id: int) -> HttpResponse:
    """Owner only: withdraw a held erasure request; the page shows the reason when it cannot be."""
    client = clients.get_client(client_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            erasure.do_withdraw_erasure(
                client,
                request.user,  # type: ignore[arg-type]  # @requires: a logged-in member
                getattr(request, "role", None),
                form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(
                request,
                "Erasure request withdrawn: the record is no longer held. The contact details erased at the request "
                "stay erased; type them in again if the client gives them.",
            )
            return redirect("clients:client_detail", client_id=client.pk)
    context: dict[str, Any] = {
        "client": client,
        "form": ErasureForm(),
        "withdraw_form": form,
        "existing": erasure.request_for(client),
        "erased_fields": [erasure.field_label(f) for f in erasure.ERASED_AT_ONCE],
        "periods": retention.periods(client.clinic),
        "record_types": retention.RECORD_TYPES,
    }
    return render(request, "privacy/erasure_request.html", context, status=400)


@requires("can_request_erasure")
def erasure_request(request: HttpRequest, client_id: int) -> HttpResponse:
    """Owner only: the form (GET) and the request itself (POST); one request per client."""
    client = clients.get_client(client_id)
    existing = erasure.request_for(client)
    form = ErasureForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and existing is None:
        if form.is_valid():
            try:
                made = erasure.do_request_erasure(
                    client,
                    request.user,  # type: ignore[arg-type]  # @requires: a logged-in member
                    getattr(request, "role", None),
                    form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _fail(form, exc)
            else:
                messages.success(
                    request,
                    f"Contact details erased. The clinical record is held until {made.purge_due:%Y-%m-%d}, "
                    "then purged with its photos and videos.",
                )
                return redirect("clients:client_detail", client_id=client.pk)
        status = 400
    elif request.method == "POST":
        form.add_error(None, "An erasure has already been requested for this client.")
        status = 400
    else:
        clients.audit_read(client)
    context: dict[str, Any] = {
        "client": client,
        "form": form,
        "withdraw_form": WithdrawForm(),
        "existing": existing,
        "erased_fields": [erasure.field_label(f) for f in erasure.ERASED_AT_ONCE],
        "periods": retention.periods(client.clinic),
        "record_types": retention.RECORD_TYPES,
    }
    return render(request, "privacy/erasure_request.html", context, status=status)


def _fail(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


# The clinic's own retention periods ------------------------------------------------------------


@requires("can_manage_clinic")
def retention_settings(request: HttpRequest) -> HttpResponse:
    """The periods records are kept, per record type: the installation's, or the clinic's own
    (longer where its jurisdiction asks for it; never below the legal minimum)."""
    clinic = request.clinic  # type: ignore[attr-defined]
    own = dict(clinic.retention_years or {})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {key: own.get(key, "") for key in retention.RECORD_TYPES}
    if request.method == "POST":
        values = {key: request.POST.get(key, "")[:6] for key in retention.RECORD_TYPES}
        try:
            retention.do_set_clinic_periods(clinic, values, getattr(request, "role", None))
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            messages.success(request, "Retention periods saved.")
            return redirect("privacy:retention_settings")
    installation = retention.periods()
    current = retention.periods(clinic)
    rows = [
        {
            "key": key,
            "kind": kind,
            "installation": installation[key],
            "value": values.get(key, ""),
            "error": errors.get(key, ""),
            "current": current[key],
        }
        for key, kind in retention.RECORD_TYPES.items()
    ]
    context = {"rows": rows, "errors": errors}
    return render(request, "privacy/retention_settings.html", context, status=400 if errors else 200)
