"""A client's home programme (exercises from the knowledge base with their dose), the private link
that shows it on the client's phone, and the client's daily ticks (adherence).

A link stores only the SHA-256 of its token, like an intake link. Every query is clinic-scoped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from taut.access.models import Clinic
from taut.clients.links import PrivateLink
from taut.clients.models import Client


class HomeProgramme(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="home_programmes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # [{"exercise": id, "sets", "reps", "hold_seconds", "per_day", "per_week", "note"}]
    items = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    plan_id = models.PositiveIntegerField(null=True, blank=True, help_text="the plan it comes from, if any")

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "client", "-created_at"])]

    def __str__(self) -> str:
        return f"Home programme #{self.pk}"


class HomeProgrammeLink(PrivateLink):
    """A private link (taut.clients.links) to a client's home programme; not bound to a browser."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="home_programme_links")
    programme = models.ForeignKey(HomeProgramme, on_delete=models.PROTECT, related_name="links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Home programme link #{self.pk}"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def usable(self) -> bool:
        return self.status == self.Status.ACTIVE


class AdherenceEntry(models.Model):
    """One exercise on one day, as the client ticked it (a second tick the same day replaces it)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(HomeProgramme, on_delete=models.PROTECT, related_name="adherence")
    link = models.ForeignKey(HomeProgrammeLink, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    exercise_id = models.CharField(max_length=80)
    date = models.DateField()
    done = models.BooleanField()
    pain = models.PositiveSmallIntegerField(null=True, blank=True)
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["date", "exercise_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "exercise_id", "date"], name="homecare_one_tick_per_day"),
        ]

    def __str__(self) -> str:
        return f"Adherence {self.exercise_id} {self.date}"
