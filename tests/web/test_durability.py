"""Durable database settings are in force on a fresh connection, and unsafe ones are refused (item 9)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from taut.web import durability

REPO = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, sqlite3
import django
django.setup()
from django.db import connection, transaction
connection.ensure_connection()
raw = connection.connection
out = {p: raw.execute(f"PRAGMA {p}").fetchone()[0]
       for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
out["transaction_mode"] = connection.transaction_mode
out["name"] = str(connection.settings_dict["NAME"])
# An IMMEDIATE transaction takes the write lock at BEGIN, before any write.
with transaction.atomic():
    other = sqlite3.connect(out["name"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        out["second_writer_blocked"] = False
        other.rollback()
    except sqlite3.OperationalError as exc:
        out["second_writer_blocked"] = "locked" in str(exc)
    finally:
        other.close()
print(json.dumps(out))
"""


def _sqlite_probe(tmp_path: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="taut.web.settings", TAUT_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_fresh_sqlite_connection_uses_durable_pragmas(tmp_path: Path) -> None:
    """A new connection to a file database made with the project settings: WAL, FULL, FKs, busy timeout."""
    values = _sqlite_probe(tmp_path)
    assert values["journal_mode"] == "wal"
    assert values["synchronous"] == 2  # FULL
    assert values["foreign_keys"] == 1
    assert values["busy_timeout"] >= 5000
    assert values["name"].startswith(str(tmp_path))


def test_sqlite_transactions_are_immediate(tmp_path: Path) -> None:
    """Transactions start with BEGIN IMMEDIATE: the write lock is taken at once, not at the first write."""
    values = _sqlite_probe(tmp_path)
    assert values["transaction_mode"] == "IMMEDIATE"
    assert values["second_writer_blocked"] is True


class _FakeSqlite:
    """Just enough of a Django connection wrapper for check_connection, around a real sqlite3 file."""

    vendor = "sqlite"

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.connection = raw

    def is_in_memory_db(self) -> bool:
        return False


@contextmanager
def _sqlite_file(tmp_path: Path, *pragmas: str) -> Iterator[_FakeSqlite]:
    raw = sqlite3.connect(tmp_path / "probe.sqlite3")
    try:
        for pragma in pragmas:
            raw.execute(f"PRAGMA {pragma}")
        yield _FakeSqlite(raw)
    finally:
        raw.close()


SAFE = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON")


def test_check_connection_accepts_durable_sqlite(tmp_path: Path) -> None:
    """WAL + synchronous=FULL + foreign keys on passes the check."""
    with _sqlite_file(tmp_path, *SAFE) as conn:
        durability.check_connection(conn)


@pytest.mark.parametrize(
    ("pragmas", "named"),
    [
        (("journal_mode=WAL", "synchronous=OFF", "foreign_keys=ON"), "synchronous"),
        (("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"), "synchronous"),
        (("journal_mode=WAL", "synchronous=FULL", "foreign_keys=OFF"), "foreign_keys"),
        (("journal_mode=DELETE", "synchronous=FULL", "foreign_keys=ON"), "journal_mode"),
        (("journal_mode=MEMORY", "synchronous=OFF", "foreign_keys=ON"), "journal_mode"),
    ],
)
def test_check_connection_refuses_unsafe_sqlite(tmp_path: Path, pragmas: tuple[str, ...], named: str) -> None:
    """synchronous=OFF/NORMAL, foreign keys off or a non-WAL journal are refused, naming the setting."""
    with _sqlite_file(tmp_path, *pragmas) as conn, pytest.raises(ImproperlyConfigured, match=named):
        durability.check_connection(conn)


def test_django_refuses_to_open_an_unsafe_sqlite_database(tmp_path: Path, django_db_blocker: Any) -> None:
    """Startup refuses: a Django connection configured with synchronous=OFF fails as it connects."""
    base = dict(settings.DATABASES["default"])
    wrapper = DatabaseWrapper(
        {
            **base,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / "unsafe.sqlite3"),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=OFF;PRAGMA foreign_keys=ON"},
            "TEST": {},
        },
        alias="durability-probe",
    )
    try:
        with django_db_blocker.unblock(), pytest.raises(ImproperlyConfigured, match="synchronous"):
            wrapper.ensure_connection()
    finally:
        wrapper.close()


class _FakePgCursor:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.last = ""

    def __enter__(self) -> _FakePgCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute(self, sql: str) -> None:
        self.last = sql.split()[-1]

    def fetchone(self) -> tuple[str]:
        return (self.values[self.last],)


class _FakePg:
    vendor = "postgresql"

    def __init__(self, fsync: str, synchronous_commit: str) -> None:
        values = {"fsync": fsync, "synchronous_commit": synchronous_commit}
        self.connection = type("Raw", (), {"cursor": lambda _self: _FakePgCursor(values)})()


@pytest.mark.parametrize(
    ("fsync", "sync", "ok"),
    [
        ("on", "on", True),
        ("on", "remote_apply", True),
        ("off", "on", False),
        ("on", "off", False),
        ("on", "local", False),
    ],
)
def test_check_connection_on_postgresql_settings(fsync: str, sync: str, ok: bool) -> None:
    """PostgreSQL with fsync or synchronous_commit off is refused."""
    conn = _FakePg(fsync, sync)
    if ok:
        durability.check_connection(conn)
    else:
        with pytest.raises(ImproperlyConfigured, match="fsync"):
            durability.check_connection(conn)


@pytest.mark.django_db
def test_live_postgresql_has_fsync_and_synchronous_commit_on() -> None:
    """On the PostgreSQL run, the live server reports fsync and synchronous_commit on."""
    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL in this run")
    with connection.cursor() as cur:
        cur.execute("SHOW fsync")
        fsync = cur.fetchone()[0]
        cur.execute("SHOW synchronous_commit")
        sync = cur.fetchone()[0]
    assert fsync == "on"
    assert sync == "on"
    durability.check_connection(connection)
