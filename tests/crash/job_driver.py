"""Processes for the job test: `python -m tests.crash.job_driver setup VIDEO | wait ID --until X | report ID`.

- setup VIDEO: migrate, create a clinic, a practitioner, a client and a visit, and upload VIDEO
  through taut.motion.gait.do_add_video (which queues its analysis on commit); prints the id.
- wait ID --until running|done [--progress P]: poll until the video is running with at least
  progress P, or done; prints the state as JSON. Exits 3 after 180 s.
- report ID: prints the video's status, attempts, whether it has a report, how many "analysed"
  audit entries it has, and the task rows of the job queue, as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()


def setup(video: Path) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from taut.access import services as access
    from taut.access.models import Role
    from taut.access.scoping import clinic_scope
    from taut.clients import services as clients
    from taut.motion import gait

    clinic = access.do_create_clinic("Job clinic", "job-clinic")
    with clinic_scope(clinic):
        user = access.do_create_user(clinic, "walker-pt", "a-long-enough-password-2026", Role.PRACTITIONER)
        client = clients.do_create_client(
            clinic, {"given_name": "Gait", "family_name": "Client", "date_of_birth": dt.date(1980, 1, 1)}, Role.OWNER
        )
        signed = clients.ConsentInput(signed_by="Gait Client", method="signed_in_clinic", agreed=True)
        clients.do_record_consent(client, signed, user, Role.PRACTITIONER)  # videos need a written consent
        visit = clients.do_create_visit(client, {"date": dt.date(2026, 11, 25)}, user.pk, Role.PRACTITIONER)
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "upload.bin"
            shutil.copyfile(video, copy)
            record = gait.do_add_video(visit, "sagittal", copy, user, Role.PRACTITIONER)
    sys.stdout.write(f"{record.pk}\n")


def _state(video_id: int) -> dict[str, object]:
    from taut.access.scoping import unscoped
    from taut.audit.models import AuditEntry
    from taut.motion.models import GaitVideo

    with unscoped():
        video = GaitVideo.objects.get(pk=video_id)
        analysed = AuditEntry.objects.filter(
            object_type="gaitvideo", object_id=str(video_id), detail__job="analysed"
        ).count()
    return {
        "status": video.status,
        "progress": video.progress,
        "attempts": video.attempts,
        "has_report": bool(video.report),
        "metrics": len((video.report or {}).get("metrics", [])),
        "analysed_entries": analysed,
        "error": video.error,
    }


def wait(video_id: int, until: str, progress: float) -> int:
    from django.db import close_old_connections

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        close_old_connections()
        state = _state(video_id)
        done = state["status"] in ("done", "failed")
        if (until == "done" and done) or (
            until == "running" and state["status"] == "running" and float(str(state["progress"])) >= progress
        ):
            sys.stdout.write(json.dumps(state) + "\n")
            return 0
        if until == "running" and done:
            sys.stdout.write(json.dumps(state) + "\n")
            return 4
        time.sleep(0.1)
    sys.stdout.write(json.dumps(_state(video_id)) + "\n")
    return 3


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["setup", "wait", "report"])
    parser.add_argument("target")
    parser.add_argument("--until", choices=["running", "done"], default="done")
    parser.add_argument("--progress", type=float, default=0.0)
    args = parser.parse_args()
    _django()
    if args.command == "setup":
        setup(Path(args.target))
        return 0
    if args.command == "wait":
        return wait(int(args.target), args.until, args.progress)
    sys.stdout.write(json.dumps(_state(int(args.target))) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
