"""Erasure requests (GDPR Art. 17): the request, and the tombstone that outlives the client.

The row holds no key to the client on purpose: the client's rows are purged when their
retention period ends, and this row stays as the tombstone (who asked, when, what kind of
records were purged and how many; no name, no content). ``client_ref`` is the former id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from taut.access.models import Clinic


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Contact details erased; clinical record held until its retention ends"
        PURGED = "purged", "Purged; only this tombstone remains"
        WITHDRAWN = "withdrawn", "Withdrawn before the purge; the record is no longer held"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client_ref = models.PositiveBigIntegerField(db_index=True, help_text="the id the client had (not a key)")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    reason = models.CharField(
        max_length=500, blank=True, help_text="why the record is erased; kept until the purge, then cleared"
    )
    erased_fields = models.JSONField(default=list, blank=True, help_text="the client fields erased at once")
    retention_type = models.CharField(max_length=30, help_text="the record type whose period applies")
    last_activity = models.DateField(help_text="the day the retention period is counted from")
    purge_due = models.DateField(help_text="the first day the purge may remove the clinical record")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    purged_at = models.DateTimeField(null=True, blank=True)
    purged = models.JSONField(default=dict, blank=True, help_text="rows purged per kind of record, and files")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdraw_reason = models.CharField(max_length=500, blank=True, help_text="why the request was withdrawn")

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "purge_due"])]
        constraints = [
            # one open request per client; a withdrawn one stays as history beside a later one
            models.UniqueConstraint(
                fields=["clinic", "client_ref"],
                condition=~models.Q(status="withdrawn"),
                name="one_open_erasure_request_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"Erasure request #{self.pk}"  # never the client's name: this row outlives the client

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD
