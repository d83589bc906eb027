"""A practitioner's public directory listing: only the fields they chose to show.

A listing belongs to a clinic (scoped like every record) and to one practitioner. It holds no
client data. Opting out clears `published`: the public page then answers 410 and the search
no longer finds it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from taut.access.models import Clinic

# Credentials and who certifies them (the certifying body is part of the choice).
CREDENTIALS: dict[str, str] = {
    "cmtpt": "CMTPT: Certified Myofascial Trigger Point Therapist (NAMTPT / Certification Board)",
    "nmt_american": "NMT certification: NMT American version (NMT Center)",
    "nmt_st_john": "NMT certification: St. John Method",
    "rmt": "RMT: Registered Massage Therapist (provincial college, Canada)",
    "lmt": "LMT: Licensed Massage Therapist (US state board)",
    "bctmb": "BCTMB: Board Certified in Therapeutic Massage and Bodywork (NCBTMB)",
    "physio": "Physiotherapist / physical therapist (national or state registration)",
}


class Listing(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published = models.BooleanField(default=True)
    display_name = models.CharField(max_length=120)
    clinic_name = models.CharField(max_length=160, blank=True)
    show_clinic = models.BooleanField(default=True)
    street = models.CharField(max_length=200, blank=True)
    show_street = models.BooleanField(default=False, help_text="otherwise only the area is shown")
    city = models.CharField(max_length=120)
    postal_code = models.CharField(max_length=12, blank=True)
    country = models.CharField(max_length=2)
    place_label = models.CharField(max_length=200, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    credentials = models.JSONField(default=list)
    modalities = models.CharField(max_length=300, blank=True)
    conditions = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    accessibility = models.CharField(max_length=300, blank=True)
    booking_url = models.URLField(max_length=300, blank=True)
    contact_form = models.BooleanField(
        default=True, help_text="visitors may write through a form; the e-mail address is never shown"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "practitioner"], name="one_listing_per_practitioner")]
        indexes = [models.Index(fields=["published", "lat", "lon"])]

    def __str__(self) -> str:
        return f"Listing #{self.pk}"

    @property
    def area(self) -> str:
        """The city and only the first part of the postal code (ZIP 3 digits, FSA, outward code)."""
        prefix = self.postal_code.split(" ")[0][:3] if self.postal_code else ""
        return f"{self.city} {prefix}".strip()

    def credential_labels(self) -> list[str]:
        return [CREDENTIALS[c] for c in self.credentials if c in CREDENTIALS]
