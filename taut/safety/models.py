"""How a practitioner resolved a red flag or contraindication of a client. Clinic-scoped."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from taut.access.models import Clinic
from taut.clients.models import Client


class FlagResolution(models.Model):
    """One decision about one flag (by its key, see taut.safety.services): it silences the banner
    for what was recorded before it; the same flag reported again later shows again."""

    class Outcome(models.TextChoices):
        REFERRED = "referred", "Referred to a physician"
        CLEARED = "cleared", "Cleared by a physician"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="flag_resolutions")
    flag_key = models.CharField(max_length=120)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.TextField(blank=True, max_length=2000)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField()

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-resolved_at", "-id"]
        indexes = [models.Index(fields=["clinic", "client", "flag_key"])]

    def __str__(self) -> str:
        return f"{self.flag_key}: {self.get_outcome_display()}"
