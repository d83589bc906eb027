"""Restore a backup into a new place and prove it came back whole.

The target is a new data folder (SQLite) or a database URL (PostgreSQL, with the media going to
a new folder). Taut never restores over data: a target that holds anything is refused. The
restore is written into a staging place, then checked: SQLite's integrity check, the row count
of every table against the manifest, the SHA-256 of every file, and the audit chain walked by
`taut.audit.service.verify` in a process configured for the restored database. Only when every
check holds is the staging moved into place (and the restore recorded in the restored audit
log); otherwise what was restored is removed and the target keeps a RESTORE-FAILED.txt saying
what differed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import InvalidToken

from taut.privacy.backup import (
    CHUNK,
    MANIFEST,
    PG_FILE,
    SQLITE_FILE,
    BackupError,
    Sealer,
    decrypt_chunks,
    manifest_digest,
    pg_conninfo,
    pg_counts,
    pg_env,
    pg_tool,
    sqlite_counts,
)

STAGING = ".restoring"
FAILED = "RESTORE-FAILED.txt"
SQLITE_NAME = "taut.sqlite3"


class RestoreFailed(BackupError):
    """The restored copy does not match its manifest; `problems` says where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The restore did not pass its checks:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@dataclass
class Report:
    """What a successful restore brought back."""

    target: str
    media: Path
    tables: int
    rows: int
    files: int
    audit_entries: int
    notes: list[str] = field(default_factory=list)


def read_manifest(backup_dir: Path, passphrase: str | None) -> tuple[dict[str, Any], Sealer | None]:
    """The manifest's contents (unsealed with the passphrase when the backup is encrypted)."""
    path = backup_dir / MANIFEST
    if not path.is_file():
        raise BackupError(f"{backup_dir} is not a Taut backup: it has no {MANIFEST}.")
    try:
        outer = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"The manifest of {backup_dir} is not valid JSON (damaged or altered): {exc}") from None
    if not isinstance(outer, dict) or outer.get("format") != 1:
        raise BackupError(f"The manifest of {backup_dir} is not in a format this Taut reads.")
    if not outer.get("encrypted"):
        if outer.get("manifest_sha256") != manifest_digest(outer):
            raise BackupError("The manifest was altered after the backup was made (its checksum does not match).")
        return outer, None
    if not passphrase:
        raise BackupError("This backup is encrypted: give its passphrase with --passphrase-file.")
    try:
        sealer = Sealer.derive(passphrase, dict(outer["encryption"]))
        expected = str(outer["key_check"])
        sealed = str(outer["sealed"]).encode()
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"The manifest's encryption details are damaged or altered ({exc}).") from None
    if not hmac.compare_digest(sealer.key_check, expected):
        raise BackupError("Wrong passphrase: it does not open this backup. Nothing was restored.")
    try:
        body = json.loads(sealer.fernet.decrypt(sealed))
    except InvalidToken:
        raise BackupError("The manifest was altered after the backup was made (its seal does not hold).") from None
    return body, sealer


def _is_url(into: str) -> bool:
    return "://" in into


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


def _empty_dir(path: Path, what: str) -> None:
    """Refuse a target that holds anything but the note of an earlier failed restore (which goes)."""
    if path.exists() and (not path.is_dir() or any(p.name != FAILED for p in path.iterdir())):
        raise BackupError(f"{path} is not empty; restore into a new {what} (Taut never restores over existing data).")
    (path / FAILED).unlink(missing_ok=True)


