"""The `taut` commands of the notes app."""

from __future__ import annotations

import typer

notes_app = typer.Typer(help="notes", no_args_is_help=True)
