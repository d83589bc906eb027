"""Back up the live workbench: a consistent database snapshot, the media folder and a manifest.

SQLite is copied through sqlite3's online backup API (never a file copy, which can tear a
database that is being written); PostgreSQL through `pg_dump --format=custom`, with the row
counts taken in the same snapshot as the dump. The manifest lists the row count of every table
and the size and SHA-256 of every file, so `restore` can prove that what came back is what went
in. With a passphrase every file is encrypted (Fernet, key from Scrypt with a random salt) and
the manifest's contents are sealed with the same key.

A backup is written into a folder whose name ends in `.partial` and renamed only when complete,
so a folder named `taut-backup-<time>` is always a whole backup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from taut import __version__

FORMAT = 1
PREFIX = "taut-backup-"
PARTIAL = ".partial"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
CHUNK = 1 << 20  # encrypted files are a sequence of Fernet tokens, one per MiB of plaintext
MAGIC = b"TAUTENC1"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
KEY_CHECK = b"taut backup key check"


class BackupError(Exception):
    """A backup or restore could not be made; the message says why and what to do."""


# --- encryption -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sealer:
    """The Fernet key derived from a passphrase and the parameters needed to derive it again."""

    fernet: Fernet
    key: bytes
    params: dict[str, Any]

    @classmethod
    def derive(cls, passphrase: str, params: dict[str, Any] | None = None) -> Sealer:
        if not passphrase:
            raise BackupError("The passphrase is empty; give a passphrase or leave encryption off.")
        params = params or {"scheme": "fernet-scrypt", "salt": base64.b64encode(os.urandom(16)).decode(), **SCRYPT}
        if params.get("scheme") != "fernet-scrypt":
            raise BackupError(f"This backup uses an encryption scheme Taut does not know: {params.get('scheme')!r}.")
        kdf = Scrypt(salt=base64.b64decode(params["salt"]), length=32, n=params["n"], r=params["r"], p=params["p"])
        key = kdf.derive(passphrase.encode())
        return cls(Fernet(base64.urlsafe_b64encode(key)), key, params)

    @property
    def key_check(self) -> str:
        """A value that shows whether a passphrase is the right one without revealing the key."""
        return hmac.new(self.key, KEY_CHECK, hashlib.sha256).hexdigest()


def _encrypt_stream(src: _Hashing, dst: BinaryIO, sealer: Sealer) -> None:
    dst.write(MAGIC)
    while block := src.read(CHUNK):
        token = sealer.fernet.encrypt(block)
        dst.write(struct.pack(">I", len(token)) + token)


def decrypt_chunks(src: BinaryIO, sealer: Sealer) -> Iterator[bytes]:
    """Yield the plaintext of an encrypted file; raises InvalidToken when a chunk was altered."""
    if src.read(len(MAGIC)) != MAGIC:
        raise BackupError("an encrypted file does not start with Taut's header (altered or not encrypted)")
    while head := src.read(4):
        if len(head) != 4:
            raise BackupError("an encrypted file ends in the middle of a chunk (truncated)")
        (size,) = struct.unpack(">I", head)
        token = src.read(size)
        if len(token) != size:
            raise BackupError("an encrypted file ends in the middle of a chunk (truncated)")
        yield sealer.fernet.decrypt(token)


# --- helpers ----------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def quote(name: str) -> str:
    """A table name as an SQL identifier (double quotes doubled), for the row counts."""
    return '"' + name.replace('"', '""') + '"'


def sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    query = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    names = [r[0] for r in conn.execute(query)]
    # The names come from the database's own catalogue and are quoted as identifiers.
    return {n: int(conn.execute(f"SELECT count(*) FROM {quote(n)}").fetchone()[0]) for n in names}  # noqa: S608


PG_TABLES = (
    "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename), schemaname || '.' || tablename "
    "FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 2"
)


def pg_counts(cur: Any) -> dict[str, int]:
    cur.execute(PG_TABLES)
    tables = cur.fetchall()
    counts: dict[str, int] = {}
    for quoted, name in tables:
        cur.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608 (quoted by PostgreSQL's quote_ident)
        counts[name] = int(cur.fetchone()[0])
    return counts


def pg_conninfo(db: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """psycopg connection keywords for a Django database settings dict."""
    info = {"dbname": name or db["NAME"], "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    if db.get("USER"):
        info["user"] = db["USER"]
    if db.get("PASSWORD"):
        info["password"] = db["PASSWORD"]
    return {k: v for k, v in info.items() if v is not None}


def pg_env(db: dict[str, Any]) -> dict[str, str]:
    """The environment pg_dump and pg_restore read their connection from (so no password is on argv)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def pg_tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if found is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools (postgresql-client).")
    return found


