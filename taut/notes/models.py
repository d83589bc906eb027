"""Session notes (SOAP), their addenda and the practitioner's reusable templates.

A signed note is never changed: a correction is a ``NoteAddendum``; a note started in error is
voided with a reason (``void_reason``), kept and still shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from taut.access.models import Clinic
from taut.clients.models import Client, Visit
from taut.records.models import VisitRecord


class SessionNote(VisitRecord):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"
        VOID = "void", "Voided"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="session_notes")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="session_notes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Subjective
    pain_now = models.PositiveSmallIntegerField(null=True, blank=True)
    change_since_last = models.CharField(max_length=20, blank=True)
    home_care = models.TextField(blank=True)
    subjective = models.TextField(blank=True)
    # Objective: [{"zone", "muscle", "kind": active|latent, "twitch", "referral", "taut_band"}]
    trigger_points = models.JSONField(default=list, blank=True)
    rom_retests = models.JSONField(default=list, blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    # [{"muscle", "technique", "pressure", "minutes"}]
    techniques = models.JSONField(default=list, blank=True)
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=500, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    # Home-programme adherence since the last session, frozen when the note is signed:
    # {"since": date, "until": date, "programme": id, "exercises": [{"exercise", "name", "days_done",
    #  "days_due", "pain_last", "difficulty_last"}]}; {} until signed (or with no programme).
    adherence = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Session note {self.pk} ({self.get_status_display()})"


class NoteAddendum(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500)
    text = models.TextField()

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Addendum {self.pk} to note {self.note_id}"


class NoteTemplate(models.Model):
    """A practitioner's own reusable text: a phrase for one SOAP field (``field`` names it, ``text``
    holds it), or a whole-note template (``field == "note"``, ``fields`` holds text per field)
    that fills a new note when chosen at start."""

    NOTE = "note"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    field = models.CharField(max_length=20, default="plan")
    text = models.TextField(blank=True)
    fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_note(self) -> bool:
        return self.field == self.NOTE
