"""productpath competitors ...: the competitive landscape from roadmap.yaml."""

from __future__ import annotations

import typer

app = typer.Typer(help="Competitors and feature gaps.", no_args_is_help=True)
