"""Write and read paths of the client intake.

Links: created (the token is returned once, only its SHA-256 is stored), revoked, resolved from a
token, rate-limited. Drafts: one step at a time on the link. Submission: every step checked
again, then, in one transaction, the existing services file the parts: the client's details
(clients.do_update_client), the consent (clients.do_record_consent), the visit
(clients.do_create_visit), the pain chart with the intake's red flags (assessments.do_save_pain_chart)
and the wellness answers (measures.do_save_wellness). Each writes its own audit entry; the
intake itself writes one more ("submit").

Through a link, the actor is the client: audit entries carry no user, the channel "intake" and
the link's id; the records are filed in the name of the link's practitioner, whose role in the
clinic must allow them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms import Form
from django.utils import timezone

from taut.access import capabilities
from taut.access.models import Membership
from taut.access.scoping import get_or_404
from taut.assessments import measures
from taut.assessments import services as assessments
from taut.audit import service as audit
from taut.audit.models import AuditEntry
from taut.clients import links
from taut.clients import services as clients
from taut.clients.models import Client, Consent, Visit
from taut.core.knowledge.loader import load_base
from taut.intake import forms as intake_forms
from taut.intake.models import IntakeLink, IntakeSubmission
from taut.intake.screen import findings, load_screen

__all__ = ["findings"]  # re-exported for the views

DENIED_REASON = "unknown, expired, revoked or used intake link"
BUSY_REASON = "too many requests on this intake link in a minute"
OTHER_BROWSER = "intake link opened in a browser it is not bound to"

# The intake's private link (taut.clients.links): bound to the first browser that opens it.
KIND = links.LinkKind(
    model=IntakeLink,
    channel="intake",
    object_type="intakelink",
    url_kwarg="intake_token",
    settings_prefix="TAUT_INTAKE",
    denied_reason=DENIED_REASON,
    busy_reason=BUSY_REASON,
    locked_reason="too many failed intake links from this address",
    unavailable_template="intake/unavailable.html",
    too_many_template="intake/too_many.html",
    bind_to="intake:intake_start",
    other_browser_reason=OTHER_BROWSER,
    other_browser_template="intake/other_browser.html",
    reopen_template="intake/reopen.html",
)
setting = links.setting
token_digest = links.token_digest


def _via(link: IntakeLink) -> dict[str, Any]:
    return {"via": f"intake link #{link.pk}"}


# Links -------------------------------------------------------------------------------------


def clinical_members() -> QuerySet[Membership]:
    """Members of the active clinic an intake can be filed for (owners and practitioners)."""
    return clients.practitioners()


def do_create_link(
    client: Client,
    created_by: Any,
    role: str | None,
    *,
    days: int = 7,
    practitioner_id: Any = None,
    url_for: Callable[[str], str] | None = None,
) -> tuple[IntakeLink, str]:
    """Create a link for one client; the plaintext token is returned once and never stored.

    The client's other usable links are revoked: one active link per client. With `url_for`
    (token -> the link's full address), the link is e-mailed to the client's own address first
    (before the transaction: a slow mail server never holds the database) and the create entry
    says whether it went; `link.emailed` tells the caller.
    """
    capabilities.require(role, "can_send_intake")
    errors: dict[str, str] = {}
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not (intake_forms.MIN_DAYS <= days <= intake_forms.MAX_DAYS)
    ):
        errors["days"] = f"Choose from {intake_forms.MIN_DAYS} to {intake_forms.MAX_DAYS} days."
    members = clinical_members()
    if practitioner_id is None:
        own = members.filter(user=created_by).first() if getattr(created_by, "pk", None) else None
        member = own or members.order_by("id").first()
    else:
        member = members.filter(user_id=practitioner_id).first() if isinstance(practitioner_id, int) else None
    if member is None:
        errors["practitioner_id"] = "Choose a practitioner of this clinic for the intake."
    if errors:
        raise ValidationError(errors)
    assert member is not None
    plaintext = links.new_token()
    now = timezone.now()
    email = _email_link(client, url_for(plaintext), now + dt.timedelta(days=days)) if url_for else "not asked"
    with transaction.atomic():
        open_links = IntakeLink.objects.select_for_update().filter(client=client, revoked_at=None, submitted_at=None)
        replaced = [link for link in open_links if link.expires_at > now]
        for old in replaced:
            old.revoked_at = now
            old.draft = {}  # answers never submitted are not kept once the link is dead
            old.save(update_fields=["revoked_at", "draft"])
        link = IntakeLink.objects.create(
            clinic=client.clinic,
            client=client,
            created_by=created_by,
            practitioner=member.user,
            token_sha256=token_digest(plaintext),
            expires_at=now + dt.timedelta(days=days),
        )
        audit.record(
            "create",
            link,
            detail={
                "days": days,
                "practitioner": member.user_id,
                "replaced": [o.pk for o in replaced],
                "email": email,
            },
        )
    link.emailed = email == "sent"
    return link, plaintext


def _email_link(client: Client, url: str, expires_at: dt.datetime) -> str:
    """E-mail a link to the client's own address (see taut.clients.links.email_link)."""
    clinic = client.clinic.name
    body = (
        f"{clinic} asks you to fill in a short form before your visit.\n\n"
        f"Open this link on your phone or computer:\n{url}\n\n"
        f"The link works until {expires_at:%Y-%m-%d}, in the first browser you open it in. "
        "If it does not open, ask the clinic for a new link. Please do not forward this message.\n"
    )
    return links.email_link(client, f"{clinic}: your form before your visit", body)


def list_links(client: Client, role: str | None) -> QuerySet[IntakeLink]:
    capabilities.require(role, "can_send_intake")
    return IntakeLink.objects.filter(client=client).select_related("practitioner", "created_by")


def get_link(client: Client, link_id: Any) -> IntakeLink:
    """Nested lookup: the clinic (scope), then the client, then the id."""
    return get_or_404(IntakeLink.objects.filter(client=client), pk=link_id)


def do_revoke_link(link: IntakeLink, role: str | None) -> IntakeLink:
    # answers never submitted are not kept once the link is dead
    links.do_revoke(link, role, "can_send_intake", draft={})
    return link


def do_purge_drafts() -> int:
    """Delete the saved answers of links that expired or were revoked before being submitted.

    A draft holds health information the client never sent; it is kept only while the link can
    still be used. Runs for every clinic, each inside its own scope, with one audit entry per
    link. `taut worker` runs it when it starts; `taut intake purge` runs it from a timer.
    """
    from taut.access.models import Clinic
    from taut.access.scoping import clinic_scope

    now = timezone.now()
    purged = 0
    for clinic in Clinic.objects.all():
        with clinic_scope(clinic):
            dead = (
                IntakeLink.objects.filter(submitted_at=None)
                .exclude(draft={})
                .filter(Q(revoked_at__isnull=False) | Q(expires_at__lte=now))
            )
            for link in dead:
                with transaction.atomic():
                    IntakeLink.objects.filter(pk=link.pk).update(draft={})
                    reason = "revoked" if link.revoked_at is not None else "expired"
                    audit.record("purge", link, clinic=clinic, detail={"draft": reason})
                purged += 1
    return purged


# Using a link --------------------------------------------------------------------------------


def resolve_link(plaintext: str) -> IntakeLink | None:
    """The usable link for a token, or None (unknown, expired, revoked or already submitted)."""
    link: IntakeLink | None = KIND.resolve(plaintext)
    return link


def ip_locked(ip: str) -> bool:
    """Too many failed intake links from this address lately (the login throttle's mechanism)."""
    return KIND.ip_locked(ip)


def link_busy(link: IntakeLink) -> bool:
    """More requests on this link in the last minute than a person filling a form would make."""
    return KIND.busy(link)


def deny(reason: str = DENIED_REASON, link: IntakeLink | None = None) -> None:
    """Audit a refused use of an intake URL; the token itself is never written anywhere."""
    KIND.deny(reason, link)


# The browser a link is bound to ------------------------------------------------------------------

browser_digest = links.browser_digest
is_bound_browser = links.is_bound_browser


def bind_browser(link: IntakeLink) -> str | None:
    """Bind an unbound link to a new browser secret (None if another browser was first)."""
    return KIND.bind_browser(link)


def do_open(link: IntakeLink, step: str) -> IntakeLink:
    """Note that the link was opened (one audit entry per page shown)."""
    with transaction.atomic():
        if link.opened_at is None:
            link.opened_at = timezone.now()
            link.save(update_fields=["opened_at"])
        audit.record("open", link, clinic=link.clinic, detail={**_via(link), "step": step})
    return link


def do_save_step(link: IntakeLink, slug: str, data: Any) -> Form:
    """Check one step's answers; keep them as the link's draft if valid. Returns the bound form."""
    step = intake_forms.step(slug)
    if step is None:
        raise ValidationError({"step": f"Unknown step {slug!r}."})
    form = step.form(data)
    if not form.is_valid():
        with transaction.atomic():
            audit.record(
                "update",
                link,
                outcome=AuditEntry.Outcome.FAILURE,
                clinic=link.clinic,
                detail={**_via(link), "step": slug, "invalid": sorted(form.errors)[:20]},
            )
        return form
    with transaction.atomic():
        locked = IntakeLink.objects.select_for_update().get(pk=link.pk)
        if not locked.usable:
            raise ValidationError({"link": DENIED_REASON})
        locked.draft = {**locked.draft, slug: intake_forms.raw_values(form)}
        locked.draft_saved_at = timezone.now()
        if locked.opened_at is None:
            locked.opened_at = locked.draft_saved_at
        locked.save(update_fields=["draft", "draft_saved_at", "opened_at"])
        audit.record("update", locked, clinic=link.clinic, detail={**_via(link), "step": slug})
    link.draft, link.draft_saved_at = locked.draft, locked.draft_saved_at
    return form


# Checking and submitting -----------------------------------------------------------------------


@dataclass
class Checked:
    """Every step's form bound to the answers; `ok` when all are valid."""

    forms: dict[str, Form]

    @property
    def ok(self) -> bool:
        return all(f.is_valid() for f in self.forms.values())

    @property
    def incomplete(self) -> list[intake_forms.Step]:
        return [s for s in intake_forms.STEPS if not self.forms[s.slug].is_valid()]

    def errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for slug, form in self.forms.items():
            for field, messages in form.errors.items():
                out[f"{slug}.{field}" if field != "__all__" else slug] = [str(m) for m in messages]
        return out


def check(answers: dict[str, Any]) -> Checked:
    """Bind every step's form to its answers (a dict per step, or one flat dict for all)."""
    nested = all(isinstance(v, dict) for v in answers.values())
    return Checked({s.slug: s.form(answers.get(s.slug, {}) if nested else answers) for s in intake_forms.STEPS})


def _merge_text(existing: str, added: str, label: str) -> str:
    added = added.strip()
    if not added or added == existing.strip():
        return existing
    if not existing.strip():
        return added
    return f"{existing.rstrip()}\n\n{label}:\n{added}"


def _file(
    client: Client,
    checked: Checked,
    *,
    practitioner: Any,
    role: str | None,
    channel: str,
    link: IntakeLink | None,
) -> IntakeSubmission:
    """File a checked intake through the existing services. The caller holds the transaction."""
    data = {slug: form.cleaned_data for slug, form in checked.forms.items()}
    contact, health, pain, consent = data["contact"], data["health"], data["pain"], data["consent"]
    today = timezone.localdate()
    label = f"From the intake of {today:%Y-%m-%d}"
    client_data = {k: contact[k] for k in intake_forms.CONTACT_FIELDS}
    client_data["physician"] = health["physician"] or client.physician
    client_data["health_history"] = _merge_text(client.health_history, health["health_history"], label)
    client_data["medications"] = _merge_text(client.medications, health["medications"], label)
    clients.do_update_client(client, client_data, role)
    online = channel == IntakeSubmission.Channel.LINK
    method = Consent.Method.SIGNED_ONLINE if online else Consent.Method.SIGNED_IN_CLINIC
    consent_record = clients.do_record_consent(
        client,
        clients.ConsentInput(
            signed_by=consent["signed_by"],
            method=method,
            relationship=consent["relationship"] or "self",
            agreed=bool(consent["agreed"]),
            text_id=intake_forms.CONSENT_TEXT,
            text_version=consent["consent_version"],
        ),
        practitioner,
        role,
    )
    visit = _intake_visit(client, health["reason"], practitioner, role, today)
    answers = {slug: intake_forms.raw_values(form) for slug, form in checked.forms.items()}
    # exactly what was shown and signed, as the consent record holds it
    answers["consent"].update(text=consent_record.text, sha256=consent_record.text_sha256)
    contraindications, flags = findings(answers["screen"])
    if pain.get("marks"):
        inputs = {"pain": pain["marks"], **({"red_flags": [f["id"] for f in flags]} if flags else {})}
        assessments.do_save_pain_chart(visit, inputs, practitioner, role)
    wellness = answers["wellness"]
    if wellness:
        measures.do_save_wellness(visit, wellness, practitioner, role)
    previous = IntakeSubmission.objects.filter(client=client).order_by("-version").values_list("version", flat=True)
    version = (previous.first() or 0) + 1
    submission = IntakeSubmission.objects.create(
        clinic=client.clinic,
        client=client,
        link=link,
        visit=visit,
        consent=consent_record,
        channel=channel,
        recorded_by=practitioner,
        submitted_at=timezone.now(),
        version=version,
        answers=answers,
        contraindications=contraindications,
        red_flags=flags,
        screen_version=load_screen().version,
        kb_version=load_base().version,
    )
    return submission


def _intake_visit(client: Client, reason: str, practitioner: Any, role: str | None, today: dt.date) -> Visit:
    """The client's next planned visit with nothing filed yet, or a new initial visit today."""
    visit = (
        client.visits.filter(
            date__gte=today, status=Visit.Status.PLANNED, pain_chart__isnull=True, wellness__isnull=True
        )
        .order_by("date", "id")
        .first()
    )
    if visit is None:
        data = {"date": today, "kind": Visit.Kind.INITIAL, "chief_complaint": reason[:300], "notes": "Intake received."}
        return clients.do_create_visit(client, data, practitioner.pk, role)
    if not visit.chief_complaint:
        clients.do_update_visit(visit, {"chief_complaint": reason[:300]}, role)
    return visit


def _role_of(user: Any) -> str | None:
    membership = clinical_members().filter(user=user).first()
    return membership.role if membership is not None else None


def do_submit_link(link: IntakeLink) -> tuple[IntakeSubmission | None, Checked]:
    """Submit a link's draft: everything is filed, or nothing is (the checked forms say why)."""
    checked = check(link.draft)
    if not checked.ok:
        with transaction.atomic():
            audit.record(
                "submit",
                link,
                outcome=AuditEntry.Outcome.FAILURE,
                clinic=link.clinic,
                detail={**_via(link), "incomplete": [s.slug for s in checked.incomplete]},
            )
        return None, checked
    role = _role_of(link.practitioner)
    if role is None:
        raise ValidationError(
            {"link": "The practitioner this intake is for no longer works here; ask the clinic for a new link."}
        )
    with transaction.atomic():
        locked = IntakeLink.objects.select_for_update().select_related("client").get(pk=link.pk)
        if not locked.usable:
            raise ValidationError({"link": DENIED_REASON})
        client = Client.objects.select_for_update().get(pk=locked.client_id)
        submission = _file(
            client,
            checked,
            practitioner=link.practitioner,
            role=role,
            channel=IntakeSubmission.Channel.LINK,
            link=locked,
        )
        locked.submitted_at = submission.submitted_at
        locked.draft = {}
        locked.save(update_fields=["submitted_at", "draft"])
        audit.record(
            "submit",
            submission,
            clinic=link.clinic,
            detail={**_via(link), "version": submission.version, "red_flags": len(submission.red_flags)},
        )
    link.submitted_at, link.draft = locked.submitted_at, {}
    return submission, checked


def do_submit_in_clinic(
    client: Client, data: Any, user: Any, role: str | None
) -> tuple[IntakeSubmission | None, Checked]:
    """The same intake filled in the clinic (all steps posted at once) by a clinical member."""
    capabilities.require(role, "can_edit_clinical")
    checked = check(data)
    if not checked.ok:
        return None, checked
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        submission = _file(
            locked, checked, practitioner=user, role=role, channel=IntakeSubmission.Channel.IN_CLINIC, link=None
        )
        detail = {"version": submission.version, "red_flags": len(submission.red_flags)}
        audit.record("submit", submission, detail=detail)
    client.refresh_from_db()
    return submission, checked


# Reading -----------------------------------------------------------------------------------------


def list_submissions(client: Client) -> QuerySet[IntakeSubmission]:
    return IntakeSubmission.objects.filter(client=client).select_related("visit")


def get_submission(client: Client, intake_id: Any) -> IntakeSubmission:
    return get_or_404(IntakeSubmission.objects.filter(client=client).select_related("visit", "consent"), pk=intake_id)


def read_submission(client: Client, intake_id: Any) -> IntakeSubmission:
    submission = get_submission(client, intake_id)
    clients.audit_read(submission)
    return submission


def awaiting_review() -> QuerySet[IntakeSubmission]:
    """Intakes of the active clinic no one has marked as reviewed yet, newest first."""
    return IntakeSubmission.objects.filter(reviewed_at=None).select_related("client").order_by("-submitted_at")


def do_mark_reviewed(submission: IntakeSubmission, user: Any, role: str | None) -> IntakeSubmission:
    capabilities.require(role, "can_view_clinical")
    if submission.reviewed_at is not None:
        raise ValidationError({"intake": "This intake was already marked as reviewed."})
    with transaction.atomic():
        submission.reviewed_at = timezone.now()
        submission.reviewed_by = user
        submission.save(update_fields=["reviewed_at", "reviewed_by"])
        audit.record("review", submission)
    return submission


def clinical_role(role: str | None) -> bool:
    return capabilities.has(role, "can_view_clinical")
