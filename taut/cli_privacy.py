"""The `taut` commands of the privacy app."""

from __future__ import annotations

import typer

privacy_app = typer.Typer(help="privacy", no_args_is_help=True)
