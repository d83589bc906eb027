"""`taut score INSTRUMENT --answers FILE [--json]`: score an outcome measure from a file.

Register it on the main app with one line in taut/cli.py::

    app.command("score")(score_command)   # after: from taut.cli_measures import score_command

``measures_app`` wraps the same command in its own Typer app (used by the tests).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml

from taut.core.errors import TautError
from taut.core.knowledge import load_base
from taut.core.measures.scoring import find_instrument, score

measures_app = typer.Typer(help="Score outcome measures.", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _read_answers(path: Path) -> Any:
    """A JSON or YAML file holding a list of answers, a mapping of item numbers, or a number."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        _fail(f"No answers file at {path}. Give the path of a JSON or YAML file.")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"Cannot read {path}: {exc}. Give a UTF-8 JSON or YAML file.")
    if not text.strip():
        _fail(f"{path} is empty. Write the answers as a list, e.g. [2, 0, 3], or a mapping of item numbers.")
    try:
        if path.suffix.lower() == ".json":
            data: Any = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        _fail(f"{path} is not valid JSON or YAML: {exc}")
    if data is None:
        _fail(f"{path} holds no answers. Write them as a list, e.g. [2, 0, 3], or a mapping of item numbers.")
    if isinstance(data, dict) and "answers" in data and len(data) == 1:
        data = data["answers"]  # also accept {"answers": [...]}
    return data


def score_command(
    instrument: Annotated[str, typer.Argument(help="Instrument id, name or synonym (ndi, QuickDASH, LEFS...).")],
    answers: Annotated[
        Path,
        typer.Option(
            "--answers",
            help="JSON or YAML file: answers in item order ([2, 0, null, ...]) or by item number ({1: 2, 2: 0}).",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the score as JSON.")] = False,
) -> None:
    """Score an outcome measure by its published rules (missing items, reversed items, bands)."""
    data = _read_answers(answers)
    base = load_base()
    try:
        inst = find_instrument(instrument, base)
        result = score(inst.id, data, base=base)
    except TautError as exc:
        _fail(str(exc))
    mcid = inst.mcid
    if as_json:
        payload = result.to_dict()
        payload["mcid"] = None if mcid is None else {"value": mcid.value, "unit": mcid.unit, "note": mcid.note}
        payload["license"] = inst.license
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    percent = f" ({result.percent:g} %)" if result.percent is not None else ""
    band = f", {result.band}" if result.band else ""
    typer.echo(f"{result.name}: {result.value:g} of {result.score_min:g}-{result.score_max:g}{percent}{band}")
    typer.echo(f"  higher is {result.higher_is}; {result.answered} of {result.items} items answered")
    typer.echo(f"  how: {result.why}")
    for warning in result.warnings:
        typer.secho(f"  note: {warning}", fg=typer.colors.YELLOW)
    if mcid is not None:
        typer.echo(f"  smallest important change (MCID): {mcid.value:g} {mcid.unit}")
    else:
        typer.echo("  no minimal clinically important difference is published for this instrument")
    typer.echo(f"  sources: {', '.join(result.sources)}; knowledge base {result.kb_version}")


measures_app.command("score")(score_command)
