"""The `taut` command: serve the workbench, load the demo, manage users, tokens and the audit log."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from taut import __version__
from taut.cli_export import export_app, import_app
from taut.cli_kb import kb_app, zones_app
from taut.cli_measures import score_command
from taut.cli_motion import gait_command, posture_command
from taut.cli_notes import notes_app
from taut.cli_plans import plan_command
from taut.cli_privacy import backup_command, erasure_app, restore_command, retention_app
from taut.cli_reports import report_command
from taut.directory.cli import directory_app

app = typer.Typer(help="Taut: open-source clinical workbench for neuromuscular therapy.", no_args_is_help=True)
user_app = typer.Typer(help="People and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
app.add_typer(erasure_app, name="erasure")
app.add_typer(retention_app, name="retention")
app.add_typer(notes_app, name="notes")


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"taut {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Taut."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    threads: Annotated[int, typer.Option(help="Threads per worker.")] = 4,
) -> None:
    """Migrate the database and serve the workbench with gunicorn."""
    _django()
    _migrate()
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    engine = str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]
    typer.echo(f"Taut {__version__} on http://{host}:{port}/  (database: {engine})")
    sys.stdout.flush()
    args = [
        sys.executable, "-m", "gunicorn", "taut.web.wsgi:application", "--bind", f"{host}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
        "--timeout", "60", "--graceful-timeout", "10", "--config", "python:taut.web.gunicorn_hooks",
    ]  # fmt: skip
    if os.environ.get("TAUT_ACCESS_LOG"):
        args += ["--access-logfile", "-"]
    os.execv(sys.executable, args)


@app.command()
def worker(
    max_tasks: Annotated[int, typer.Option(help="Stop after this many jobs (0: run until stopped).")] = 0,
) -> None:
    """Run background jobs (gait analysis). `taut serve` starts one; at scale run more on other machines."""
    _django()
    _migrate()
    from django.core.management import call_command

    from taut.intake.services import do_purge_drafts
    from taut.motion.tasks import recover

    revived = recover()
    if revived:
        typer.echo(f"Queued again {revived} analysis job(s) whose worker had stopped.")
    purged = do_purge_drafts()
    if purged:
        typer.echo(f"Deleted the unsent answers of {purged} expired or revoked intake link(s).")
    sys.stdout.flush()
    args = ["--no-startup-delay", "--interval", "0.5"]
    if max_tasks:
        args += ["--max-tasks", str(max_tasks)]
    call_command("db_worker", *args)


intake_app = typer.Typer(help="Client intake links.", no_args_is_help=True)
app.add_typer(intake_app, name="intake")


@intake_app.command("purge")
def intake_purge() -> None:
    """Delete the unsent answers of intake links that expired or were revoked (run it daily from a timer)."""
    _django()
    from taut.intake.services import do_purge_drafts

    typer.echo(f"Deleted the unsent answers of {do_purge_drafts()} intake link(s).")


@app.command()
def migrate() -> None:
    """Create or update the database tables."""
    _django()
    _migrate()
    typer.echo("Database is up to date.")


@app.command()
def demo(
    reset: Annotated[bool, typer.Option("--reset", help="Delete the local SQLite database first.")] = False,
) -> None:
    """Load the demo clinics (idempotent) and print their logins."""
    _django()
    from django.conf import settings

    if reset:
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.sqlite3":
            _fail("--reset only deletes a local SQLite database; drop a PostgreSQL database with its own tools.")
        from django.db import connections

        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
    _migrate()
    from taut import demo as demo_data

    logins = demo_data.load()
    typer.echo("Demo logins (password for all: " + demo_data.DEMO_PASSWORD + "):")
    for login in logins:
        extra = f"  TOTP key {login.totp_secret} (or `taut user code {login.username}`)" if login.totp_secret else ""
        typer.echo(f"  {login.clinic:40} {login.role:13} {login.username}{extra}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (e.g. `taut manage check --deploy`)."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["taut manage", *(ctx.args or ["help"])])


@user_app.command("create")
def user_create(
    username: str,
    clinic: Annotated[str, typer.Option(help="Clinic slug.")],
    role: Annotated[str, typer.Option(help="owner, practitioner or front_desk.")] = "practitioner",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> None:
    """Create a user with a role in a clinic. The password is read from TAUT_PASSWORD or asked for."""
    _django()
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    from taut.access import services
    from taut.access.models import Clinic
    from taut.access.scoping import clinic_scope, unscoped
    from taut.audit.context import update

    with unscoped():
        found = Clinic.objects.filter(slug=clinic).first()
    if found is None:
        _fail(f"No clinic with slug {clinic!r}.")
    password = os.environ.get("TAUT_PASSWORD") or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with update(channel="cli", clinic=found), clinic_scope(found):
            services.do_create_user(
                found, username, password, role, first_name=first_name, last_name=last_name, email=email
            )
    except ValidationError as exc:
        _fail("Password not accepted: " + " ".join(exc.messages))
    except ValueError as exc:
        _fail(str(exc))
    except IntegrityError:
        _fail(f"The username {username!r} is taken.")
    typer.echo(f"Created {username} as {role} in {found.name}.")


@user_app.command("code")
def user_code(username: str) -> None:
    """Print the current TOTP code of a user (for the demo and for locked-out owners' admins)."""
    _django()
    from taut.access.models import User

    user = User.objects.filter(username=username).first()
    if user is None or not user.totp_secret:
        _fail(f"{username!r} has no authenticator set up.")
    from taut.access import totp

    typer.echo(totp.current_code(user.totp_secret))


@token_app.command("create")
def token_create(
    username: str,
    clinic: Annotated[str | None, typer.Option(help="Clinic slug (needed when the user works in several).")] = None,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Create an API token for a user and print it (it is shown only once)."""
    _django()
    from taut.access import services
    from taut.access.models import User
    from taut.access.scoping import clinic_scope
    from taut.audit.context import update

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        _fail(f"No active user {username!r}.")
    memberships = services.memberships_of(user)
    chosen = [m for m in memberships if clinic is None or m.clinic.slug == clinic]
    if len(chosen) != 1:
        _fail(f"Name one clinic with --clinic: {', '.join(m.clinic.slug for m in memberships) or 'none'}.")
    with update(channel="cli", user=user, clinic=chosen[0].clinic), clinic_scope(chosen[0].clinic):
        _, plaintext = services.do_create_token(user, chosen[0].clinic, name)
    typer.echo(plaintext)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the whole audit log; name every entry that was altered."""
    _django()
    from taut.audit import service

    problems = service.verify()
    if problems:
        for p in problems:
            typer.secho(f"entry {p.entry_id}: {p.what}", fg=typer.colors.RED)
        raise typer.Exit(1)
    typer.echo("Audit log intact.")


@app.command()
def rank(
    pain: Annotated[
        list[str], typer.Option("--pain", help="A painful zone: 'left temple', 'temple_l:7', 'calf:4:cramping'.")
    ],
    quality: Annotated[list[str] | None, typer.Option("--quality", help="How it feels (aching, burning...).")] = None,
    mechanism: Annotated[str | None, typer.Option(help="How it began (whiplash, lifting, overuse...).")] = None,
    symptom: Annotated[list[str] | None, typer.Option("--symptom", help="Another symptom (dizziness...).")] = None,
    aggravating: Annotated[list[str] | None, typer.Option("--aggravating", help="A provoking motion id.")] = None,
    restricted: Annotated[list[str] | None, typer.Option("--restricted", help="A restricted motion id.")] = None,
    condition: Annotated[str | None, typer.Option(help="A working condition id from the knowledge base.")] = None,
    red_flag: Annotated[list[str] | None, typer.Option("--red-flag", help="A red flag found at intake.")] = None,
    limit: Annotated[int, typer.Option(help="How many rows (muscles or groups) to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole analysis as JSON.")] = False,
) -> None:
    """Rank the trigger points whose referral patterns explain a pain chart."""
    import json

    from taut.core.errors import TautError
    from taut.core.knowledge.loader import load_base
    from taut.core.reasoning.analysis import analyse
    from taut.core.reasoning.parse import chart_from_inputs, parse_mark
    from taut.core.reasoning.ranking import percent

    base = load_base()
    try:
        marks = [m for text in pain for m in parse_mark(base, text)]
        inputs = {
            "pain": [{"zone": z, "intensity": i, "quality": q} for z, i, q in marks],
            "qualities": quality or [], "mechanism": mechanism, "symptoms": symptom or [],
            "aggravating": aggravating or [], "restricted": restricted or [], "condition": condition,
            "red_flags": red_flag or [],
        }  # fmt: skip
        result = analyse(base, chart_from_inputs(base, inputs), limit=limit)
    except TautError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return
    labels = {z: base.zones[z].label for z in base.zones}
    typer.echo(f"Knowledge base {result.kb_version}")
    if result.stop:
        typer.secho("STOP AND REFER before any treatment:", fg=typer.colors.RED, bold=True)
        for flag in result.red_flags:
            typer.secho(f"  - {flag.name} ({flag.urgency}): {flag.action}", fg=typer.colors.RED)
    for n in result.neural[:3]:
        where = f" at {n.site}" if n.site else ""
        tests = ", ".join(base.special_tests[t].name for t in n.tests if t in base.special_tests)
        typer.echo(f"Neural: {n.name}{where} ({n.label}); fits {n.fit:.0%}. Confirm with: {tests or '-'}")
    typer.echo(f"{'#':>2}  {'Muscle or group':28} {'Sides':11} {'P':>5}  Why")
    for i, row in enumerate(result.rows, 1):
        sides = "+".join(row.sides)
        if row.group is None:
            c = row.members[0]
            typer.echo(f"{i:>2}  {c.name[:28]:28} {sides:11} {percent(c.probability):>5}  {c.describe(labels)}")
            continue
        typer.echo(f"{i:>2}  {row.name[:28]:28} {sides:11} {percent(row.probability):>5}  group of {len(row.members)}:")
        for c in row.members:
            typer.echo(
                f"    - {c.name[:26]:26} {'+'.join(c.sides):11} {percent(c.probability):>5}  {c.describe(labels)}"
            )
    if result.explaining:
        names = ", ".join(f"{c.name} ({'+'.join(c.sides)})" for c in result.explaining)
        typer.echo(f"\nTogether explaining {result.coverage:.0%} of the chart, in palpation order: {names}")


app.add_typer(kb_app, name="kb")
app.add_typer(zones_app, name="zones")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
app.command("score")(score_command)
app.command("posture")(posture_command)
app.command("gait")(gait_command)
app.command("plan")(plan_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.command("report")(report_command)
app.add_typer(directory_app, name="directory")


if __name__ == "__main__":
    app()
