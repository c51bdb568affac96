"""What every command shares: the workspace option, JSON output, errors as one sentence."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

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


@contextmanager
def atomic_output(path: Path) -> Iterator[TextIO]:
    """A text file that appears at ``path`` only when the block finishes without error.

    It is written beside ``path`` and renamed over it, so a failed export never leaves a
    half-written file, and an older file at ``path`` stays intact until the new one is whole.
    """
    from productpath.errors import InputError

    if not path.parent.is_dir():
        raise InputError("the folder to write into does not exist", file=path.parent)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        partial.replace(path)
    except OSError as exc:
        raise InputError(f"cannot write the file: {exc.strerror}", file=path) from exc
    finally:
        partial.unlink(missing_ok=True)


JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")


# Seeds are stored with each run in an INTEGER column (32-bit signed on PostgreSQL).
SEED_MAX = 2**31 - 1
