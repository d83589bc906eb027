"""The base of every record filed with a visit (assessments, motion, and the apps to come).

Abstract: it adds no table. A model on it is scoped to its clinic and knows who recorded it and when;
it declares its own ``client`` and ``visit`` keys (one per visit, or many).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from taut.access.models import Clinic


class VisitRecord(models.Model):
    """What every record filed with a visit has: its clinic (the scope), who recorded it and when."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        abstract = True
        ordering = ["-updated_at"]
