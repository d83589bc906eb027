"""Intake links (a private, expiring credential for one client) and the intakes submitted.

A link stores only the SHA-256 of its token. The answers of a link in progress are kept as a
draft on the link; a submission is the versioned record of one completed intake, filed with a
visit. Every query is clinic-scoped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from taut.access.models import Clinic
from taut.clients.links import BrowserBound, PrivateLink
from taut.clients.models import Client, Consent, Visit


class IntakeLink(PrivateLink, BrowserBound):
    """A private link (taut.clients.links) for one client's intake, bound to one browser."""

    class Status(models.TextChoices):
        PENDING = "pending", "Sent, not opened"
        OPENED = "opened", "Opened"
        SUBMITTED = "submitted", "Submitted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="intake_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The practitioner the intake is for: its records are filed in their name",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    draft = models.JSONField(default=dict, blank=True, help_text="answers saved so far, per step")
    draft_saved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "client", "-created_at"])]

    def __str__(self) -> str:
        return f"Intake link #{self.pk} for {self.client}"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.submitted_at is not None:
            return self.Status.SUBMITTED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        if self.opened_at is not None:
            return self.Status.OPENED
        return self.Status.PENDING

    @property
    def usable(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.OPENED)


class IntakeSubmission(models.Model):
    """One completed intake: the answers as given, what the screen found, and where they were filed."""

    class Channel(models.TextChoices):
        LINK = "link", "Filled by the client through an intake link"
        IN_CLINIC = "in_clinic", "Filled in the clinic"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="intakes")
    link = models.OneToOneField(IntakeLink, null=True, blank=True, on_delete=models.PROTECT, related_name="submission")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="intakes")
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    version = models.PositiveIntegerField(help_text="1 for the client's first intake, 2 for the next ...")
    answers = models.JSONField(help_text="every answer as given, per step")
    contraindications = models.JSONField(help_text="the screen's yes answers: id, question, action, detail")
    red_flags = models.JSONField(help_text="red flags answered yes: id, name, urgency, action")
    screen_version = models.CharField(max_length=20)
    kb_version = models.CharField(max_length=40)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="intake_one_version_per_client"),
        ]

    def __str__(self) -> str:
        return f"Intake {self.version} of {self.client}"

    @property
    def refer(self) -> bool:
        """Whether anything in it says: stop and refer."""
        return bool(self.red_flags) or any(c["action"] == "refer" for c in self.contraindications)
