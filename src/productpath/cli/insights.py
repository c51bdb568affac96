"""productpath insights ...: analyse the workspace's feedback (themes, sentiment, kind, trends)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Analyse feedback: themes, sentiment, kind and trends.", no_args_is_help=True
)
