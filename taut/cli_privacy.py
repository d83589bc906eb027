"""`taut backup` and `taut restore`: whole-installation backups that are proven by restoring them.

Registered on the main app in taut/cli.py::

    app.command("backup")(backup_command)    # after: from taut.cli_privacy import backup_command, restore_command
    app.command("restore")(restore_command)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, NoReturn

import typer


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()


def _passphrase(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8").rstrip("\r\n")
    except FileNotFoundError:
        _fail(f"No passphrase file at {path}.")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"Cannot read the passphrase file {path}: {exc}.")
    if not text:
        _fail(f"The passphrase file {path} is empty.")
    return text


PassphraseFile = Annotated[
    Path | None,
    typer.Option("--passphrase-file", help="A file whose first line is the passphrase (keep it readable only by you)."),
]


def backup_command(
    out: Annotated[Path, typer.Option("--out", help="The folder the backups are kept in (one subfolder each).")],
    keep: Annotated[
        int | None, typer.Option("--keep", help="Then delete all but the newest N backups in that folder.")
    ] = None,
    passphrase_file: PassphraseFile = None,
) -> None:
    """Back up the database and the media while the workbench runs, with a manifest of counts and checksums."""
    if keep is not None and keep < 1:
        _fail("--keep must be at least 1: pruning never deletes the newest backup.")
    passphrase = _passphrase(passphrase_file)
    _django()
    from taut.audit.context import update
    from taut.privacy.backup import BackupError, make_backup, prune

    try:
        with update(channel="cli"):
            made = make_backup(out, passphrase=passphrase)
        typer.echo(f"Backup written to {made}" + (" (encrypted)." if passphrase else "."))
        if keep is not None:
            for gone in prune(out, keep=keep):
                typer.echo(f"Deleted the older backup {gone.name}.")
    except BackupError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"The backup could not be written: {exc}. Nothing half-written was kept.")


def restore_command(
    backup_dir: Annotated[Path, typer.Argument(help="One backup folder (taut-backup-<time>).")],
    into: Annotated[
        str, typer.Option("--into", help="A new data folder (SQLite), or an empty database URL (PostgreSQL).")
    ],
    media_into: Annotated[
        Path | None, typer.Option("--media-into", help="A new folder for the media (with a database URL).")
    ] = None,
    passphrase_file: PassphraseFile = None,
) -> None:
    """Restore a backup into a new place, then check integrity, row counts, checksums and the audit chain."""
    passphrase = _passphrase(passphrase_file)
    _django()
    from taut.privacy.backup import BackupError
    from taut.privacy.restore import RestoreFailed, restore

    try:
        report = restore(backup_dir, into, passphrase=passphrase, media_into=media_into)
    except RestoreFailed as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        typer.secho("What was restored has been removed; the target keeps RESTORE-FAILED.txt.", err=True)
        raise typer.Exit(1) from None
    except BackupError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"The restore could not be written: {exc}.")
    typer.echo(
        f"Restored into {report.target}: {report.tables} tables, {report.rows} rows, {report.files} files. "
        f"Integrity, row counts, checksums and the audit chain ({report.audit_entries} entries) all check out."
    )
    if not report.target.startswith(("postgres", "sqlite")) and "://" not in report.target:
        typer.echo(f"Start it with: TAUT_DATA_DIR={report.target} taut serve")
