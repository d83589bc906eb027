"""The audit entry: append-only (database triggers) and hash-chained."""

from __future__ import annotations

from django.db import models
from django_scopes import ScopedManager


class AuditEntry(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", "success"
        FAILURE = "failure", "failure"
        DENIED = "denied", "denied"

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        "access.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    username = models.CharField(max_length=150, blank=True)
    clinic = models.ForeignKey(
        "access.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["clinic", "-id"]), models.Index(fields=["username", "ip", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.object_type} {self.outcome}"
