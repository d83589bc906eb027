"""`taut plan VISIT_ID` and `taut plan show PLAN_ID`: a visit's treatment plan from the command line.

`taut plan VISIT_ID --json` prints the plan the core makes from the visit's findings and stores
nothing (add --save to store it as a draft); `taut plan show PLAN_ID` prints a stored plan. Both
act as a clinic member (--user), only in that person's clinics, and are audited in their name.
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any, NoReturn

import typer

USER_HELP = "The clinic member doing it (an owner or practitioner); it is audited in their name."


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

    actor = User.objects.filter(username=username, is_active=True).first()
    if actor is None:
        _fail(f"No active user {username!r}.")
    for membership in memberships_of(actor):
        with clinic_scope(membership.clinic):
            found = model.objects.filter(pk=object_id).select_related("client").first()
        if found is not None:
            return actor, membership, found
    _fail(f"No {model._meta.verbose_name} with id {object_id} in the clinics of {username}.")


def _print(plan: dict[str, Any]) -> None:
    safety = plan["safety"]
    typer.echo("Contraindication check: " + ("ran" if safety["ran"] else "did not run"))
    for line in safety["checked"]:
        typer.echo(f"  {line}")
    for r in plan["referrals"]:
        typer.secho(f"Refer ({r['urgency']}): {r['reason']}. {r['advice']}", fg=typer.colors.RED)
    for n, i in enumerate(plan["items"], 1):
        typer.echo(f"{n}. {i['muscle']} ({i['region']}): {i['technique']}; {i['pressure']}; {i['dose']}")
        typer.echo(f"   why: {i['why']}")
    for e in plan["exercises"]:
        typer.echo(f"Home: {e['name']}: {e['dose']}  (why: {e['why']})")


def plan_command(
    target: Annotated[str, typer.Argument(help="A visit id, or `show` followed by a plan id.")],
    plan_id: Annotated[int | None, typer.Argument(help="With `show`: the plan id.")] = None,
    user: Annotated[str, typer.Option("--user", help=USER_HELP)] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    save: Annotated[bool, typer.Option("--save", help="Store the plan as a draft of the visit.")] = False,
) -> None:
    """Make a visit's treatment plan from its findings (stored only with --save), or show a stored plan."""
    if not user:
        _fail("Give --user: the clinic member doing it.")
    showing = target == "show"
    if showing and plan_id is None:
        _fail("Give the plan id: `taut plan show PLAN_ID --user NAME`.")
    if not showing and (not target.isdigit() or plan_id is not None):
        _fail("Give a visit id (`taut plan VISIT_ID`) or `show PLAN_ID`.")
    _django()
    from django.core.exceptions import ValidationError

    from taut.access import capabilities
    from taut.access.capabilities import CapabilityDenied
    from taut.access.scoping import clinic_scope
    from taut.audit.context import update
    from taut.clients import services as clients
    from taut.clients.models import Visit
    from taut.plans import services
    from taut.plans.models import TreatmentPlan

    out: dict[str, Any]
    try:
        if showing:
            actor, membership, record = _find(TreatmentPlan, plan_id or 0, user)
            with update(channel="cli", user=actor, clinic=membership.clinic), clinic_scope(membership.clinic):
                record = services.read_plan(membership.role, record.client_id, record.pk)
            out = {"id": record.pk, "visit_id": record.visit_id, "version": record.version,
                   "status": record.status, "changes": record.changes, "plan": record.plan}  # fmt: skip
        else:
            actor, membership, visit = _find(Visit, int(target), user)
            with update(channel="cli", user=actor, clinic=membership.clinic), clinic_scope(membership.clinic):
                if save:
                    record = services.do_create_plan(visit, actor, membership.role)
                    out = {"id": record.pk, "visit_id": visit.pk, "version": record.version,
                           "status": record.status, "changes": record.changes, "plan": record.plan}  # fmt: skip
                else:
                    capabilities.require(membership.role, "can_view_plan")
                    plan, _ = services.make_plan(visit)
                    clients.audit_read(visit)
                    out = {"visit_id": visit.pk, "saved": False, "plan": json.loads(plan.to_json())}
    except CapabilityDenied:
        _fail(f"{user} is not an owner or practitioner of that clinic; only they may see or make plans.")
    except ValidationError as exc:
        _fail(" ".join(exc.messages))
    if as_json:
        typer.echo(json.dumps(out, indent=2, sort_keys=True, default=str))
        return
    if "version" in out:
        typer.echo(f"Plan {out['id']}, version {out['version']} ({out['status']}), visit {out['visit_id']}")
    _print(out["plan"])
