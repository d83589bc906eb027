"""Start a real `taut serve` with the demo clinics on a free loopback port, in a throwaway database.

Used by the load benchmark, the README screenshots and the browser tests (tests/e2e). The audit
table is append-only (triggers refuse UPDATE, DELETE and TRUNCATE), so nothing here flushes a
database: each server gets a fresh temporary data folder with its own SQLite file or, when
DATABASE_URL names PostgreSQL, a fresh database in the same PostgreSQL server, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

BIN = Path(sys.executable).parent
TAUT = str(BIN / "taut")


_SERVERS: dict[int, subprocess.Popen[bytes]] = {}  # port -> running `taut serve`


class ServerError(RuntimeError):
    """The demo server could not be prepared or did not come up."""


@dataclass(frozen=True)
class DemoServer:
    base_url: str
    port: int
    env: dict[str, str]
    engine: str  # "sqlite" or "postgresql"
    data_dir: Path
    log_path: Path

    def problem(self) -> str:
        """Why the server is not running (with the end of its log), or "" while it runs."""
        code = _SERVERS[self.port].poll() if self.port in _SERVERS else None
        if code is None:
            return ""
        return f"taut serve on port {self.port} has exited with {code}:\n{self.log_path.read_text()[-3000:]}"

    def taut(self, *args: str) -> str:
        """Run a `taut` command against this server's database and return its output."""
        done = subprocess.run([TAUT, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise ServerError(f"taut {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout


def is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(str(url)).scheme in {"postgres", "postgresql", "pgsql"}


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin_connect(url: str) -> psycopg.Connection[Any]:
    import psycopg

    return psycopg.connect(_with_database(url, "postgres"), autocommit=True)


def create_postgres_database(url: str) -> tuple[str, str]:
    """Create an empty database next to the one `url` names; return its name and URL."""
    name = "taut_tmp_" + secrets.token_hex(6)
    with _admin_connect(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, _with_database(url, name)


def drop_postgres_database(url: str, name: str) -> None:
    with _admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"taut serve exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 (loopback URL)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise ServerError(f"taut serve did not answer /healthz within {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # gunicorn's master stops its workers gracefully
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextmanager
def demo_server(
    database_url: str | None = None,
    *,
    workers: int | None = 1,
    threads: int | None = None,
    startup_timeout: float = 90.0,
) -> Iterator[DemoServer]:
    """Load the demo into a new database, serve it on 127.0.0.1, and clean everything up afterwards.

    `database_url` is a PostgreSQL URL (a temporary database is created in that server) or None
    for SQLite in the temporary data folder. `workers` and `threads` left as None keep the
    defaults of `taut serve`.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="taut-server-"))
    log_path = data_dir / "server.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TAUT_ACCESS_LOG", "TAUT_DEPLOY"}}
    env.update(TAUT_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    pg_name = ""
    proc: subprocess.Popen[bytes] | None = None
    port = 0
    try:
        if database_url and is_postgres(database_url):
            pg_name, env["DATABASE_URL"] = create_postgres_database(database_url)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = DemoServer(base_url, port, env, "postgresql" if pg_name else "sqlite", data_dir, log_path)
        server.taut("demo")
        command = [TAUT, "serve", "--host", "127.0.0.1", "--port", str(port)]
        if workers is not None:
            command += ["--workers", str(workers)]
        if threads is not None:
            command += ["--threads", str(threads)]
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        _SERVERS[port] = proc
        _wait_healthy(base_url, proc, log_path, startup_timeout)
        yield server
    finally:
        if proc is not None:
            _stop(proc)
            _SERVERS.pop(port, None)
        if pg_name and database_url:
            drop_postgres_database(database_url, pg_name)
        shutil.rmtree(data_dir, ignore_errors=True)


def run_measure_process(module: str, database_url: str | None, *, timeout: int = 3600) -> dict[str, Any]:
    """Run ``python -m MODULE measure`` in a new process on an empty database (a temporary data
    folder; on PostgreSQL a temporary database of the server ``database_url`` names) and return
    the JSON it prints last."""
    import json

    data_dir = tempfile.mkdtemp(prefix="taut-bench-")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(TAUT_DATA_DIR=data_dir, PYTHONUNBUFFERED="1")
    pg_name = ""
    try:
        if database_url:
            pg_name, env["DATABASE_URL"] = create_postgres_database(database_url)
        done = subprocess.run(
            [sys.executable, "-m", module, "measure"],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"exit {done.returncode}: {done.stderr[-1500:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if pg_name and database_url:
            drop_postgres_database(database_url, pg_name)
        shutil.rmtree(data_dir, ignore_errors=True)
