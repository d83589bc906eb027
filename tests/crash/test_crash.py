"""Crash harness: no acknowledged write is lost and none is partial after `kill -9` (item 8).

Each cycle starts 8 writer processes (tests/crash/writer.py) that create clients through
`taut.clients.services.do_create_client` and print each id only after its commit. The harness
SIGKILLs them all at a random moment, then checks that every acknowledged id exists, that no
client row lacks its "create" audit entry, that `taut.audit.service.verify()` finds nothing and
(SQLite) that `PRAGMA integrity_check` is ok. The database is a temporary SQLite file, or a
temporary PostgreSQL database when DATABASE_URL points at PostgreSQL (created with psycopg and
dropped afterwards).

`make test` runs 3 cycles to stay fast; CI (.ci/run) also runs the full length the security
requirements ask for, 20 cycles x 8 writers, on each database:

    TAUT_CRASH_CYCLES=20 make test
    TAUT_CRASH_CYCLES=20 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make test

A broken writer (durability switched off, acknowledging before its commit, and rolling back
every third acknowledged write) must fail the same check, which shows that the check can see
lost writes.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crash import harness

pytestmark = pytest.mark.slow

WRITERS = 8
CYCLES = int(os.environ.get("TAUT_CRASH_CYCLES", "3"))


@pytest.fixture
def target(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh, migrated database of the kind this run uses (PostgreSQL if DATABASE_URL says so)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        with harness.postgres_target(url, tmp_path) as env:
            yield env
    else:
        with harness.sqlite_target(tmp_path) as env:
            yield env


def test_acknowledged_writes_survive_kill_9(target: dict[str, str]) -> None:
    """After every SIGKILL cycle, all acknowledged clients exist with their audit entries, intact."""
    clinic_id = harness.setup(target)
    rng = random.Random(random.randrange(2**32))
    acknowledged: set[tuple[int, str]] = set()
    for cycle in range(1, CYCLES + 1):
        acknowledged |= harness.run_cycle(target, clinic_id, writers=WRITERS, rng=rng)
        report = harness.check(target, acknowledged)
        assert report.problems == [], f"cycle {cycle}: {report.problems}"
        assert report.rows >= report.acknowledged
    assert len(acknowledged) >= WRITERS * CYCLES


def test_broken_writer_is_caught(target: dict[str, str]) -> None:
    """A writer that acknowledges before committing loses acknowledged writes, and the check says so."""
    clinic_id = harness.setup(target)
    acknowledged = harness.run_cycle(target, clinic_id, writers=WRITERS, rng=random.Random(1), broken=True, min_acks=3)
    report = harness.check(target, acknowledged)
    assert any("acknowledged client(s) lost" in p for p in report.problems), report.problems
    assert report.rows < report.acknowledged
