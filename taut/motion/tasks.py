"""Background jobs (Django's tasks backport): thin wrappers; the work and its record live in services."""

from __future__ import annotations

from django_tasks import task

from taut.access.models import Clinic
from taut.access.scoping import clinic_scope


@task()
def analyse_gait(video_id: int, clinic_id: int) -> str:
    """Analyse one gait video inside its clinic. Idempotent: a finished or claimed video is skipped."""
    from taut.motion import services

    clinic = Clinic.objects.get(pk=clinic_id)
    with clinic_scope(clinic):
        return services.run_analysis(video_id)


def recover() -> int:
    """Queue again every analysis whose worker died mid-job (run when a worker starts)."""
    from taut.access.scoping import unscoped
    from taut.motion import services

    with unscoped():
        return sum(services.revive_if_stale(video) for video in services.stale())
