"""The private link that sends outcome measures to the client's phone (taut.clients.links).

It names the visit the answers are filed with and the instruments asked; it is used once: when
the client's answers are complete and valid they are scored and filed, and the link closes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from taut.access.models import Clinic
from taut.clients.links import PrivateLink
from taut.clients.models import Client, Visit


class MeasuresLink(PrivateLink):
    """Outcome measures for the client to fill on a phone; not bound to a browser, used once."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        USED = "used", "Filled in"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="measures_links")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="measures_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    instruments = models.JSONField(help_text="instrument ids of the knowledge base, in the order asked")
    used_at = models.DateTimeField(null=True, blank=True, help_text="when the client's answers were filed")

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Measures link #{self.pk}"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.used_at is not None:
            return self.Status.USED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def usable(self) -> bool:
        return self.status == self.Status.ACTIVE
