"""`taut report CLIENT_ID --kind client|progress|referral --out FILE.pdf`: a client's PDF report.

The main app mounts it with ``app.command("report")(report_command)``.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer


class Kind(StrEnum):
    client = "client"
    progress = "progress"
    referral = "referral"


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def report_command(
    client_id: int,
    out: Annotated[Path, typer.Option("--out", help="The PDF file to write (its folder must exist).")],
    user: Annotated[str, typer.Option("--user", help="The clinic member it is made by (owner or practitioner).")],
    kind: Annotated[Kind, typer.Option("--kind", help="client, progress or referral.")] = Kind.client,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a client's report, progress report or referral letter as a PDF; an audited read."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()
    from taut.access import capabilities
    from taut.access.models import User
    from taut.access.scoping import clinic_scope
    from taut.access.services import memberships_of
    from taut.audit.context import update
    from taut.clients.models import Client
    from taut.reports.pdf import ReportRefused, render_report

    if out.exists() and not force:
        _fail(f"{out} exists; choose another file or pass --force.")
    if not out.parent.is_dir():
        _fail(f"The folder {out.parent} does not exist.")
    actor = User.objects.filter(username=user, is_active=True).first()
    if actor is None:
        _fail(f"No active user {user!r}.")
    client, role = None, None
    for membership in memberships_of(actor):  # only the clinics the person works in are searched
        with clinic_scope(membership.clinic):
            client = Client.objects.filter(pk=client_id).select_related("clinic").first()
        if client is not None:
            role = membership.role
            break
    if client is None:
        _fail(f"No client with id {client_id} in the clinics of {user}.")
    if not capabilities.has(role, "can_view_clinical"):
        _fail(f"{user} is front desk at {client.clinic.name}; only owners and practitioners may make reports.")
    try:
        with update(channel="cli", user=actor, clinic=client.clinic), clinic_scope(client.clinic):
            data = render_report(client, kind.value, actor)
    except ReportRefused as exc:
        _fail(str(exc))
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    typer.echo(f"Wrote the {kind.value} report of {client} to {out} ({len(data)} bytes).")