def _unpack(src: Path, dest: Path, sealer: Sealer | None) -> str:
    """Write one stored file out (decrypted when needed); return the SHA-256 of what was written."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with src.open("rb") as fin, dest.open("wb") as fout:
        blocks = decrypt_chunks(fin, sealer) if sealer else iter(lambda: fin.read(CHUNK), b"")
        for block in blocks:
            digest.update(block)
            fout.write(block)
        fout.flush()
        os.fsync(fout.fileno())
    return digest.hexdigest()


def _unpack_all(
    backup_dir: Path, files: list[dict[str, Any]], sealer: Sealer | None, db_dest: Path, media_dest: Path
) -> list[str]:
    """Unpack the database and media; return the files that are missing, unreadable or differ."""
    problems: list[str] = []
    for entry in files:
        name, stored = str(entry["name"]), backup_dir / str(entry["stored"])
        if not name.startswith("media/") and name not in (SQLITE_FILE, PG_FILE):
            problems.append(f"{name}: not a file a backup holds (manifest altered)")
            continue
        dest = db_dest if not name.startswith("media/") else media_dest / name.removeprefix("media/")
        if ".." in Path(name).parts or not stored.resolve().is_relative_to(backup_dir.resolve()):
            problems.append(f"{name}: a path outside the backup (manifest altered)")
            continue
        if not stored.is_file():
            problems.append(f"{name}: missing from the backup")
            continue
        try:
            digest = _unpack(stored, dest, sealer)
        except (InvalidToken, BackupError) as exc:
            problems.append(f"{name}: cannot be decrypted, it was altered or damaged ({exc or 'bad chunk'})")
            continue
        if digest != entry["sha256"]:
            problems.append(f"{name}: checksum differs from the manifest (altered or damaged)")
        elif dest.stat().st_size != entry["size"]:
            problems.append(f"{name}: size {dest.stat().st_size} differs from the manifest's {entry['size']}")
    return problems


def _compare_counts(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want != got:
            problems.append(f"table {table}: {got} rows restored, the manifest says {want}")
    return problems


def _child_check(env_overrides: dict[str, str], record: str | None) -> tuple[list[str], int]:
    """Walk the audit chain of the restored database in a process configured for it."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MEDIA_ROOT", "TAUT_DATA_DIR"}}
    env.update(DJANGO_SETTINGS_MODULE="taut.web.settings", SECRET_KEY=secrets.token_urlsafe(40), **env_overrides)
    args = [sys.executable, "-m", "taut.privacy.restore", "check"] + (["--record", record] if record else [])
    # This Python running this module: no untrusted program or argument.
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600, check=False)  # noqa: S603
    if result.returncode != 0:
        return [f"the audit check could not run: {result.stderr.strip()[-2000:]}"], 0
    state = json.loads(result.stdout.strip().splitlines()[-1])
    return [f"audit chain: {p}" for p in state["problems"]], int(state["entries"])


def restore(
    backup_dir: str | Path, into: str | Path, passphrase: str | None = None, media_into: str | Path | None = None
) -> Report:
    """Restore `backup_dir` into a new data folder or an empty database, check it, and report."""
    source = Path(backup_dir).resolve()
    body, sealer = read_manifest(source, passphrase)
    vendor = body["database"]["vendor"]
    files: list[dict[str, Any]] = list(body["files"])
    expected: dict[str, int] = {str(k): int(v) for k, v in body["tables"].items()}
    label = f"{source.name} (made {body['created_at']})"
    if _is_url(str(into)):
        if vendor != "postgresql":
            raise BackupError("This backup holds a SQLite database: restore it into a new data folder, not a URL.")
        if media_into is None:
            raise BackupError("Name a new folder for the media with --media-into when restoring into a database URL.")
        return _restore_postgres(source, str(into), Path(media_into).resolve(), files, expected, sealer, label)
    if vendor != "sqlite":
        raise BackupError("This backup holds a PostgreSQL dump: restore it into an empty database URL.")
    return _restore_sqlite(source, Path(into).resolve(), files, expected, sealer, label)


def _restore_sqlite(
    source: Path, target: Path, files: list[dict[str, Any]], expected: dict[str, int], sealer: Sealer | None, label: str
) -> Report:
    _empty_dir(target, "data folder")
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    stage = target / STAGING
    stage.mkdir(mode=0o700)
    db_path, media = stage / SQLITE_NAME, stage / "media"
    media.mkdir()
    try:
        problems = _unpack_all(source, files, sealer, db_path, media)
        entries = 0
        if db_path.is_file():
            conn = sqlite3.connect(db_path)
            try:
                check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
                if check != ["ok"]:
                    problems.append(f"SQLite integrity check: {check[:5]}")
                found = sqlite_counts(conn)
            except sqlite3.DatabaseError as exc:
                problems.append(f"the database cannot be read: {exc}")
                found = {}
            finally:
                conn.close()
            problems += _compare_counts(expected, found)
        if not problems:
            overrides = {"DATABASE_URL": f"sqlite:///{db_path}", "TAUT_DATA_DIR": str(stage), "MEDIA_ROOT": str(media)}
            chain, entries = _child_check(overrides, label)
            problems += chain
        if problems:
            raise RestoreFailed(problems)
        for part in stage.iterdir():
            part.rename(target / part.name)
        stage.rmdir()
    except BaseException as exc:
        shutil.rmtree(stage, ignore_errors=True)
        reason = "\n".join(exc.problems) if isinstance(exc, RestoreFailed) else f"{type(exc).__name__}: {exc}"
        (target / FAILED).write_text(f"Restore of {label} failed; nothing was kept.\n{reason}\n")
        raise
    return Report(str(target), target / "media", len(expected), sum(expected.values()), len(files), entries)


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise BackupError("The database URL names no database; add one, e.g. postgres://user@host/taut_restored.")
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), name


