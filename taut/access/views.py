"""Log in (with TOTP for owners), log out, switch clinic, users, API tokens."""

from __future__ import annotations

import copy
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from taut.access import services, totp
from taut.access.decorators import requires
from taut.access.forms import ClinicForm, CodeForm, LoginForm, NewUserForm, ProfileForm, TokenForm
from taut.access.middleware import SESSION_CLINIC
from taut.access.models import ApiToken, Membership, PractitionerProfile, User
from taut.access.scoping import get_or_404
from taut.audit.middleware import client_ip

PENDING = "taut_pending_user"
PENDING_AT = "taut_pending_at"
PENDING_TRIES = "taut_pending_tries"
PENDING_KEYS = (PENDING, PENDING_AT, PENDING_TRIES, "taut_next", "taut_enrol_secret")
ENROL_SECRET = "taut_enrol_secret"  # noqa: S105 (a session key name)
GENERIC_ERROR = "That username and password did not work. After several failed tries, wait 15 minutes."


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("clients:dashboard")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.check_password_login(
            form.cleaned_data["username"], form.cleaned_data["password"], client_ip(request)
        )
        if result.user is None:
            form.add_error(None, GENERIC_ERROR)
        elif result.needs_second_factor:
            request.session.cycle_key()
            request.session[PENDING] = result.user.pk
            request.session[PENDING_AT] = time.time()
            request.session[PENDING_TRIES] = 0
            request.session["taut_next"] = _next(request)
            return redirect("access:second_factor")
        else:
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_next(request))
    expired = request.GET.get("expired") == "1"
    again = request.method == "GET" and request.GET.get("again") == "1"
    context = {"form": form, "expired": expired, "again": again, "generic_error": GENERIC_ERROR, "next": _next(request)}
    return render(request, "access/login.html", context)


def _discard_pending(request: HttpRequest) -> HttpResponse:
    """Forget a pending login and send the person back to the password step, with the generic message."""
    for key in PENDING_KEYS:
        request.session.pop(key, None)
    return redirect(reverse("access:login") + "?again=1")


def second_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the TOTP code; on first use, enrol the authenticator app first."""
    user_id = request.session.get(PENDING)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("access:login")
    started = request.session.get(PENDING_AT)
    if not isinstance(started, float | int) or time.time() - float(started) > settings.TOTP_PENDING_SECONDS:
        services.do_discard_pending(user, "second factor expired")
        return _discard_pending(request)
    enrolling = not user.totp_confirmed
    if enrolling and not request.session.get(ENROL_SECRET):
        request.session[ENROL_SECRET] = totp.new_secret()
    secret = request.session.get(ENROL_SECRET, "") if enrolling else ""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tries = request.session.get(PENDING_TRIES, 0)
        tries = tries if isinstance(tries, int) else 0
        result = services.check_second_factor(
            user, form.cleaned_data["code"], enrolling_secret=secret, session_tries=tries
        )
        if result.ok:
            target = request.session.get("taut_next", "/")
            for key in PENDING_KEYS:
                request.session.pop(key, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(target)
        if result.locked:
            return _discard_pending(request)
        request.session[PENDING_TRIES] = tries + 1
        form.add_error("code", "That code did not match. Codes change every 30 seconds; try the current one.")
    context: dict[str, object] = {"form": form, "enrolling": enrolling}
    if enrolling:
        uri = totp.provisioning_uri(secret, user.username)
        context.update(secret=secret, qr=totp.qr_data_uri(uri))
    return render(request, "access/second_factor.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.do_logout(request.user)
    logout(request)
    return redirect("access:login")


@login_required
@require_POST
def switch_clinic(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("clinic", "")
    if any(str(m.clinic_id) == wanted for m in services.memberships_of(request.user)):
        request.session[SESSION_CLINIC] = int(wanted)
    return redirect("clients:dashboard")


@requires("can_manage_users")
def users(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_create_user(
                request.clinic,  # type: ignore[attr-defined]
                data["username"],
                data["password"],
                data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error("password", error)
        except IntegrityError:
            form.add_error("username", "That username is taken; choose another.")
        else:
            messages.success(request, f"{data['username']} can now log in.")
            return redirect("access:users")
    members = Membership.objects.select_related("user", "user__practitioner_profile").order_by("user__username")
    return render(request, "access/users.html", {"form": form, "members": members})


@requires("can_manage_users")
@require_POST
def user_active(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_or_404(Membership.objects.all(), pk=membership_id)
    if membership.user_id == request.user.pk:
        messages.error(request, "You cannot disable yourself.")
    else:
        services.do_set_membership_active(membership, request.POST.get("active") == "1")
        messages.success(request, "Saved.")
    return redirect("access:users")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        _, created = services.do_create_token(request.user, request.clinic, form.cleaned_data["name"])  # type: ignore[arg-type, attr-defined]
    mine = ApiToken.objects.filter(user_id=int(request.user.pk or 0))
    return render(request, "access/tokens.html", {"form": form, "tokens": mine, "created": created})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_or_404(ApiToken.objects.filter(user_id=int(request.user.pk or 0)), pk=token_id)
    services.do_revoke_token(token)
    messages.success(request, "Token revoked.")
    return redirect("access:tokens")


@requires("can_manage_clinic")
def clinic_settings(request: HttpRequest) -> HttpResponse:
    clinic = request.clinic  # type: ignore[attr-defined]
    form = ClinicForm(request.POST or None, instance=copy.copy(clinic))
    if request.method == "POST" and form.is_valid():
        services.do_update_clinic(clinic, {k: form.cleaned_data[k] for k in ClinicForm.Meta.fields})
        messages.success(request, "Clinic details saved.")
        return redirect("access:clinic_settings")
    return render(request, "access/clinic_settings.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    current = PractitionerProfile.objects.filter(user_id=int(request.user.pk or 0)).first()
    form = ProfileForm(request.POST or None, instance=copy.copy(current) if current else None)
    if request.method == "POST" and form.is_valid():
        services.do_update_profile(request.user, {k: form.cleaned_data[k] for k in ProfileForm.Meta.fields})  # type: ignore[arg-type]
        messages.success(request, "Profile saved.")
        return redirect("access:profile")
    return render(request, "access/profile.html", {"form": form})
