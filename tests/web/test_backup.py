"""`taut backup` and `taut restore` run as a clinic owner runs them (security item 10, issue 15).

Every test drives the real CLI in subprocesses against a temporary installation: a temporary
data folder (SQLite), or a temporary PostgreSQL database when DATABASE_URL points at PostgreSQL
(created and dropped here, as the crash harness does). Clients are written by the crash
harness's writer processes (tests/crash/writer.py), which print each client's id only after its
commit, so "acknowledged before the backup began" is a fact the test can check. A restore goes
into a new data folder (SQLite) or a new database that the test names and drops (PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.crash import harness

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"
AUDIT_TABLE = "audit_auditentry"
MEDIA = {
    "photos/1/front.jpg": b"\xff\xd8\xff\xe0 a front photo " * 2000,
    "videos/1/gait.webm": os.urandom(300_000),
    "reports/1/posture report.pdf": b"%PDF-1.4 a posture report\n" * 50,
}


def _pg_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _admin(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))


def _pg_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(_admin(url), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


@dataclass
class Site:
    """A live installation: the environment its processes run with, and where its files are."""

    env: dict[str, str]
    data: Path
    clinic_id: int

    @property
    def media(self) -> Path:
        return self.data / "media"


@dataclass
class Target:
    """Where a restore goes: the --into value, the media folder, and an environment for the result."""

    into: str
    media: Path
    env: dict[str, str]
    scratch: Path  # the data folder of the process that runs the restore
    args: list[str] = field(default_factory=list)
    database: str | None = None  # the PostgreSQL database the restore creates

    def holds_anything(self) -> list[str]:
        """What a failed or refused restore left behind (empty when it left nothing)."""
        folder = Path(self.into) if self.database is None else self.media
        left = [p.name for p in folder.iterdir() if p.name != "RESTORE-FAILED.txt"] if folder.exists() else []
        url = _pg_url()
        if self.database is not None and url is not None and _pg_exists(url, self.database):
            left.append(f"database {self.database}")
        return left


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A migrated installation with one clinic and some media, on the database this run uses.

    One for the module (migrating takes seconds): the tests only add clients and backups to it.
    """
    data = tmp_path_factory.mktemp("site") / "live"
    url = _pg_url()
    if url:
        with harness.postgres_target(url, data) as env:
            yield _populate(env, data)
    else:
        with harness.sqlite_target(data) as env:
            yield _populate(env, data)


