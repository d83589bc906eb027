"""`taut directory import FILE --clinic SLUG`, `taut directory export --clinic SLUG` and
`taut directory search --near PLACE`: the directory from the command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

directory_app = typer.Typer(help="The public practitioner directory: import, export and search listings.")


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()


def _clinic(slug: str) -> object:
    from taut.access.models import Clinic

    clinic = Clinic.objects.filter(slug=slug).first()
    if clinic is None:
        _fail(f"No clinic with the slug {slug!r}.")
    return clinic


@directory_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A UTF-8 CSV file with the export's columns.")],
    clinic: Annotated[str, typer.Option(help="The clinic's slug.")],
) -> None:
    """Import listings of a clinic's practitioners; rejected rows are listed (line, field, reason)."""
    _django()
    from taut.access.scoping import clinic_scope
    from taut.audit.context import update
    from taut.directory import services

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"Cannot read {file}: {exc}")
    target = _clinic(clinic)
    with update(channel="cli", clinic=target), clinic_scope(target):
        report = services.do_import_csv(target, text, services.clinic_members(target))
    typer.echo(f"{report.created} created, {report.updated} updated, {len(report.rejected)} rejected")
    for r in report.rejected:
        typer.echo(f"line {r.line}: {r.field}: {r.reason}")
    if report.rejected:
        raise typer.Exit(1)


@directory_app.command("export")
def export_command(clinic: Annotated[str, typer.Option(help="The clinic's slug.")]) -> None:
    """Print the clinic's listings as CSV (formula cells neutralised)."""
    _django()
    from django.db import transaction

    from taut.access.scoping import clinic_scope
    from taut.audit.context import update
    from taut.directory import services
    from taut.directory.models import Listing

    target = _clinic(clinic)
    with update(channel="cli", clinic=target), clinic_scope(target), transaction.atomic():
        for line in services.export_csv(Listing.objects.select_related("practitioner").order_by("id")):
            sys.stdout.write(line)


@directory_app.command("search")
def search_command(
    near: Annotated[str, typer.Option(help="A ZIP code, a Canadian postal code or a city.")],
    radius_km: Annotated[float, typer.Option(help="Radius in km.")] = 25.0,
    credential: Annotated[str, typer.Option()] = "",
    condition: Annotated[str, typer.Option()] = "",
    language: Annotated[str, typer.Option()] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Published listings near a place, nearest first."""
    _django()
    from taut.core.directory import geo
    from taut.core.directory.search import Filters
    from taut.directory import public

    if not 0 < radius_km <= 500:
        _fail("The radius must be above 0 and up to 500 km.")
    try:
        place = geo.find_place(near)
    except (geo.PlaceNotFound, geo.AmbiguousPlace) as exc:
        _fail(str(exc))
    hits = public.find(place, radius_km, Filters(credential, condition, language))
    rows = [{"id": l.pk, "name": l.display_name, "area": l.area, "km": round(h.km, 2)} for l, h in hits]  # noqa: E741
    if as_json:
        typer.echo(json.dumps({"place": place.label, "results": rows}, ensure_ascii=False))
    else:
        typer.echo(f"{len(rows)} within {radius_km:g} km of {place.label}")
        for r in rows:
            typer.echo(f"{r['km']:8.1f} km  {r['name']}  ({r['area']})")
