"""Assessments filed with a visit. First: the body pain chart and the reasoning made from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from taut.access.models import Clinic
from taut.clients.models import Client, Visit


class PainChart(models.Model):
    """The client's pain drawing for one visit, and the analysis computed from it.

    The inputs are kept with the knowledge-base version, so the analysis can be recomputed
    when the knowledge base improves.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="pain_charts")
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="pain_chart")
    inputs = models.JSONField(help_text="marks, qualities, mechanism, findings as entered")
    analysis = models.JSONField(help_text="ranked candidates, explaining set, differential, red flags")
    kb_version = models.CharField(max_length=40)
    red_flag_count = models.PositiveSmallIntegerField(default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Pain chart of {self.visit}"


class RomAssessment(models.Model):
    """Range of motion measured at one visit: the entries as measured, and their reading against the norms."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="rom_assessments")
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="rom")
    entries = models.JSONField(help_text="motion, side, active, passive, end feel, pain")
    readings = models.JSONField(help_text="percent of norm, findings and short muscles per entry")
    kb_version = models.CharField(max_length=40)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Range of motion at {self.visit}"
