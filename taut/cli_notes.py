"""`taut notes list|show|sign`: session notes from the command line.

Each command acts as a clinic member (--user), only in that person's clinics, through the same
services as the web pages (capability check, consent gate, audit entry in that person's name on
the "cli" channel). The front desk sees no note content.
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any, NoReturn

import typer

USER_HELP = "The clinic member doing it (an owner or practitioner); it is audited in their name."
NOTE_FIELDS = (
    "id", "client_id", "visit_id", "status", "pain_now", "change_since_last", "home_care", "subjective",
    "trigger_points", "rom_retests", "objective", "assessment", "plan", "techniques", "pain_before",
    "pain_after", "signed_by_id", "signed_at", "void_reason", "voided_at", "adherence", "created_at", "updated_at",
)  # fmt: skip

notes_app = typer.Typer(help="Session notes: list a client's notes, show one, sign a draft.", no_args_is_help=True)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _find(model: Any, object_id: int, username: str) -> tuple[Any, Any, Any]:
    """(actor, membership, object): the object looked up only in the clinics the person works in."""
    from taut.access.models import User
    from taut.access.scoping import clinic_scope
    from taut.access.services import memberships_of

    if not username:
        _fail("Give --user: the clinic member doing it.")
    actor = User.objects.filter(username=username, is_active=True).first()
    if actor is None:
        _fail(f"No active user {username!r}.")
    for membership in memberships_of(actor):
        with clinic_scope(membership.clinic):
            found = model.objects.filter(pk=object_id).first()
        if found is not None:
            return actor, membership, found
    _fail(f"No {model._meta.verbose_name} with id {object_id} in the clinics of {username}.")


def _run(model_label: str, object_id: int, user: str, action: Any) -> Any:
    """Find the object in the user's clinics, then run `action(actor, role, obj)` inside that clinic."""
    from django.apps import apps
    from django.core.exceptions import ValidationError

    from taut.access.capabilities import CapabilityDenied
    from taut.access.scoping import clinic_scope
    from taut.audit.context import update
    from taut.clients.gate import ConsentRequired

    actor, membership, obj = _find(apps.get_model(model_label), object_id, user)
    try:
        with update(channel="cli", user=actor, clinic=membership.clinic), clinic_scope(membership.clinic):
            return action(actor, membership.role, obj)
    except CapabilityDenied:
        _fail(f"{user} is not an owner or practitioner of that clinic; only they may see or sign session notes.")
    except ConsentRequired as exc:
        _fail(str(exc))
    except ValidationError as exc:
        _fail(" ".join(exc.messages))


def note_dict(note: Any) -> dict[str, Any]:
    out = {f: getattr(note, f) for f in NOTE_FIELDS}
    out["addenda"] = [
        {"author_id": a.author_id, "created_at": a.created_at, "reason": a.reason, "text": a.text}
        for a in note.addenda.all().order_by("created_at", "pk")
    ]
    return out


@notes_app.command("list")
def list_command(
    client_id: Annotated[int, typer.Argument(help="The client's id.")],
    user: Annotated[str, typer.Option("--user", help=USER_HELP)] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """The client's session notes, newest first: id, visit date, status, signer."""
    _django()
    from taut.access import capabilities
    from taut.clients import services as clients
    from taut.notes.models import SessionNote

    def action(actor: Any, role: str | None, client: Any) -> list[dict[str, Any]]:
        capabilities.require(role, "can_view_clinical")
        rows = SessionNote.objects.filter(client=client).select_related("visit").order_by("-visit__date", "-pk")
        clients.audit_list("sessionnote", client=client.pk)
        return [
            {"id": n.pk, "visit_id": n.visit_id, "date": n.visit.date, "status": n.status,
             "signed_by_id": n.signed_by_id, "signed_at": n.signed_at}
            for n in rows[:500]
        ]  # fmt: skip

    rows = _run("clients.Client", client_id, user, action)
    if as_json:
        typer.echo(json.dumps(rows, indent=2, sort_keys=True, default=str))
        return
    if not rows:
        typer.echo("No session notes.")
    for r in rows:
        signed = f", signed {r['signed_at']:%Y-%m-%d %H:%M}" if r["signed_at"] else ""
        typer.echo(f"{r['id']}  {r['date']:%Y-%m-%d}  {r['status']}{signed}")


@notes_app.command("show")
def show_command(
    note_id: Annotated[int, typer.Argument(help="The note's id.")],
    user: Annotated[str, typer.Option("--user", help=USER_HELP)] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the note as JSON.")] = False,
) -> None:
    """One session note with its addenda (audited as read)."""
    _django()
    from taut.notes import services

    def action(actor: Any, role: str | None, note: Any) -> dict[str, Any]:
        return note_dict(services.read_note(role, note.client_id, note.pk))

    out = _run("notes.SessionNote", note_id, user, action)
    if as_json:
        typer.echo(json.dumps(out, indent=2, sort_keys=True, default=str))
        return
    typer.echo(f"Session note {out['id']} ({out['status']}), visit {out['visit_id']}")
    for label, key in (("Pain now", "pain_now"), ("Pain before", "pain_before"), ("Pain after", "pain_after")):
        if out[key] is not None:
            typer.echo(f"{label}: {out[key]}/10")
    for key in ("home_care", "subjective", "objective", "assessment", "plan"):
        if out[key]:
            typer.echo(f"{key.replace('_', ' ').capitalize()}: {out[key]}")
    for a in out["addenda"]:
        typer.echo(f"Addendum {a['created_at']:%Y-%m-%d %H:%M} ({a['reason']}): {a['text']}")


@notes_app.command("sign")
def sign_command(
    note_id: Annotated[int, typer.Argument(help="The draft note's id.")],
    user: Annotated[str, typer.Option("--user", help=USER_HELP)] = "",
) -> None:
    """Sign a draft note in the user's name; it is locked from then on."""
    _django()
    from taut.notes import services

    def action(actor: Any, role: str | None, note: Any) -> Any:
        return services.do_sign_note(note, actor, role)

    note = _run("notes.SessionNote", note_id, user, action)
    typer.echo(f"Session note {note.pk} signed by {user} at {note.signed_at:%Y-%m-%d %H:%M}; it is now locked.")
