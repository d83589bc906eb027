"""Refuse to run on a database whose settings could lose acknowledged writes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created

SQLITE_REQUIRED = {"synchronous": 2, "foreign_keys": 1}
POSTGRES_REQUIRED = {"fsync": "on", "synchronous_commit": ("on", "remote_write", "remote_apply")}


def check_connection(connection: Any) -> None:
    """Raise ImproperlyConfigured when the live connection is not durable."""
    raw = connection.connection
    if connection.vendor == "sqlite":
        mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal" and not connection.is_in_memory_db():
            raise ImproperlyConfigured(f"SQLite journal_mode is {mode!r}; Taut needs 'wal'.")
        for pragma, wanted in SQLITE_REQUIRED.items():
            value = raw.execute(f"PRAGMA {pragma}").fetchone()[0]
            if value != wanted:
                raise ImproperlyConfigured(f"SQLite PRAGMA {pragma} is {value}; Taut needs {wanted}.")
    elif connection.vendor == "postgresql":
        with raw.cursor() as cur:
            cur.execute("SHOW fsync")
            fsync = cur.fetchone()[0]
            cur.execute("SHOW synchronous_commit")
            sync = cur.fetchone()[0]
        if fsync != "on" or sync not in POSTGRES_REQUIRED["synchronous_commit"]:
            raise ImproperlyConfigured(
                f"PostgreSQL fsync={fsync}, synchronous_commit={sync}: turn both on "
                "so an acknowledged write survives a crash."
            )


def _on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
    check_connection(connection)


def connect() -> None:
    connection_created.connect(_on_connect, dispatch_uid="taut-durability")
