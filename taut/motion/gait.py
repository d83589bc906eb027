"""Gait videos: checked by their content, stored with the visit, audited; the analysis is queued
(``taut.motion.tasks``) and run by ``taut.motion.jobs``."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.audit import service as audit
from taut.clients.gate import MEDIA, require_consent
from taut.clients.models import Visit
from taut.core.errors import MediaError, NotAvailable
from taut.core.vision import media
from taut.motion import storage
from taut.motion.models import GaitVideo
from taut.motion.points import check_view, clean_point
from taut.motion.tasks import enqueue


def get_video(visit: Visit, video_id: Any) -> GaitVideo:
    return get_or_404(GaitVideo.objects.filter(visit=visit), pk=video_id)


def videos_of(visit: Visit) -> list[GaitVideo]:
    return list(GaitVideo.objects.filter(visit=visit).order_by("-created_at"))


def clean_seed(raw: Any, width: int, height: int) -> list[float] | None:
    if raw in (None, "", []):
        return None
    return clean_point(raw, "seed", width, height)


def do_add_video(visit: Visit, view: str, upload: Path, user: Any, role: str | None, *, seed: Any = None) -> GaitVideo:
    """Check the video by its content, keep it under a generated name, and queue its analysis.

    ``upload`` is a temporary file holding the bytes as received; it is moved, never copied.
    """
    from django.conf import settings

    capabilities.require(role, "can_edit_clinical")
    require_consent(visit.client, MEDIA)
    check_view(view, GaitVideo.View)
    size = upload.stat().st_size
    storage.check_quota(visit.clinic_id, size)
    try:
        info = media.probe_video(
            upload, max_bytes=int(settings.TAUT_VIDEO_MAX_MB) * 2**20, max_seconds=settings.TAUT_VIDEO_MAX_SECONDS
        )
    except MediaError as exc:
        raise ValidationError({"video": str(exc)}, code=exc.code) from None
    point = clean_seed(seed, info.width, info.height)
    digest = hashlib.sha256()
    with open(upload, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    name = storage.new_name(visit.clinic_id, "gait", "mp4" if info.container != "mov" else "mov")
    storage.move_in(upload, name)
    with storage.kept_only_if_committed(name), transaction.atomic():
        record = GaitVideo.objects.create(
            clinic=visit.clinic,
            client=visit.client,
            visit=visit,
            recorded_by=user,
            view=view,
            media_name=name,
            media_bytes=size,
            sha256=digest.hexdigest(),
            width=info.width,
            height=info.height,
            fps=info.fps,
            duration=info.duration,
            codec=info.codec,
            seed=point,
        )
        audit.record("create", record, object_type="gaitvideo", detail={"view": view, "seconds": info.duration})
        enqueue(record)
    return record


def do_reanalyse(video: GaitVideo, seed: Any, user: Any, role: str | None) -> GaitVideo:
    """Analyse again, following the person at ``seed`` (the practitioner's pick)."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(video.client, MEDIA)
    if video.source != GaitVideo.Source.VIDEO:
        raise ValidationError(
            {"seed": "These keypoints came from another program: there is no video to pick a person in."}
        )
    point = clean_seed(seed, video.width, video.height)
    with transaction.atomic():
        video.seed = point
        video.status = GaitVideo.Status.QUEUED
        video.progress = 0.0
        video.error = ""
        video.report = None
        video.series = None
        video.save()
        audit.record("update", video, object_type="gaitvideo", detail={"seed": point})
        enqueue(video)
    return video


PEOPLE_FRAME_SECONDS = 3600  # the numbered frame is kept this long in the cache


def people_frame_key(video: GaitVideo) -> str:
    """The cache key of a video's numbered frame: a new upload (a new media name) is a new key."""
    return f"gait-people-{video.pk}-{hashlib.sha256(video.media_name.encode()).hexdigest()[:16]}"


def people_frame(video: GaitVideo) -> bytes:
    """A frame from the middle of the video with each person the model sees boxed and numbered (JPEG).

    Finding the people runs the pose model on the frame, so the picture is drawn once and kept in
    the cache; every request for it is still checked and audited by the view."""
    from django.core.cache import cache

    from taut.core.vision.annotate import people_jpeg
    from taut.core.vision.video import preview_frame

    if video.source != GaitVideo.Source.VIDEO:
        raise NotAvailable("no_video", "These keypoints came from another program; there is no video frame.")
    key = people_frame_key(video)
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    try:
        rgb, people = preview_frame(storage.path_of(video.media_name), max(0.0, video.duration / 2))
    except MediaError as exc:
        raise NotAvailable(exc.code, str(exc)) from None
    jpeg = people_jpeg(rgb, people)
    cache.set(key, jpeg, PEOPLE_FRAME_SECONDS)
    return jpeg
