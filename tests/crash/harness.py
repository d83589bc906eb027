"""Start writers, SIGKILL them at a random moment, then check what they acknowledged."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 120.0


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TAUT_DATA_DIR", "PYTEST_XDIST_WORKER"}}
    env["DJANGO_SETTINGS_MODULE"] = "taut.web.settings"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextmanager
def sqlite_target(folder: Path) -> Iterator[dict[str, str]]:
    env = _base_env()
    env["TAUT_DATA_DIR"] = str(folder)
    yield env


@contextmanager
def postgres_target(url: str, folder: Path) -> Iterator[dict[str, str]]:
    """A new, empty PostgreSQL database on the server of `url`, dropped afterwards."""
    import psycopg

    parts = urlsplit(url)
    name = f"taut_crash_{uuid.uuid4().hex[:12]}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = _base_env()
    env["TAUT_DATA_DIR"] = str(folder)
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    env["CONN_MAX_AGE"] = "0"
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tests.crash.writer", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"writer {args[0]} failed:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


def setup(env: dict[str, str]) -> int:
    """Migrate the new database and create the clinic the writers use."""
    return int(_run(env, "setup"))


@dataclass
class _Writer:
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def read(self) -> None:
        assert self.process.stdout is not None
        with self.process.stdout:
            for line in self.process.stdout:
                self.lines.append(line)

    @property
    def ready(self) -> bool:
        return "ready\n" in self.lines

    @property
    def acked(self) -> list[tuple[int, str]]:
        # Only whole lines count: a line cut off by the kill was never acknowledged.
        whole = [line.split() for line in list(self.lines) if line.startswith("ack ") and line.endswith("\n")]
        return [(int(parts[1]), parts[2]) for parts in whole]


def run_cycle(
    env: dict[str, str], clinic_id: int, *, writers: int, rng: random.Random, broken: bool = False, min_acks: int = 1
) -> set[tuple[int, str]]:
    """Start the writers, wait until each acknowledged `min_acks` writes, kill all at a random moment."""
    started: list[_Writer] = []
    try:
        for n in range(writers):
            args = ["write", "--clinic", str(clinic_id), "--writer", str(n)] + (["--broken"] if broken else [])
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.crash.writer", *args],
                env=env,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            writer = _Writer(process)
            writer.reader = threading.Thread(target=writer.read, daemon=True)
            writer.reader.start()
            started.append(writer)
        deadline = time.monotonic() + READY_TIMEOUT
        while not all(w.ready and len(w.acked) >= min_acks for w in started):
            dead = [w for w in started if w.process.poll() is not None]
            if dead:
                raise RuntimeError(f"a writer exited early with status {dead[0].process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("writers did not start writing in time")
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.8))
    finally:
        for w in started:
            if w.process.poll() is None:
                os.kill(w.process.pid, signal.SIGKILL)
        for w in started:
            w.process.wait()
            if w.reader is not None:
                w.reader.join(timeout=10)
    acked: set[tuple[int, str]] = set()
    for w in started:
        acked.update(w.acked)
    return acked


@dataclass
class Report:
    acknowledged: int
    rows: int
    problems: list[str]


def check(env: dict[str, str], acknowledged: set[tuple[int, str]]) -> Report:
    """Every acknowledged id exists, every client has its audit entry, the chain and file are sound."""
    state = json.loads(_run(env, "check"))
    rows = {(int(pk), name) for pk, name in state["clients"]}
    clients, audited = {pk for pk, _ in rows}, set(state["audited"])
    problems: list[str] = []
    missing = sorted(acknowledged - rows)
    if missing:
        problems.append(f"{len(missing)} acknowledged client(s) lost, e.g. {missing[:5]}")
    unaudited = sorted(clients - audited)
    if unaudited:
        problems.append(f"{len(unaudited)} client row(s) without a create audit entry, e.g. {unaudited[:5]}")
    orphans = sorted(audited - clients)
    if orphans:
        problems.append(f"{len(orphans)} create audit entries for clients that do not exist, e.g. {orphans[:5]}")
    problems += [f"audit chain: {p}" for p in state["chain"]]
    if state["integrity"] is not None and state["integrity"] != ["ok"]:
        problems.append(f"integrity_check: {state['integrity'][:5]}")
    return Report(len(acknowledged), len(clients), problems)
