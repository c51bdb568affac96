"""productpath feedback ...: (being written)."""

from __future__ import annotations

import typer

app = typer.Typer(help="feedback commands.", no_args_is_help=True)
