"""productpath themes ...: the themes the insight engine found."""

from __future__ import annotations

import typer

app = typer.Typer(help="Themes found in feedback: list and show.", no_args_is_help=True)
