"""Posture photos and gait videos filed with a visit, and what was measured from them.

The media file lives under MEDIA_ROOT with a generated name and is served only through a
clinic-scoped view. The landmarks (or keypoints) and the report are kept with the
knowledge-base version, so a report can be recomputed when the base improves.
"""

from __future__ import annotations

from django.db import models

from taut.clients.models import Client, Visit
from taut.records.models import VisitRecord


class MediaRecord(VisitRecord):
    """What a stored photo or video has: its generated file name, size and digest."""

    media_name = models.CharField(max_length=200, help_text="path under MEDIA_ROOT, generated")
    media_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    kb_version = models.CharField(max_length=40, blank=True)

    class Meta(VisitRecord.Meta):
        abstract = True


class PosturePhoto(MediaRecord):
    """One standing photo (front, back, left or right side) and its posture measures."""

    class View(models.TextChoices):
        FRONT = "front", "Front"
        BACK = "back", "Back"
        LEFT = "left", "Left side"
        RIGHT = "right", "Right side"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="posture_photos")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="posture_photos")
    view = models.CharField(max_length=8, choices=View.choices)
    detected = models.JSONField(help_text="landmarks as the pose model found them, and the model", default=dict)
    landmarks = models.JSONField(help_text="landmarks as finally placed: name -> [x, y]")
    vertical = models.JSONField(null=True, blank=True, help_text="two points on a true vertical, or null")
    placed_by_hand = models.BooleanField(default=False)
    report = models.JSONField(help_text="measures, findings and patterns from taut.core.measures.posture")

    class Meta(MediaRecord.Meta):
        constraints = [models.UniqueConstraint(fields=["visit", "view"], name="motion_one_photo_per_view")]

    def __str__(self) -> str:
        return f"{self.get_view_display()} posture photo at {self.visit}"


class GaitVideo(MediaRecord):
    """One walking video, its analysis job and its gait report."""

    class View(models.TextChoices):
        SAGITTAL = "sagittal", "From the side"
        FRONTAL = "frontal", "From in front or behind"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Analysing"
        DONE = "done", "Done"
        FAILED = "failed", "Could not be analysed"

    class Source(models.TextChoices):
        VIDEO = "video", "Video"
        TRC = "trc", "TRC markers (Pose2Sim, OpenCap)"
        OPENPOSE = "openpose", "OpenPose keypoints"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="gait_videos")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="gait_videos")
    view = models.CharField(max_length=10, choices=View.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.VIDEO)
    fps = models.FloatField()
    duration = models.FloatField(help_text="seconds")
    codec = models.CharField(max_length=20)
    seed = models.JSONField(null=True, blank=True, help_text="[x, y] on the person to follow, or null")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0, help_text="0 to 1")
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    series = models.JSONField(null=True, blank=True, help_text="the tracked keypoints, per frame")
    report = models.JSONField(null=True, blank=True, help_text="events, metrics, curves and findings")

    def __str__(self) -> str:
        return f"Gait video at {self.visit}"


class RomPhoto(MediaRecord):
    """A photo of a joint held at the end of its range, and the angle read from it."""

    class Mode(models.TextChoices):
        ACTIVE = "active", "Active (the client moves)"
        PASSIVE = "passive", "Passive (you move the limb)"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="rom_photos")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="rom_photos")
    motion = models.CharField(max_length=40, help_text="joint-motion id in the knowledge base")
    side = models.CharField(max_length=5, choices=[("left", "Left"), ("right", "Right")])
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ACTIVE)
    detected = models.JSONField(default=dict, help_text="landmarks as the pose model found them, and the model")
    landmarks = models.JSONField(help_text="the landmarks the angle uses, as finally placed: name -> [x, y]")
    placed_by_hand = models.BooleanField(default=False)
    degrees = models.FloatField()
    reading = models.TextField()
    applied_at = models.DateTimeField(null=True, blank=True, help_text="when the angle was put in the visit's ROM")

    def __str__(self) -> str:
        return f"{self.motion} ({self.side}) photo at {self.visit}"
