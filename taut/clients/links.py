"""Private client links: one mechanism for every page a client opens without an account.

The intake, the home programme and the outcome measures sent before a re-assessment each give
the client a private address. What they share lives here, below all of them:

- the token: 32 random bytes, URL-safe, returned once; only its SHA-256 is stored;
- the link's life: an expiry, a revocation, an opening time (``PrivateLink``, an abstract model);
- optionally the browser binding (``BrowserBound``): the first browser to open the link gets a
  random secret in an HttpOnly, SameSite=Strict cookie scoped to the link's path; only its hash
  is stored; any other browser is refused and sees nothing;
- the rate limits: failed look-ups per address (the login throttle's mechanism, counted in the
  audit log) and requests per link per minute;
- the response headers: never cached, never sent on as a referrer, not indexed;
- the guard decorator (``public_link``) that runs a public page inside the link's clinic;
- the denial audit: every refusal is recorded, never with the token.

Each kind of link describes itself with a ``LinkKind``; its app keeps its own wording and pages.
The shared public page base is the template ``links/public_base.html``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt

from taut.access import capabilities
from taut.access import services as access
from taut.access.scoping import clinic_scope
from taut.audit import service as audit
from taut.audit.context import update as audit_context
from taut.audit.middleware import client_ip
from taut.audit.models import AuditEntry

TOKEN_MAX = 100  # longer path segments are never looked up


def setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


browser_digest = token_digest


# Models ----------------------------------------------------------------------------------------


class PrivateLink(models.Model):
    """The fields every private link has (its clinic and client are declared by each kind)."""

    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    emailed = False  # not stored: set by the create service when the new link was e-mailed to the client

    class Meta:
        abstract = True

    @property
    def usable(self) -> bool:  # each kind says what its statuses are
        raise NotImplementedError

    @property
    def status_label(self) -> str:
        """The link's status in words (each kind declares ``Status`` choices and ``status``)."""
        return str(self.Status(self.status).label)  # type: ignore[attr-defined]


def do_revoke(link: PrivateLink, role: str | None, capability: str, **cleared: Any) -> PrivateLink:
    """Revoke a link that can still be used (``capability`` needed), setting any ``cleared`` fields
    with it (an intake's unsubmitted draft); one ("revoke", link) audit entry. A used, expired or
    revoked link is refused with its status."""
    capabilities.require(role, capability)
    if not link.usable:
        raise ValidationError({"link": f"This link can no longer be revoked: it is {link.status_label.lower()}."})
    with transaction.atomic():
        link.revoked_at = timezone.now()
        for name, value in cleared.items():
            setattr(link, name, value)
        link.save(update_fields=["revoked_at", *cleared])
        audit.record("revoke", link)
    return link


class BrowserBound(models.Model):
    """The browser a link is bound to: the hash of the secret in that browser's cookie."""

    browser_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the secret in the cookie of the browser that opened it first"
    )
    bound_at = models.DateTimeField(null=True, blank=True, help_text="when the link was bound to that browser")

    class Meta:
        abstract = True


# A kind of link ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkKind:
    """What one kind of link is called and how its public pages answer.

    ``noun`` names it in audit reasons ("intake link"); ``channel`` is the audit channel of what
    is done through it; ``settings_prefix`` names its limits (``<prefix>_FAILED_LIMIT``,
    ``<prefix>_COOLOFF_SECONDS``, ``<prefix>_PER_MINUTE``). With ``bind_to`` (the URL name of
    the link's first page) the link is bound to the first browser that opens it.
    """

    model: type[models.Model]
    channel: str
    object_type: str
    url_kwarg: str
    settings_prefix: str
    denied_reason: str
    busy_reason: str
    locked_reason: str
    unavailable_template: str
    too_many_template: str
    pass_token: bool = False
    bind_to: str = ""
    other_browser_reason: str = ""
    other_browser_template: str = ""
    reopen_template: str = ""

    # Tokens and limits -----------------------------------------------------------------------

    def resolve(self, plaintext: str) -> Any:
        """The usable link for a token, or None (unknown, expired, revoked or used)."""
        if not plaintext or len(plaintext) > TOKEN_MAX:
            return None
        link = access.find_by_digest(self.model, token_digest(plaintext))
        if not isinstance(link, self.model) or not getattr(link, "usable", False):
            return None
        return link

    def _recent(self, since_seconds: int, **filters: Any) -> int:
        return audit.recent_count(since_seconds, object_type=self.object_type, **filters)

    def ip_locked(self, ip: str) -> bool:
        """Too many failed look-ups of this kind of link from this address lately.

        Only failed token look-ups on the public pages count (their reason is ``denied_reason``):
        not the lock's own 429s, not a signed-in user's 404s in the API or the staff pages.
        """
        limit = setting(f"{self.settings_prefix}_FAILED_LIMIT", 20)
        window = setting(f"{self.settings_prefix}_COOLOFF_SECONDS", 15 * 60)
        failures = self._recent(
            window, ip=ip, action="access", outcome=AuditEntry.Outcome.DENIED, detail__reason=self.denied_reason
        )
        return failures >= limit

    def busy(self, link: Any) -> bool:
        """More requests on this link in the last minute than a person filling a form would make.

        The requests served count; the cap's own refusals do not, so it lifts a minute after the
        last served request however often it was refused meanwhile.
        """
        on_link = {"object_id": str(link.pk), "channel": self.channel}
        served = self._recent(60, **on_link) - self._recent(60, **on_link, detail__reason=self.busy_reason)
        return served >= setting(f"{self.settings_prefix}_PER_MINUTE", 60)

    def deny(self, reason: str | None = None, link: Any = None) -> None:
        """Audit a refused use of a link's URL; the token itself is never written anywhere."""
        with transaction.atomic():
            object_id = str(link.pk) if link is not None else ""
            audit.denied(self.object_type, object_id, reason=reason or self.denied_reason)

    # The browser a link is bound to ---------------------------------------------------------

    def bind_browser(self, link: Any) -> str | None:
        """Bind an unbound link to a new browser secret; returns the secret, or None if another
        browser was first (one conditional UPDATE, so two browsers racing cannot both win)."""
        secret = new_token()
        now = timezone.now()
        with transaction.atomic():
            won = self.model._default_manager.filter(pk=link.pk, browser_sha256="").update(
                browser_sha256=browser_digest(secret), bound_at=now
            )
        if not won:
            return None
        link.browser_sha256, link.bound_at = browser_digest(secret), now
        return secret

    # Pages ------------------------------------------------------------------------------------

    def unavailable(self, request: HttpRequest) -> HttpResponse:
        return private(render(request, self.unavailable_template, status=404))

    def too_many(self, request: HttpRequest) -> HttpResponse:
        return private(render(request, self.too_many_template, status=429))

    def other_browser(self, request: HttpRequest, link: Any) -> HttpResponse:
        """A link bound to another browser: nothing behind it is shown.

        A click in an e-mail app is a cross-site navigation, which does not carry a
        SameSite=Strict cookie; so a GET without the cookie first gets a page that opens the same
        address again from this site (the cookie is then sent). Only when that second request has
        no cookie either is the browser refused, and the refusal audited.
        """
        if request.method == "GET" and request.GET.get("checked") != "1":
            return private(render(request, self.reopen_template, {"again": request.path + "?checked=1"}))
        self.deny(self.other_browser_reason, link)
        return private(render(request, self.other_browser_template, status=403))