def _restore_postgres(
    source: Path,
    url: str,
    media_target: Path,
    files: list[dict[str, Any]],
    expected: dict[str, int],
    sealer: Sealer | None,
    label: str,
) -> Report:
    import dj_database_url
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(url)
    db = dict(dj_database_url.parse(url))
    _empty_dir(media_target, "media folder")
    created = False
    try:
        with psycopg.connect(**pg_conninfo(db)) as conn, conn.cursor() as cur:
            if pg_counts(cur):
                raise BackupError(
                    f"The database {name} already holds tables; restore into a new, empty database "
                    "(Taut never restores over existing data)."
                )
    except psycopg.OperationalError as exc:
        if f'database "{name}" does not exist' not in str(exc):
            raise BackupError(f"Cannot connect to {_redact(url)}: {exc}") from None
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as create_exc:
            raise BackupError(f"Cannot create the database {name}: {create_exc}") from None
        created = True
    media_target.mkdir(parents=True, exist_ok=True, mode=0o700)
    stage = media_target / STAGING
    stage.mkdir(mode=0o700)
    media = stage / "media"
    media.mkdir()
    try:
        with tempfile.TemporaryDirectory(dir=stage) as tmp:
            dump = Path(tmp) / PG_FILE
            problems = _unpack_all(source, files, sealer, dump, media)
            if not problems:
                result = subprocess.run(  # noqa: S603 (pg_restore by its path, with our own arguments)
                    [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
                     f"--dbname={name}", str(dump)],
                    env=pg_env(db), capture_output=True, text=True, timeout=3600, check=False,
                )  # fmt: skip
                if result.returncode != 0:
                    problems.append(f"pg_restore failed: {result.stderr.strip()[-2000:]}")
        entries = 0
        if not problems:
            with psycopg.connect(**pg_conninfo(db)) as conn, conn.cursor() as cur:
                problems += _compare_counts(expected, pg_counts(cur))
        if not problems:
            overrides = {"DATABASE_URL": url, "TAUT_DATA_DIR": str(stage), "MEDIA_ROOT": str(media)}
            chain, entries = _child_check(overrides, label)
            problems += chain
        if problems:
            raise RestoreFailed(problems)
        for part in media.iterdir():
            part.rename(media_target / part.name)
        shutil.rmtree(stage)
    except BaseException as exc:
        shutil.rmtree(stage, ignore_errors=True)
        _drop_restored(admin, db, name, created)
        reason = "\n".join(exc.problems) if isinstance(exc, RestoreFailed) else f"{type(exc).__name__}: {exc}"
        (media_target / FAILED).write_text(
            f"Restore of {label} into {_redact(url)} failed; the restored tables were removed.\n{reason}\n"
        )
        raise
    return Report(_redact(url), media_target, len(expected), sum(expected.values()), len(files), entries)


def _drop_restored(admin: str, db: dict[str, Any], name: str, created: bool) -> None:
    """Leave a PostgreSQL target as it was: drop the database made for it, or empty the one given."""
    import psycopg
    from psycopg import sql

    if created:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        return
    with psycopg.connect(**pg_conninfo(db)) as conn, conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE")
        cur.execute("CREATE SCHEMA public")


def _check_main(record: str | None) -> None:
    """In a process whose settings name the restored database: verify the chain, then note the restore."""
    import django

    django.setup()
    from django.db import transaction

    from taut.access.scoping import unscoped
    from taut.audit import service
    from taut.audit.context import update
    from taut.audit.models import AuditEntry

    problems = [f"entry {p.entry_id}: {p.what}" for p in service.verify()]
    if not problems and record:
        with update(channel="cli"), transaction.atomic():
            service.record("restore", object_type="backup", object_id=record[:64], detail={"backup": record})
        problems = [f"entry {p.entry_id}: {p.what}" for p in service.verify()]
    with unscoped():
        entries = AuditEntry.objects.count()
    sys.stdout.write(json.dumps({"problems": problems, "entries": entries}) + "\n")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["check"])
    parser.add_argument("--record", default=None)
    _check_main(parser.parse_args().record)
