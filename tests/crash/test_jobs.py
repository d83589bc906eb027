"""Background jobs survive a killed worker (security item 27).

A real walking video (the Sports2D demo, fetched from PyPI and never committed) is uploaded
through the service, which queues its analysis on commit. A worker (`taut worker`) starts it;
the test SIGKILLs the worker mid-job, waits until the job's heartbeat is stale, and starts a new
worker. The new worker takes the job over: there is then exactly one result, the video is done,
its report has metrics, and exactly one "analysed" audit entry exists.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crash import harness
from tests.media_files import media

pytestmark = pytest.mark.slow
STALE_SECONDS = 3


@pytest.fixture
def target(tmp_path: Path) -> Iterator[dict[str, str]]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        with harness.postgres_target(url, tmp_path) as env:
            env["TAUT_JOB_STALE_SECONDS"] = str(STALE_SECONDS)
            yield env
    else:
        with harness.sqlite_target(tmp_path) as env:
            env["TAUT_JOB_STALE_SECONDS"] = str(STALE_SECONDS)
            yield env


def _driver(env: dict[str, str], *args: str, ok: tuple[int, ...] = (0,)) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tests.crash.job_driver", *args],
        env=env,
        cwd=harness.REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in ok, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "taut.cli", "worker"],
        env=env,
        cwd=harness.REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_a_job_killed_mid_way_is_finished_once_by_the_next_worker(target: dict[str, str]) -> None:
    """SIGKILL the worker while it analyses; after a restart the job ends done, once, with one result."""
    video = media("sports2d_demo")
    if video is None:
        pytest.skip("the Sports2D demo video could not be fetched from PyPI (no network?)")
    video_id = _driver(target, "setup", str(video))
    first = _worker(target)
    try:
        state = json.loads(_driver(target, "wait", video_id, "--until", "running", "--progress", "0.1"))
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert state["status"] == "running"
    assert not state["has_report"]
    time.sleep(STALE_SECONDS + 1)
    second = _worker(target)
    try:
        state = json.loads(_driver(target, "wait", video_id, "--until", "done"))
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    assert state["status"] == "done", state
    assert state["has_report"]
    assert state["metrics"] > 0
    assert state["attempts"] == 2
    assert state["analysed_entries"] == 1
