"""Clients, their informed consents and their visits. Every query is clinic-scoped."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from taut.access.models import Clinic
from taut.clients import dates

# Fields only clinical roles may see: front desk never receives these, in HTML or JSON.
CLINICAL_FIELDS: dict[str, tuple[str, ...]] = {
    "client": ("health_history", "medications", "physician"),
    "visit": ("chief_complaint", "notes", "onset_date", "skin_areas", "surgery_areas"),
    "painchart": ("inputs", "analysis"),
    "sessionnote": ("subjective", "objective", "assessment", "home_care"),
}

# The client's contact details: what an erasure request erases at once (taut.privacy.erasure), and
# what a record held after one cannot take again.
CONTACT_FIELDS: tuple[str, ...] = ("email", "phone", "address", "emergency_contact_name", "emergency_contact_phone")


class Client(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Prefer not to say"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clients")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=300, blank=True)
    occupation = models.CharField(max_length=120, blank=True)
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    physician = models.CharField(max_length=200, blank=True, help_text="Name and practice of the client's physician")
    health_history = models.TextField(blank=True)
    medications = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["clinic", "family_name", "given_name"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return str(self)


class Consent(models.Model):
    class Method(models.TextChoices):
        SIGNED_IN_CLINIC = "signed_in_clinic", "Signed in the clinic (on screen or paper)"
        SIGNED_ONLINE = "signed_online", "Signed online through an intake link"
        VERBAL = "verbal", "Verbal, witnessed by the practitioner"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    text_id = models.CharField(max_length=60)
    text_version = models.CharField(max_length=20)
    text_sha256 = models.CharField(max_length=64)  # of `text`
    text = models.TextField(blank=True, default="", help_text="The consent exactly as shown and signed")
    signed_by = models.CharField(max_length=200, help_text="Name of the person who consented")
    relationship = models.CharField(max_length=60, default="self")
    signed_at = models.DateTimeField()
    method = models.CharField(max_length=30, choices=Method.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    statement = models.TextField(blank=True, help_text="For a verbal consent: what was said")

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.text_id} v{self.text_version} · {self.signed_by}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class ConsentTextVersion(models.Model):
    """A clinic's own wording of a consent text. Each save is a new version and is never changed, so a
    consent signed under an older version keeps its text (the consent also stores it)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    text_id = models.CharField(max_length=60)
    version = models.CharField(max_length=20)
    body = models.TextField(help_text="Markdown: a heading, paragraphs, bold, a numbered list; {clinic} for the name")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "text_id", "version"], name="one_consent_text_version")
        ]

    def __str__(self) -> str:
        return f"{self.text_id} {self.version}"


AREAS_MAX = 60  # body-map zones in one area list (the whole body has about 200)


def validate_zones(value: Any) -> None:
    """A list of body-map zone ids (sided, as the pain chart stores them); unknown ones are named."""
    from taut.core.knowledge.loader import load_base

    if not isinstance(value, list) or not all(isinstance(z, str) for z in value):
        raise ValidationError("Give the areas as a list of body-map zone ids.", code="invalid_zones")
    if len(value) > AREAS_MAX:
        raise ValidationError(f"Name at most {AREAS_MAX} zones.", code="invalid_zones")
    zones = load_base().zones
    unknown = [z for z in value if z not in zones]
    if unknown:
        raise ValidationError(
            "The body map has no zone "
            + ", ".join(repr(z[:60]) for z in unknown[:5])
            + ": use zone ids such as posterior_neck_r or lumbar_paraspinal_l, or plain words such as "
            "'left posterior neck'.",
            code="unknown_zone",
        )


class Visit(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial assessment"
        TREATMENT = "treatment", "Treatment"
        REASSESSMENT = "reassessment", "Reassessment"
        FOLLOW_UP = "follow_up", "Follow-up call"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        FINISHED = "finished", "Finished"
        CANCELLED = "cancelled", "Cancelled"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="visits")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    # Booked start time (local clinic time); null for visits recorded before booking had times
    start_time = models.TimeField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TREATMENT)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    chief_complaint = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    # When the complaint began (the plan's phase of care: acute, subacute, chronic)
    onset_date = models.DateField(null=True, blank=True)
    # Body-map zone ids (sided) with a skin condition, or operated on in the last three months:
    # the plan leaves them alone (taut.core.planning.precautions)
    skin_areas = models.JSONField(default=list, blank=True, validators=[validate_zones])
    surgery_areas = models.JSONField(default=list, blank=True, validators=[validate_zones])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%Y-%m-%d}"

    def clean(self) -> None:
        """The onset date follows the rules of taut.clients.dates (not after the visit, not before birth)."""
        if self.onset_date is None:
            return
        born = self.client.date_of_birth if self.client_id else None
        problem = dates.onset_date_problem(self.onset_date, visit_day=self.date, born=born)
        if problem:
            raise ValidationError({"onset_date": problem})