def _populate(env: dict[str, str], data: Path) -> Site:
    env = {**env, "SECRET_KEY": "a-test-secret-key-that-is-long-enough-for-django-0123456789"}
    clinic_id = harness.setup(env)
    for rel, content in MEDIA.items():
        path = data / "media" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return Site(env, data, clinic_id)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    """A restore target that does not exist yet; a PostgreSQL database made for it is dropped afterwards."""
    base = {k: v for k, v in harness._base_env().items() if k != "MEDIA_ROOT"}
    base["SECRET_KEY"] = "another-test-secret-key-for-the-restored-copy-0123456789"
    url = _pg_url()
    if url is None:
        folder = tmp_path / "restored"
        yield Target(str(folder), folder / "media", {**base, "TAUT_DATA_DIR": str(folder)}, tmp_path / "restorer")
        return
    name = f"taut_restore_{uuid.uuid4().hex[:12]}"
    restored = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    media = tmp_path / "restored-media"
    env = {**base, "TAUT_DATA_DIR": str(tmp_path / "restored-data"), "DATABASE_URL": restored, "CONN_MAX_AGE": "0"}
    env["MEDIA_ROOT"] = str(media)
    try:
        yield Target(restored, media, env, tmp_path / "restorer", ["--media-into", str(media)], name)
    finally:
        import psycopg

        with psycopg.connect(_admin(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def taut(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `taut` command line as a person would, in its own process."""
    return subprocess.run(
        [sys.executable, "-c", "from taut.cli import app; app()", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def backup(site: Site, out: Path, *extra: str) -> Path:
    result = taut(site.env, "backup", "--out", str(out), *extra)
    assert result.returncode == 0, result.stderr
    made = Path(result.stdout.split("Backup written to ", 1)[1].splitlines()[0].rstrip("."))
    made = Path(str(made).removesuffix(" (encrypted)"))
    assert made.is_dir(), result.stdout
    assert made.parent == out.resolve(), result.stdout
    return made


def restore(backup_dir: Path, target: Target, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in harness._base_env().items() if k != "MEDIA_ROOT"}
    env["SECRET_KEY"] = "the-restoring-process-secret-key-0123456789-abcdefghij"
    env["TAUT_DATA_DIR"] = str(target.scratch)
    return taut(env, "restore", str(backup_dir), "--into", target.into, *target.args, *extra)


def restored_counts(target: Target) -> dict[str, int]:
    """Every table's row count in the restored database, read here and not by the restore."""
    if target.database is None:
        conn = sqlite3.connect(Path(target.into) / "taut.sqlite3")
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
            names = [r[0] for r in rows]
            return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(target.into) as conn:
        tables = conn.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        return {
            f"{s}.{t}": conn.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]  # type: ignore[index]
            for s, t in tables
        }


def manifest(backup_dir: Path) -> dict[str, object]:
    return json.loads((backup_dir / "manifest.json").read_text())


def check_restored(target: Target, body: dict[str, object], result: subprocess.CompletedProcess[str]) -> None:
    """Row counts equal the manifest, media checksums match, and the restore says the chain verified."""
    assert result.returncode == 0, result.stderr + result.stdout
    assert "the audit chain" in result.stdout, result.stdout
    assert "all check out" in result.stdout, result.stdout
    tables = body["tables"]
    assert isinstance(tables, dict)
    assert tables
    found = restored_counts(target)
    # The restore notes itself in the restored audit log, after the counts were compared.
    audit = next(t for t in tables if t.endswith(AUDIT_TABLE))
    assert found[audit] == tables[audit] + 1
    assert {t: n for t, n in found.items() if t != audit} == {t: n for t, n in tables.items() if t != audit}
    files = body["files"]
    assert isinstance(files, list)
    media = {f["name"].removeprefix("media/"): f for f in files if f["name"].startswith("media/")}
    assert set(media) == set(MEDIA)
    for rel, entry in media.items():
        data = (target.media / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] == hashlib.sha256(MEDIA[rel]).hexdigest()
        assert len(data) == entry["size"]
    chain = json.loads(harness._run(target.env, "check"))
    assert chain["chain"] == []
    assert chain["integrity"] in (None, ["ok"])


class Writers:
    """Writer processes that keep creating clients and print each id after its commit."""

    def __init__(self, site: Site, count: int) -> None:
        self.writers: list[harness._Writer] = []
        for n in range(count):
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.crash.writer",
                    "write",
                    "--clinic",
                    str(site.clinic_id),
                    "--writer",
                    str(n),
                ],
                env=site.env,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            writer = harness._Writer(process)
            writer.reader = threading.Thread(target=writer.read, daemon=True)
            writer.reader.start()
            self.writers.append(writer)

    def acked(self) -> set[tuple[int, str]]:
        return {a for w in self.writers for a in w.acked}

    def wait_for(self, n: int) -> None:
        deadline = time.monotonic() + harness.READY_TIMEOUT
        while not all(len(w.acked) >= n for w in self.writers):
            assert all(w.process.poll() is None for w in self.writers), "a writer exited early"
            assert time.monotonic() < deadline, "the writers did not start writing in time"
            time.sleep(0.02)

    def stop(self) -> None:
        for w in self.writers:
            if w.process.poll() is None:
                w.process.kill()
        for w in self.writers:
            w.process.wait()
            if w.reader is not None:
                w.reader.join(timeout=10)


def test_backup_while_writing_restores_everything_acknowledged(site: Site, target: Target, tmp_path: Path) -> None:
    """Clients acknowledged before the backup began are all in the restored copy, which checks out."""
    writers = Writers(site, 2)
    try:
        writers.wait_for(5)
        before = writers.acked()
        made = backup(site, tmp_path / "backups")
        during = len(writers.acked()) - len(before)
    finally:
        writers.stop()
    assert during > 0, "the writers stopped writing while the backup ran"
    body = manifest(made)
    assert body["encrypted"] is False
    result = restore(made, target)
    check_restored(target, body, result)
    restored = {(int(pk), name) for pk, name in json.loads(harness._run(target.env, "check"))["clients"]}
    assert before <= restored, sorted(before - restored)[:5]
    # The live installation noted the backup in its own audit log.
    live = json.loads(harness._run(site.env, "check"))
    assert live["chain"] == []


def test_encrypted_backup_needs_its_passphrase(site: Site, target: Target, tmp_path: Path) -> None:
    """The right passphrase restores; a wrong one is refused clearly, with a non-zero exit, leaving nothing."""
    right, wrong = tmp_path / "right.txt", tmp_path / "wrong.txt"
    right.write_text(PASSPHRASE + "\n")
    wrong.write_text("not the passphrase\n")
    made = backup(site, tmp_path / "backups", "--passphrase-file", str(right))
    outer = manifest(made)
    assert outer["encrypted"] is True
    assert "tables" not in outer
    assert "files" not in outer
    for stored in made.rglob("*.enc"):
        raw = stored.read_bytes()
        assert b"a front photo" not in raw
        assert b"posture report" not in raw
        assert b"SQLite format" not in raw
        assert b"Crash clinic" not in raw

    refused = restore(made, target, "--passphrase-file", str(wrong))
    assert refused.returncode != 0
    assert "Wrong passphrase" in refused.stderr, refused.stderr
    assert target.holds_anything() == []
    assert not target.media.exists()

    missing = restore(made, target)
    assert missing.returncode != 0
    assert "encrypted" in missing.stderr
    assert "--passphrase-file" in missing.stderr

    # One altered byte in an encrypted file breaks its seal: nothing is restored.
    altered = _copy(made, tmp_path, "altered")
    video = altered / "media" / "videos" / "1" / "gait.webm.enc"
    raw = bytearray(video.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    video.write_bytes(bytes(raw))
    failed = restore(altered, target, "--passphrase-file", str(right))
    assert failed.returncode == 1, failed.stderr
    assert "videos/1/gait.webm: cannot be decrypted" in failed.stderr, failed.stderr
    assert target.holds_anything() == []

    result = restore(made, target, "--passphrase-file", str(right))
    body = json.loads(
        subprocess.run(
            [sys.executable, "-c", _UNSEAL, str(made), PASSPHRASE],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    check_restored(target, body, result)


_UNSEAL = """
import json, sys
from pathlib import Path
from taut.privacy.restore import read_manifest
print(json.dumps(read_manifest(Path(sys.argv[1]), sys.argv[2])[0]))
"""


def _copy(made: Path, tmp_path: Path, name: str) -> Path:
    copy = tmp_path / "copies" / name / made.name
    shutil.copytree(made, copy)
    return copy


def test_tampering_is_detected_and_nothing_is_left(site: Site, target: Target, tmp_path: Path) -> None:
    """An altered media file, an altered manifest or an altered encrypted file fails the restore cleanly."""
    made = backup(site, tmp_path / "backups")

    media = _copy(made, tmp_path, "media")
    photo = media / "media" / "photos" / "1" / "front.jpg"
    photo.write_bytes(photo.read_bytes().replace(b"front", b"frunt", 1))
    failed = restore(media, target)
    assert failed.returncode == 1, failed.stderr
    assert "photos/1/front.jpg: checksum differs" in failed.stderr, failed.stderr
    assert target.holds_anything() == []
    note = (target.media / "RESTORE-FAILED.txt") if target.database else Path(target.into) / "RESTORE-FAILED.txt"
    assert "front.jpg" in note.read_text()

    edited = _copy(made, tmp_path, "manifest")
    body = manifest(edited)
    tables = body["tables"]
    assert isinstance(tables, dict)
    first = sorted(tables)[0]
    tables[first] += 1
    (edited / "manifest.json").write_text(json.dumps(body, indent=2, sort_keys=True))
    failed = restore(edited, target)
    assert failed.returncode != 0
    assert "manifest was altered" in failed.stderr, failed.stderr
    assert target.holds_anything() == []

    # A manifest whose digest was recomputed after the edit still fails: the counts differ.
    forged = _copy(made, tmp_path, "forged")
    body = manifest(forged)
    tables = body["tables"]
    assert isinstance(tables, dict)
    tables[first] += 1
    from taut.privacy.backup import manifest_digest

    body["manifest_sha256"] = manifest_digest(body)
    (forged / "manifest.json").write_text(json.dumps(body, indent=2, sort_keys=True))
    failed = restore(forged, target)
    assert failed.returncode == 1, failed.stderr
    assert f"table {first}:" in failed.stderr, failed.stderr
    assert target.holds_anything() == []

    # The failures left only their note, so the same target still takes a good backup.
    check_restored(target, manifest(made), restore(made, target))


def test_restore_refuses_a_target_that_holds_data(site: Site, target: Target, tmp_path: Path) -> None:
    """A non-empty target is refused and left exactly as it was."""
    made = backup(site, tmp_path / "backups")
    target.media.mkdir(parents=True)
    keep = target.media / "someone else's file.txt"
    keep.write_text("not yours")
    refused = restore(made, target)
    assert refused.returncode == 2
    assert "is not empty" in refused.stderr
    assert "never restores over existing data" in refused.stderr
    assert [p.name for p in target.media.iterdir()] == [keep.name]
    assert keep.read_text() == "not yours"
    if target.database is not None:
        assert not _pg_exists(target.into, target.database)
        # The live database holds tables: restoring into it is refused and it stays whole.
        live = site.env["DATABASE_URL"]
        before = json.loads(harness._run(site.env, "check"))
        refused = taut(site.env, "restore", str(made), "--into", live, "--media-into", str(tmp_path / "m2"))
        assert refused.returncode == 2, refused.stderr
        assert "already holds tables" in refused.stderr
        assert json.loads(harness._run(site.env, "check")) == before
        assert not (tmp_path / "m2").exists()
    else:
        folder = tmp_path / "occupied"
        (folder / "data").mkdir(parents=True)
        refused = taut(site.env, "restore", str(made), "--into", str(folder))
        assert refused.returncode == 2
        assert "is not empty" in refused.stderr
        assert [p.name for p in folder.iterdir()] == ["data"]


def test_keep_leaves_the_newest_backups(site: Site, tmp_path: Path) -> None:
    """`--keep 2` on the third backup leaves the two newest; old interrupted ones go, a running one stays."""
    out = tmp_path / "backups"
    out.mkdir()
    stale = out / "taut-backup-20200101T000000000000Z.partial"
    young = out / "taut-backup-20200101T000000000001Z.partial"
    stale.mkdir()
    young.mkdir()
    old = time.time() - 3 * 24 * 3600
    os.utime(stale, (old, old))
    unrelated = out / "notes"
    unrelated.mkdir()
    made = [backup(site, out) for _ in range(2)]
    last = taut(site.env, "backup", "--out", str(out), "--keep", "2")
    assert last.returncode == 0, last.stderr
    newest = sorted(p for p in out.iterdir() if p.name.startswith("taut-backup-") and not p.name.endswith(".partial"))
    assert len(newest) == 2
    assert newest[0] == made[1]
    assert newest[1] not in made
    assert not made[0].exists()
    assert f"Deleted the older backup {made[0].name}." in last.stdout.splitlines()
    assert not stale.exists()
    assert young.exists()
    assert unrelated.exists()

    refused = taut(site.env, "backup", "--out", str(out), "--keep", "0")
    assert refused.returncode == 2
    assert "--keep must be at least 1" in refused.stderr
    assert sorted(p for p in out.iterdir() if p.name.startswith("taut-backup-") and p.suffix != ".partial") == newest
