"""`taut export client ...` and `taut import client ...`: a client's full export, and its re-import.

The main app mounts these with ``app.add_typer(export_app, name="export")`` and
``app.add_typer(import_app, name="import")``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

export_app = typer.Typer(
    help="Export a client's full record (JSON, media and a FHIR R4B bundle), or a whole clinic.",
    no_args_is_help=True,
)
import_app = typer.Typer(
    help="Import a client's export into a clinic, or a whole clinic's export.", no_args_is_help=True
)

USER_HELP = "The clinic member doing it (an owner or practitioner); it is audited in their name."


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _user(username: str) -> Any:
    from taut.access.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        _fail(f"No active user {username!r}.")
    return user


@export_app.callback()
def export_main() -> None:
    """Export records."""


@import_app.callback()
def import_main() -> None:
    """Import records."""


@export_app.command("client")
def export_client_command(
    client_id: int,
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder for the export.")],
    user: Annotated[str, typer.Option("--user", help=USER_HELP)],
) -> None:
    """Write everything held about one client into a folder: export.json, media/, fhir-bundle.json, manifest.json."""
    _django()
    from taut.access.capabilities import CapabilityDenied
    from taut.access.scoping import clinic_scope
    from taut.access.services import memberships_of
    from taut.audit.context import update
    from taut.clients.models import Client
    from taut.privacy.export import ExportError, export_client

    actor = _user(user)
    client = None
    for membership in memberships_of(actor):  # only the clinics the person works in are searched
        with clinic_scope(membership.clinic):
            client = Client.objects.filter(pk=client_id).select_related("clinic").first()
        if client is not None:
            break
    if client is None:
        _fail(f"No client with id {client_id} in the clinics of {user}.")
    try:
        with update(channel="cli", user=actor, clinic=client.clinic), clinic_scope(client.clinic):
            result = export_client(client, out, actor)
    except CapabilityDenied:
        _fail(f"{user} is not an owner or practitioner of {client.clinic.name}; only they may export a client.")
    except ExportError as exc:
        _fail(str(exc))
    sections = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in result.counts.items() if n)
    typer.echo(f"Exported {client} to {result.path} ({sections or 'record only'}; {result.media_files} media files).")


@import_app.command("client")
def import_client_command(
    folder: Path,
    clinic: Annotated[str, typer.Option("--clinic", help="Slug of the clinic that receives the client.")],
    user: Annotated[str, typer.Option("--user", help=USER_HELP)],
) -> None:
    """Import a client's export folder as a new client of a clinic (all or nothing)."""
    _django()
    from taut.access.capabilities import CapabilityDenied
    from taut.access.models import Clinic
    from taut.access.scoping import clinic_scope
    from taut.audit.context import update
    from taut.privacy.importer import ImportProblem, import_client, not_imported

    actor = _user(user)
    target = Clinic.objects.filter(slug=clinic).first()
    if target is None:
        _fail(f"No clinic with slug {clinic!r}.")
    try:
        with update(channel="cli", user=actor, clinic=target), clinic_scope(target):
            client = import_client(folder, target, actor)
    except CapabilityDenied:
        _fail(f"{user} is not an owner or practitioner of {target.name}; only they may import a client.")
    except ImportProblem as exc:
        _fail(f"Nothing was imported: {exc}")
    typer.echo(f"Imported {client} into {target.name} as client {client.pk}.")
    for line in not_imported():
        typer.echo(f"  on import: {line}")


@export_app.command("clinic")
def export_clinic_command(
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder for the export.")],
    user: Annotated[str, typer.Option("--user", help="An owner of the clinic; it is audited in their name.")],
    clinic: Annotated[
        str | None, typer.Option("--clinic", help="Slug of the clinic (needed when the owner has several).")
    ] = None,
) -> None:
    """Write a whole clinic into a folder: its settings, people (names and roles, no passwords),
    consent texts, and every client's full export."""
    _django()
    from taut.access.capabilities import CapabilityDenied
    from taut.access.models import Role
    from taut.access.scoping import clinic_scope
    from taut.access.services import memberships_of
    from taut.audit.context import update
    from taut.privacy.export import ExportError, export_clinic

    actor = _user(user)
    owned = [m.clinic for m in memberships_of(actor) if m.role == Role.OWNER.value]
    if clinic is not None:
        owned = [c for c in owned if c.slug == clinic]
    if len(owned) != 1:
        _fail(
            f"{user} owns no clinic {clinic!r}."
            if clinic
            else f"{user} owns {len(owned)} clinics: say which one with --clinic SLUG."
        )
    target = owned[0]
    try:
        with update(channel="cli", user=actor, clinic=target), clinic_scope(target):
            result = export_clinic(target, out, actor)
    except CapabilityDenied:
        _fail(f"{user} is not an owner of {target.name}; only an owner may export the whole clinic.")
    except ExportError as exc:
        _fail(str(exc))
    typer.echo(f"Exported {target.name} to {result.path} ({result.clients} clients, {result.media_files} media files).")


@import_app.command("clinic")
def import_clinic_command(
    folder: Path,
    slug: Annotated[str | None, typer.Option("--slug", help="Slug of the new clinic (default: as exported).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name of the new clinic (default: as exported).")] = None,
    reuse_users: Annotated[
        bool, typer.Option("--reuse-users", help="Usernames already here are the same people: add them as members.")
    ] = False,
) -> None:
    """Import a whole clinic's export as a new clinic of this installation (all or nothing)."""
    _django()
    from taut.privacy.importer import ImportProblem, import_clinic

    try:
        result = import_clinic(folder, slug=slug, name=name, reuse_users=reuse_users)
    except ImportProblem as exc:
        _fail(f"Nothing was imported: {exc}")
    typer.echo(
        f"Imported {result.clinic.name} as clinic {result.clinic.slug!r}: {len(result.clients)} clients, "
        f"{len(result.people_created)} people created, {len(result.people_reused)} already here."
    )
    for line in result.notes:
        typer.echo(f"  note: {line}")
