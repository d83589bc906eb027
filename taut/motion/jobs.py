"""The gait job: claim a video, record progress and a heartbeat, file the report, queue dead jobs again.

Every change of the video's row is audited. Queueing is ``taut.motion.tasks``'s; this module never queues.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from taut.audit import service as audit
from taut.clients.gate import MEDIA, consent_problem
from taut.core.errors import MeasurementError, MediaError
from taut.core.knowledge.loader import load_base
from taut.core.vision.types import Point
from taut.motion import storage
from taut.motion.models import GaitVideo


def stale_after() -> int:
    """Seconds without a heartbeat after which a running analysis is taken as dead."""
    from django.conf import settings

    return int(settings.TAUT_JOB_STALE_SECONDS)


def stale() -> list[GaitVideo]:
    """Analyses whose worker died: running with no heartbeat for STALE_AFTER seconds."""
    limit = timezone.now() - dt.timedelta(seconds=stale_after())
    return list(GaitVideo.objects.filter(status=GaitVideo.Status.RUNNING, heartbeat_at__lt=limit))


def claim(video_id: int) -> bool:
    """Take the job: only one worker runs a given analysis, and a finished one is never redone."""
    limit = timezone.now() - dt.timedelta(seconds=stale_after())
    now = timezone.now()
    from django.db.models import F, Q

    taken = GaitVideo.objects.filter(pk=video_id).filter(
        Q(status=GaitVideo.Status.QUEUED) | Q(status=GaitVideo.Status.RUNNING, heartbeat_at__lt=limit)
    )
    return (
        taken.update(status=GaitVideo.Status.RUNNING, heartbeat_at=now, progress=0.0, attempts=F("attempts") + 1) == 1
    )


def beat(video_id: int, progress: float) -> None:
    GaitVideo.objects.filter(pk=video_id, status=GaitVideo.Status.RUNNING).update(
        progress=max(0.0, min(1.0, progress)), heartbeat_at=timezone.now()
    )


def run_analysis(video_id: int) -> str:
    """The job: track the walker, measure the gait, file the report. Safe to run twice."""
    from taut.core.measures import gait
    from taut.core.vision.video import extract_series

    if not claim(video_id):
        return "skipped"
    video = GaitVideo.objects.get(pk=video_id)
    if refused_for_consent(video):
        return "refused"
    last = [0.0]

    def progress(share: float) -> None:
        if share - last[0] >= 0.02 or share >= 1.0:
            last[0] = share
            beat(video_id, 0.95 * share)

    try:
        seed = Point(*video.seed) if video.seed else None
        series = extract_series(storage.path_of(video.media_name), seed=seed, progress=progress)
        report = gait.analyse(series, video.view).to_dict()
    except (MediaError, MeasurementError) as exc:
        with transaction.atomic():
            GaitVideo.objects.filter(pk=video_id).update(
                status=GaitVideo.Status.FAILED, error=str(exc), finished_at=timezone.now()
            )
            audit.record("update", video, object_type="gaitvideo", outcome="failure", detail={"error": str(exc)[:200]})
        return "failed"
    with transaction.atomic():
        GaitVideo.objects.filter(pk=video_id).update(
            status=GaitVideo.Status.DONE,
            progress=1.0,
            series=series_to_json(series),
            report=report,
            kb_version=load_base().version,
            finished_at=timezone.now(),
            error="",
        )
        audit.record("update", video, object_type="gaitvideo", detail={"job": "analysed"})
    return "done"


def refused_for_consent(video: GaitVideo) -> bool:
    """At the job's start: a client who withdrew consent (or never gave a written one) gets no analysis."""
    problem = consent_problem(video.client, MEDIA)
    if problem is None:
        return False
    with transaction.atomic():
        GaitVideo.objects.filter(pk=video.pk).update(
            status=GaitVideo.Status.FAILED, error=problem, progress=0.0, finished_at=timezone.now()
        )
        audit.record("update", video, object_type="gaitvideo", outcome="denied", detail={"job": "no consent"})
    return True


def requeue_if_stale(video: GaitVideo) -> bool:
    """Put a dead analysis (its worker stopped mid-job) back to "queued", audited; True when this call did.

    The row goes back to "queued" in one conditional update, so however many pages or workers
    notice the dead job at once, it is queued once. The caller queues the task
    (``taut.motion.tasks.revive_if_stale``).
    """
    limit = timezone.now() - dt.timedelta(seconds=stale_after())
    with transaction.atomic():
        revived = GaitVideo.objects.filter(pk=video.pk, status=GaitVideo.Status.RUNNING, heartbeat_at__lt=limit).update(
            status=GaitVideo.Status.QUEUED, progress=0.0
        )
        if not revived:
            return False
        video.status, video.progress = GaitVideo.Status.QUEUED, 0.0
        audit.record("update", video, object_type="gaitvideo", detail={"job": "queued again", "reason": "no heartbeat"})
    return True


def series_to_json(series: Any) -> dict[str, Any]:
    frames: list[dict[str, list[float]] | None] = []
    for pose in series.frames:
        if pose is None:
            frames.append(None)
        else:
            frames.append({n: [round(k.x, 1), round(k.y, 1), round(k.score, 2)] for n, k in pose.keypoints.items()})
    return {"fps": series.fps, "width": series.width, "height": series.height, "frames": frames}
