"""Treatment plans: a plan made from a visit's findings, edited, signed, and kept version by version.

A signed plan is locked. Editing it makes the next version (a draft) with the change applied; when
that version is signed the one before it is marked superseded. Every version stays, with the
changes from the one before it in words.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from taut.access.models import Clinic
from taut.clients.models import Client, Visit


class TreatmentPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"
        SUPERSEDED = "superseded", "Superseded"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="treatment_plans")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="treatment_plans")
    version = models.PositiveIntegerField(help_text="1 for the visit's first plan, 2 for the next ...")
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="the version before"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    plan = models.JSONField(help_text="the plan as taut.core.planning makes it (Plan.to_json)")
    kb_version = models.CharField(max_length=40)
    inputs = models.JSONField(help_text="the plan's inputs, and the visit's findings they were read from")
    changes = models.JSONField(default=list, blank=True, help_text="what changed from the version before, in words")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["visit", "version"], name="plans_one_version_per_visit")]

    def __str__(self) -> str:
        return f"Treatment plan {self.pk}, version {self.version} ({self.get_status_display()})"

    @property
    def locked(self) -> bool:
        return self.status != self.Status.DRAFT
