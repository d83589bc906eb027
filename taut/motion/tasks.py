"""Background jobs (Django's tasks backport): the task, and the only places that queue it.

The work and its records are ``taut.motion.jobs``'s; this module only queues and runs it in its clinic.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from taut.access.models import Clinic
from taut.access.scoping import clinic_scope, unscoped
from taut.motion import jobs
from taut.motion.models import GaitVideo


@task()
def analyse_gait(video_id: int, clinic_id: int) -> str:
    """Analyse one gait video inside its clinic. Idempotent: a finished or claimed video is skipped."""
    clinic = Clinic.objects.get(pk=clinic_id)
    with clinic_scope(clinic):
        return jobs.run_analysis(video_id)


def enqueue(video: GaitVideo) -> None:
    """Queue the analysis once the record is committed (a rolled-back upload queues nothing)."""
    video_id, clinic_id = int(video.pk), int(video.clinic_id)
    transaction.on_commit(lambda: analyse_gait.enqueue(video_id, clinic_id))


def revive_if_stale(video: GaitVideo) -> bool:
    """Queue a dead analysis again (its worker stopped mid-job); True when this call queued it."""
    if not jobs.requeue_if_stale(video):
        return False
    enqueue(video)
    return True


def recover() -> int:
    """Queue again every analysis whose worker died mid-job (run when a worker starts)."""
    with unscoped():
        return sum(revive_if_stale(video) for video in jobs.stale())
