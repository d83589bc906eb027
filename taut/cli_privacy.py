"""`taut backup` and `taut restore`: whole-installation backups that are proven by restoring them.

Registered on the main app in taut/cli.py::

    app.command("backup")(backup_command)    # after: from taut.cli_privacy import backup_command, restore_command
    app.command("restore")(restore_command)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # e.g. a retention period below its legal minimum
        _fail(str(exc))


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


# Erasure and retention ----------------------------------------------------------------------
#
# Mounted with ``app.add_typer(erasure_app, name="erasure")`` and
# ``app.add_typer(retention_app, name="retention")``.

erasure_app = typer.Typer(
    help="Erasure requests (GDPR Art. 17): erase now what may go, hold the record.", no_args_is_help=True
)
retention_app = typer.Typer(
    help="Retention periods, and the purge of held records whose period has ended.", no_args_is_help=True
)


@erasure_app.callback()
def erasure_main() -> None:
    """Erasure requests."""


@retention_app.callback()
def retention_main() -> None:
    """Retention."""


def _owner_and_client(user: str, client_id: int) -> tuple[Any, Any, str]:
    """The active user, the client (searched only in the clinics they work in) and their role there."""
    from taut.access.models import User
    from taut.access.scoping import clinic_scope
    from taut.access.services import memberships_of
    from taut.clients.models import Client

    actor = User.objects.filter(username=user, is_active=True).first()
    if actor is None:
        _fail(f"No active user {user!r}.")
    for membership in memberships_of(actor):  # only the clinics the person works in are searched
        with clinic_scope(membership.clinic):
            client = Client.objects.filter(pk=client_id).select_related("clinic").first()
        if client is not None:
            return actor, client, membership.role
    _fail(f"No client with id {client_id} in the clinics of {user}.")


@erasure_app.command("request")
def erasure_request_command(
    client_id: int,
    user: Annotated[str, typer.Option("--user", help="The owner making the request; it is audited in their name.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the record is erased (no clinical details).")],
) -> None:
    """Erase a client's contact details now and hold the clinical record until its retention ends."""
    _django()
    from django.core.exceptions import ValidationError

    from taut.access.capabilities import CapabilityDenied
    from taut.access.scoping import clinic_scope
    from taut.audit.context import update
    from taut.privacy.erasure import do_request_erasure

    actor, client, role = _owner_and_client(user, client_id)
    try:
        with update(channel="cli", user=actor, clinic=client.clinic), clinic_scope(client.clinic):
            made = do_request_erasure(client, actor, role, reason)
    except CapabilityDenied:
        _fail(f"{user} is not an owner of {client.clinic.name}: only an owner can request an erasure.")
    except ValidationError as exc:
        _fail(" ".join(exc.messages) + " Nothing was changed.")
    typer.echo(
        f"Erasure request #{made.pk}: erased {', '.join(made.erased_fields) or 'no contact details (none held)'}. "
        f"The clinical record is held until {made.purge_due:%Y-%m-%d}, then purged by `taut retention purge`."
    )


@erasure_app.command("withdraw")
def erasure_withdraw_command(
    client_id: int,
    user: Annotated[str, typer.Option("--user", help="The owner withdrawing it; it is audited in their name.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the request is withdrawn.")],
) -> None:
    """Withdraw a held erasure request: the record is no longer held (what was erased stays erased)."""
    _django()
    from django.core.exceptions import ValidationError

    from taut.access.capabilities import CapabilityDenied
    from taut.access.scoping import clinic_scope
    from taut.audit.context import update
    from taut.privacy.erasure import do_withdraw_erasure

    actor, client, role = _owner_and_client(user, client_id)
    try:
        with update(channel="cli", user=actor, clinic=client.clinic), clinic_scope(client.clinic):
            done = do_withdraw_erasure(client, actor, role, reason)
    except CapabilityDenied:
        _fail(f"{user} is not an owner of {client.clinic.name}: only an owner can withdraw an erasure request.")
    except ValidationError as exc:
        _fail(" ".join(exc.messages) + " Nothing was changed.")
    typer.echo(f"Erasure request #{done.pk} withdrawn: the record of client {client_id} is no longer held.")


@retention_app.command("show")
def retention_show_command(
    clinic: Annotated[str, typer.Option("--clinic", help="A clinic's slug: its own periods where it set them.")] = "",
) -> None:
    """Print the retention period of each record type, its legal minimum and where it comes from."""
    _django()
    from taut.access.models import Clinic
    from taut.privacy.retention import RECORD_TYPES, RetentionConfigError, periods

    found = Clinic.objects.filter(slug=clinic).first() if clinic else None
    if clinic and found is None:
        _fail(f"No clinic with the slug {clinic!r}.")
    try:
        years = periods(found)
    except RetentionConfigError as exc:
        _fail(str(exc))
    own = dict(getattr(found, "retention_years", None) or {})
    for key, kind in RECORD_TYPES.items():
        whose = " (the clinic's own)" if key in own else ""
        typer.echo(
            f"{key}: {years[key]} years{whose} after {kind.counted_from} (minimum {kind.minimum_years}; {kind.source})"
        )


@retention_app.command("purge")
def retention_purge_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what is due; change nothing.")] = False,
) -> None:
    """Purge every held record whose retention has ended, with its media; the tombstone stays. Run it daily."""
    _django()
    from taut.audit.context import update
    from taut.privacy.erasure import due_requests, purge_due
    from taut.privacy.retention import RetentionConfigError, periods

    try:
        periods()
    except RetentionConfigError as exc:
        _fail(str(exc))
    if dry_run:
        due = due_requests()
        for req in due:
            typer.echo(f"Due: erasure request #{req.pk} of {req.clinic.slug} (held until {req.purge_due:%Y-%m-%d}).")
        typer.echo(f"{len(due)} record(s) due; nothing was changed.")
        return
    with update(channel="cli"):
        done = purge_due()
    for item in done:
        rows = sum(item.rows.values())
        typer.echo(f"Purged erasure request #{item.request_id} of {item.clinic}: {rows} rows, {item.files} files.")
    typer.echo(f"{len(done)} record(s) purged." if done else "Nothing is due; nothing was changed.")
