"""A client's full export (issue #15): under a minute for the demo client with photos and a video.

Each database (SQLite in a temporary folder, PostgreSQL in a temporary database of the server
DATABASE_URL or TAUT_BENCH_POSTGRES_URL names) is measured in its own process
(`python -m benchmarks.export measure`): it migrates, loads the demo, gives the demo's
course-of-care client (Clara Novak: intake, plan, notes, measures, home-programme ticks) two
posture photos and a walking video (the Sports2D demo clip when `python -m tests.media_files`
has fetched it, else a synthetic clip) through the services the web uses, runs the gait analysis,
then times `taut.privacy.export.export_client` (record, JSON, FHIR bundle, media, manifest)
EXPORT_REPEATS times. The reference, measured in the same run: copying the finished export
folder (the same files and bytes) with shutil.copytree, so the ratio says what the export costs
beyond writing its bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.load import _postgres_url
from benchmarks.server import run_measure_process

GOAL_S = 60.0
EXPORT_REPEATS = 3
CLIP = Path(__file__).resolve().parent.parent / "tests" / ".media" / "sports2d_demo.mp4"


def _media(work: Path) -> tuple[Path, bytes, str]:
    """A walking clip (a copy, since the upload is moved in) and a JPEG of one of its frames."""
    import cv2

    clip = work / "walk.mp4"
    if CLIP.exists():
        shutil.copyfile(CLIP, clip)
        source = "Sports2D demo clip"
    else:
        from tests.web.motion_media import video_bytes

        clip.write_bytes(video_bytes())
        source = "synthetic clip (tests.web.motion_media)"
    cap = cv2.VideoCapture(str(clip))
    cap.set(cv2.CAP_PROP_POS_MSEC, 4000)
    ok, frame = cap.read()
    if not ok:
        cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        ok, frame = cap.read()
    cap.release()
    if not ok:
        raise RuntimeError("no frame could be read from the clip")
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return clip, jpeg.tobytes(), source


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def measure() -> dict[str, Any]:
    """Run inside a process whose DATABASE_URL and TAUT_DATA_DIR point at an empty database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from taut import demo
    from taut.access.models import Clinic, User
    from taut.access.scoping import clinic_scope, unscoped
    from taut.audit.context import update as audit_context
    from taut.clients.models import Client
    from taut.demo import course
    from taut.motion import gait, jobs, posture
    from taut.privacy.export import export_client

    load_start = os.getloadavg()[0]
    call_command("migrate", verbosity=0)
    demo.load()
    work = Path(tempfile.mkdtemp(prefix="taut-bench-export-"))
    with unscoped():
        clinic = Clinic.objects.get(slug=course.CLINIC)
    user = User.objects.get(username=course.PRACTITIONER)
    role = "practitioner"
    with clinic_scope(clinic), audit_context(clinic=clinic, user=user):
        client = Client.objects.get(given_name=course.GIVEN, family_name=course.FAMILY)
        visit = client.visits.filter(kind="reassessment").order_by("-date").first() or client.visits.first()
        clip, jpeg, source = _media(work)
        for view in ("front", "right"):
            posture.do_add_photo(visit, view, jpeg, user, role, by_hand=True)
        video = gait.do_add_video(visit, "sagittal", clip, user, role)
        t = time.perf_counter()
        outcome = jobs.run_analysis(video.pk)
        analysis_s = time.perf_counter() - t
        times, copies = [], []
        files = size = 0
        for n in range(EXPORT_REPEATS):
            out = work / f"export-{n}"
            t = time.perf_counter()
            export_client(client, out, user)
            times.append(time.perf_counter() - t)
            files, size = _size(out)
            t = time.perf_counter()
            shutil.copytree(out, work / f"copy-{n}")
            copies.append(time.perf_counter() - t)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "vendor": connection.vendor,
        "source": source,
        "analysis": outcome,
        "analysis_s": analysis_s,
        "files": files,
        "bytes": size,
        "times": times,
        "copies": copies,
        "load_start": load_start,
        "load_end": os.getloadavg()[0],
    }


def _run(database_url: str | None) -> dict[str, Any]:
    return run_measure_process("benchmarks.export", database_url, timeout=1800)


def _row(label: str, r: dict[str, Any]) -> str:
    median, worst = statistics.median(r["times"]), max(r["times"])
    copy = statistics.median(r["copies"])
    return (
        f"| {label} | {r['files']} files, {r['bytes'] / 2**20:.1f} MiB | {median:.2f} | {worst:.2f} "
        f"| {copy:.3f} | {median / max(copy, 1e-6):,.0f}× | {r['analysis']} in {r['analysis_s']:.1f} s "
        f"| {r['load_start']:.1f} / {r['load_end']:.1f} | {'met' if worst < GOAL_S else '**not met**'} |"
    )


def client_export() -> str:
    """The demo client's export on SQLite and on PostgreSQL; return the markdown section."""
    lines = [
        "### A client's full export (demo client with two photos and a video)",
        "",
        "`export_client` on the demo's course-of-care client after two posture photos and a walking "
        f"video were added through the services and the gait analysis ran; {EXPORT_REPEATS} exports each. "
        "Reference in the same run: copying the finished export folder (shutil.copytree). Goal: under "
        f"{GOAL_S:g} s.",
        "",
        "| Database | Export | median s | max s | copy of the same files, s | ratio | gait analysis "
        "| load (1 min) start / end | goal |",
        "|---|---|---:|---:|---:|---:|---|---|---|",
    ]
    for label, url in (("SQLite", None), ("PostgreSQL", _postgres_url())):
        try:
            r = _run(url)
            lines.append(_row(label, r))
        except Exception as exc:  # a database that cannot be measured is reported, not fatal
            lines.append(f"| {label} | not measured: {type(exc).__name__}: {str(exc)[:300]} |||||||| |")
    source = r["source"] if "r" in locals() else "unknown"
    lines += ["", f"Video: {source}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        print(json.dumps(measure()))
    else:
        print(client_export())
