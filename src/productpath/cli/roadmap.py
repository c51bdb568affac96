"""productpath roadmap ...: (being written)."""

from __future__ import annotations

import typer

app = typer.Typer(help="roadmap commands.", no_args_is_help=True)