def manifest_digest(body: dict[str, Any]) -> str:
    """The SHA-256 of a manifest's contents without its own digest (shows an edited manifest)."""
    rest = {k: v for k, v in body.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(rest, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# --- the backup -------------------------------------------------------------------------------


def _snapshot_sqlite(db: dict[str, Any], dest: Path) -> dict[str, int]:
    source_path = Path(str(db["NAME"]))
    if not source_path.is_file():
        raise BackupError(f"There is no SQLite database at {source_path}; run `taut migrate` first.")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(dest)
    try:
        # One step (pages=-1): the whole database is copied under a single read transaction, which
        # in WAL mode does not block writers, and the copy is one consistent moment.
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        check = [r[0] for r in target.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            raise BackupError(f"The copy failed SQLite's integrity check: {check[:5]}")
        return sqlite_counts(target)
    finally:
        target.close()
        source.close()


def _snapshot_postgres(db: dict[str, Any], dest: Path) -> dict[str, int]:
    import psycopg

    pg_dump = pg_tool("pg_dump")
    try:
        return _dump_postgres(psycopg.connect(**pg_conninfo(db), autocommit=True), db, dest, pg_dump)
    except psycopg.Error as exc:
        raise BackupError(f"The database could not be read for the backup: {exc}") from None


def _dump_postgres(connection: Any, db: dict[str, Any], dest: Path, pg_dump: str) -> dict[str, int]:
    with connection as conn, conn.cursor() as cur:
        # Counts and dump read the same snapshot: export it from this transaction and hand it to pg_dump.
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        row = cur.fetchone()
        assert row is not None
        snapshot = row[0]
        counts = pg_counts(cur)
        result = subprocess.run(  # noqa: S603 (pg_dump by its path, with our own arguments)
            [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={dest}", str(db["NAME"])],
            env=pg_env(db),
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        cur.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return counts


class _Hashing:
    """A reader that hashes and counts what passes through it."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        block = self.fh.read(n)
        self.digest.update(block)
        self.size += len(block)
        return block


def _store(src: Path, dest: Path, sealer: Sealer | None) -> dict[str, Any]:
    """Copy (or encrypt) one file into the backup; return its plaintext size and SHA-256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with src.open("rb") as raw, dest.open("wb") as fout:
        fin = _Hashing(raw)
        if sealer is None:
            while block := fin.read(CHUNK):
                fout.write(block)
        else:
            _encrypt_stream(fin, fout, sealer)
        fout.flush()
        os.fsync(fout.fileno())
    return {"size": fin.size, "sha256": fin.digest.hexdigest()}


def make_backup(out_dir: str | Path, passphrase: str | None = None) -> Path:
    """Write a whole backup of the running workbench into a new folder under `out_dir`; return it."""
    from django.conf import settings

    db = dict(settings.DATABASES["default"])
    vendor = "sqlite" if db["ENGINE"] == "django.db.backends.sqlite3" else "postgresql"
    if vendor == "postgresql" and "postgresql" not in str(db["ENGINE"]):
        raise BackupError(f"Taut backs up SQLite and PostgreSQL only, not {db['ENGINE']}.")
    sealer = Sealer.derive(passphrase) if passphrase is not None else None
    out = Path(out_dir).resolve()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if out.is_relative_to(media_root):
        raise BackupError(f"{out} is inside the media folder {media_root}; keep backups somewhere else.")
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    name = PREFIX + started.strftime("%Y%m%dT%H%M%S%fZ")
    work = out / (name + PARTIAL)
    work.mkdir(mode=0o700)
    try:
        files: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            plain = Path(tmp) / "db"
            if vendor == "sqlite":
                counts, db_name = _snapshot_sqlite(db, plain), SQLITE_FILE
            else:
                counts, db_name = _snapshot_postgres(db, plain), PG_FILE
            stored = db_name + (".enc" if sealer else "")
            files.append({"name": db_name, "stored": stored, **_store(plain, work / stored, sealer)})
        # The media after the database: a photo uploaded meanwhile is an unreferenced extra file,
        # never a reference to a missing one.
        if media_root.is_dir():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                rel = "media/" + path.relative_to(media_root).as_posix()
                stored = rel + (".enc" if sealer else "")
                try:
                    files.append({"name": rel, "stored": stored, **_store(path, work / stored, sealer)})
                except FileNotFoundError:
                    continue  # deleted while the backup ran: the database no longer needs it
        body = {
            "format": FORMAT,
            "taut_version": __version__,
            "created_at": started.isoformat().replace("+00:00", "Z"),
            "finished_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "database": {"vendor": vendor, "file": db_name},
            "tables": counts,
            "files": files,
        }
        if sealer is None:
            manifest: dict[str, Any] = {**body, "encrypted": False}
            manifest["manifest_sha256"] = manifest_digest(manifest)
        else:
            sealed = sealer.fernet.encrypt(json.dumps(body, sort_keys=True).encode()).decode()
            manifest = {
                "format": FORMAT,
                "encrypted": True,
                "encryption": sealer.params,
                "key_check": sealer.key_check,
                "created_at": body["created_at"],
                "sealed": sealed,
            }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        _fsync(work / MANIFEST)
        final = out / name
        work.rename(final)
        _fsync(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _audit(name, sealer is not None, files, counts)
    return final


def _audit(name: str, encrypted: bool, files: list[dict[str, Any]], counts: dict[str, int]) -> None:
    """A backup is an export of every client's data: the live audit log says who made it and when."""
    from django.db import transaction

    from taut.audit import service as audit

    detail = {"encrypted": encrypted, "files": len(files), "rows": sum(counts.values())}
    with transaction.atomic():
        audit.record("backup", object_type="backup", object_id=name[:64], detail=detail)


def backups_in(folder: str | Path) -> list[Path]:
    """The complete backups in a folder, oldest first (names sort by time)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and p.name.startswith(PREFIX) and not p.name.endswith(PARTIAL) and (p / MANIFEST).is_file()
    )


def prune(folder: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` complete backups (and leftover partial ones); return what went."""
    if keep < 1:
        raise BackupError("--keep must be at least 1: pruning never deletes the newest backup.")
    complete = backups_in(folder)
    doomed = complete[: max(0, len(complete) - keep)]
    # A partial folder is a backup that was interrupted; one younger than a day may still be running.
    stale = datetime.now(UTC).timestamp() - 24 * 3600
    doomed += [
        p
        for p in Path(folder).iterdir()
        if p.is_dir() and p.name.startswith(PREFIX) and p.name.endswith(PARTIAL) and p.stat().st_mtime < stale
    ]
    for path in doomed:
        shutil.rmtree(path)
    return doomed
