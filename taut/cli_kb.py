"""`taut kb ...` and `taut zones ...`: look into the knowledge base from the command line.

The main app mounts these with ``app.add_typer(kb_app, name="kb")`` and
``app.add_typer(zones_app, name="zones")``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from taut.core.bodymap.phrases import close_data, close_zones, resolution_data, resolve_phrase
from taut.core.errors import InvalidKnowledgeBaseError
from taut.core.knowledge import load_base, load_uncached
from taut.core.knowledge.queries import entry, export, find, stats
from taut.core.knowledge.schema import Side

kb_app = typer.Typer(help="Inspect the clinical knowledge base.", no_args_is_help=True)
zones_app = typer.Typer(help="Find body-chart zones.", no_args_is_help=True)


@zones_app.callback()
def zones_main() -> None:
    """Find body-chart zones from plain words, names, synonyms or ids."""


def _data_file(kind: str, entry_id: str) -> str:
    """The data file (relative to the data folder) that holds an entry."""
    if kind == "muscle":
        return f"muscles/{entry_id}.yaml"
    return {"zone": "zones.yaml", "nerve": "nerves.yaml", "condition": "conditions.yaml"}.get(kind, f"{kind}s.yaml")


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@kb_app.command("stats")
def stats_command(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Counts of every kind of entry and how many facts carry a citation."""
    counts = stats(load_base())
    if as_json:
        _print_json(counts)
        return
    width = max(len(key) for key in counts)
    for key, value in counts.items():
        typer.echo(f"{key.ljust(width)}  {value}")


@kb_app.command("export")
def export_command(
    fmt: Annotated[str, typer.Option("--format", help="Output format (only json).")] = "json",
) -> None:
    """Everything in the knowledge base, with its version."""
    if fmt != "json":
        typer.echo(f"Unknown format {fmt!r}; use --format json.", err=True)
        raise typer.Exit(2)
    _print_json(export(load_base()))


@kb_app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="Name, synonym or id of a muscle, zone, nerve, condition...")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one entry found by name or synonym."""
    base = load_base()
    hits = find(base, name, limit=5)
    if not hits or hits[0].score < 0.85:
        close = ", ".join(f"{h.name} ({h.kind})" for h in hits)
        hint = f" Closest: {close}." if close else " Try `taut zones search` or `taut kb stats`."
        typer.echo(f"Nothing in the knowledge base is called {name!r}.{hint}", err=True)
        raise typer.Exit(1)
    best = hits[0]
    data = {"kind": best.kind, **entry(base, best.kind, best.id).model_dump(mode="json")}
    if as_json:
        _print_json(data)
        return
    typer.echo(f"# {best.name} ({best.kind}) in {_data_file(best.kind, best.id)} - knowledge base {base.version}")
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).rstrip())
    others = [h for h in hits[1:] if h.score >= 0.85]
    if others:
        typer.echo("# also matching: " + ", ".join(f"{h.name} ({h.kind})" for h in others))


@kb_app.command("check")
def check_command(
    data_dir: Annotated[Path | None, typer.Option(help="Data folder to check (default: the bundled one).")] = None,
) -> None:
    """Validate the data files; list every problem with its file, line and fix."""
    from taut.core.knowledge.loader import DATA_DIR

    try:
        base = load_uncached(data_dir or DATA_DIR)
    except InvalidKnowledgeBaseError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"OK: knowledge base {base.version} is valid.")


@zones_app.command("search")
def search_command(
    text: Annotated[str, typer.Argument(help='Where it hurts, in words: "side of the head", "hip and thigh".')],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many other close matches.")] = 10,
    side: Annotated[
        str | None, typer.Option(help="The side for pieces without a side word ('on the injured side'): left or right.")
    ] = None,
) -> None:
    """Read TEXT as places on the body: every zone it names (sided), then other close matches."""
    if side is not None and side not in ("left", "right", "both"):
        typer.echo(f"--side must be left, right or both, not {side!r}.", err=True)
        raise typer.Exit(2)
    base = load_base()
    default = Side(side) if side in ("left", "right") else None
    resolution = resolve_phrase(base, text, default_side=default)
    found = {b for part in resolution.parts for b in part.base_ids}
    close = [h for h in close_zones(base, text, limit=limit + len(found)) if h.base_id not in found][:limit]
    if as_json:
        _print_json({**resolution_data(resolution), "close": [close_data(h) for h in close]})
        return
    for part in resolution.parts:
        names = ", ".join(base.zone_specs[b].name for b in part.base_ids)
        said = ", ".join(repr(m) for m in part.matched)
        typer.echo(f"{part.text!r}: {names}")
        typer.echo(f"    {', '.join(part.zone_ids)}  (matched {said}, {part.score:.2f})")
    for piece in resolution.unresolved:
        typer.echo(f"{piece!r}: no zone found.", err=True)
    if resolution.suggestions:
        typer.echo(f"Did you mean: {', '.join(resolution.suggestions)}?", err=True)
    if close:
        typer.echo("Other close matches:")
        for h in close:
            typer.echo(f"    {', '.join(h.zone_ids):40}  {h.name}  (matched {h.matched!r}, {h.score:.2f})")
    if not resolution.zone_ids:
        raise typer.Exit(1)