def is_bound_browser(link: Any, secret: str) -> bool:
    if not link.browser_sha256 or not secret or len(secret) > TOKEN_MAX:
        return False
    return secrets.compare_digest(link.browser_sha256, browser_digest(secret))


# Headers -----------------------------------------------------------------------------------------


def no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    return response


def private(response: HttpResponse) -> HttpResponse:
    """The token is in the URL: never cache the page, never send the URL on as a referrer."""
    no_store(response)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's 4xx log line would carry the URL
    return response


# The guard -----------------------------------------------------------------------------------------


def public_link(kind: LinkKind) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Open a public page of a link: throttle, resolve the token, then run inside the link's clinic.

    The view is called as ``view(request, link, *args)`` (with ``pass_token``:
    ``view(request, link, token, *args)``). Unknown, expired, revoked and used tokens all get the
    same 404 page; a session of another clinic is refused the same way. Every refusal is audited
    without the token.

    No CSRF cookie check here: the unguessable token in the path is the request's secret (a
    forged cross-site post would need it), and under "Referrer-Policy: no-referrer" browsers send
    "Origin: null" with form posts, which Django's CSRF check must refuse.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            token = str(kwargs.pop(kind.url_kwarg))
            if kind.ip_locked(client_ip(request)):
                kind.deny(kind.locked_reason)
                return kind.too_many(request)
            link = kind.resolve(token)
            staff_clinic = getattr(request, "clinic", None)
            if link is None or (staff_clinic is not None and staff_clinic.pk != link.clinic_id):
                kind.deny()
                return kind.unavailable(request)
            if kind.busy(link):
                with audit_context(clinic=link.clinic, channel=kind.channel):
                    kind.deny(kind.busy_reason, link)
                return kind.too_many(request)
            with audit_context(clinic=link.clinic, channel=kind.channel), clinic_scope(link.clinic):
                new_secret = None
                if kind.bind_to:
                    cookie = f"taut_{kind.channel}_{link.pk}"
                    new_secret = kind.bind_browser(link) if not link.browser_sha256 else None
                    if new_secret is None and not is_bound_browser(link, request.COOKIES.get(cookie, "")):
                        link.refresh_from_db(fields=["browser_sha256", "bound_at"])
                        if not is_bound_browser(link, request.COOKIES.get(cookie, "")):
                            return kind.other_browser(request, link)
                head = (link, token) if kind.pass_token else (link,)
                response = private(view(request, *head, *args, **kwargs))
                if new_secret is not None:
                    response.set_cookie(
                        cookie,
                        new_secret,
                        max_age=max(0, int((link.expires_at - timezone.now()).total_seconds())),
                        path=reverse(kind.bind_to, kwargs={kind.url_kwarg: token}),
                        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
                        httponly=True,
                        samesite="Strict",
                    )
                return response

        return wrapped

    return decorate


# Creating and e-mailing --------------------------------------------------------------------------


def expiry(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def email_link(client: Any, subject: str, body: str) -> str:
    """E-mail a link to the client's own address. Returns "sent", "no address" or "failed: <error>".

    The caller's message names the clinic and the link's last day, nothing else: no name, no
    health information (it may be read on a shared screen or pass through other servers). A mail
    server that refuses leaves the link usable (clinical staff can still pass it on).
    """
    address = client.email.strip()
    if not address:
        return "no address"
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors
        return f"failed: {type(exc).__name__}"
    return "sent"
