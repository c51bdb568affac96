"""What every command shares: the workspace option, JSON output, errors as one sentence."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from productpath.errors import ProductpathError


@dataclass
class CliState:
    workspace: Path | None = None


class ProductpathGroup(TyperGroup):
    """Root group: turns a user's mistake (ProductpathError) into one line on stderr, exit 1."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except ProductpathError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(1) from exc


def settings_for(ctx: typer.Context) -> Any:
    """Settings from the environment, with --workspace taking precedence."""
    from productpath.settings import Settings

    state = ctx.find_object(CliState)
    if state is not None and state.workspace is not None:
        return Settings(workspace=state.workspace)
    return Settings()


def open_from(ctx: typer.Context) -> Any:
    """The workspace this command works on, opened (use as a context manager)."""
    from productpath.services.workspace import open_workspace

    return open_workspace(settings_for(ctx))


def print_json(data: Any) -> None:
    """Machine-readable output: stable key order, dates as ISO strings."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str, ensure_ascii=False))
    sys.stdout.write("\n")


JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")
