"""The `taut` commands of the plans app."""

from __future__ import annotations

import typer

plans_app = typer.Typer(help="plans", no_args_is_help=True)
