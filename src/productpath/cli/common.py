"""What every command shares: the workspace option, JSON output, errors as one sentence."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import typer
from typer.core import TyperGroup

from productpath.errors import ProductpathError

if TYPE_CHECKING:  # both pull in pydantic or SQLAlchemy, which ``--help`` must not load
    from productpath.services.workspace import OpenWorkspace
    from productpath.settings import Settings


@dataclass
class CliState:
    workspace: Path | None = None


class ProductpathGroup(TyperGroup):
    """Root group: turns a user's mistake (ProductpathError) into one line on stderr, exit 1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Help is written as plain text, but Typer renders it as Rich markup, where a bracketed
        # word such as "[llm]" is a style tag and vanishes. Every command under this root is
        # built by now (Typer builds fresh commands each time), so escape them all once here.
        escape_help_markup(self)

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except ProductpathError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(1) from exc


def escape_help_markup(command: Any) -> None:
    """Escape Rich markup in the help of ``command``, its options and every command below it."""
    from rich.markup import escape

    for field in ("help", "short_help", "epilog"):
        text = getattr(command, field, None)
        if text:
            setattr(command, field, escape(text))
    for param in command.params:
        if getattr(param, "help", None):
            param.help = escape(param.help)
    for sub in getattr(command, "commands", {}).values():
        escape_help_markup(sub)


def widen_to_fit(console: Any, table: Any) -> None:
    """Let ``console`` print lines as long as ``table`` needs, however narrow the terminal
    (``--wide``: every column, for scrolling or piping, rather than wrapped cells)."""
    from rich.measure import Measurement

    needed = Measurement.get(console, console.options.update_width(1000), table).maximum
    console.width = max(console.width, needed)


def drop_until_fits(console: Any, table: Any, optional: tuple[str, ...]) -> list[str]:
    """Take the ``optional`` columns (by header, in that order) out of ``table`` until every
    cell fits ``console`` on one line; return the headers taken out, for a note under it.
    For tables whose width depends on the data (long keys, dates across years)."""
    from rich.measure import Measurement

    dropped: list[str] = []
    for header in optional:
        needed = Measurement.get(console, console.options.update_width(1000), table).maximum
        if needed <= console.width:
            break
        index = next((n for n, c in enumerate(table.columns) if c.header == header), None)
        if index is not None:
            del table.columns[index]
            dropped.append(header)
    return dropped


def settings_for(ctx: typer.Context) -> Settings:
    """Settings from the environment, with --workspace taking precedence."""
    from productpath.settings import Settings

    state = ctx.find_object(CliState)
    if state is not None and state.workspace is not None:
        return Settings(workspace=state.workspace)
    return Settings()


def open_from(ctx: typer.Context) -> OpenWorkspace:
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
    from productpath.services.whole_files import written_whole

    with (
        written_whole(path, "file") as partial,
        partial.open("w", encoding="utf-8", newline="") as stream,
    ):
        yield stream


def write_atomically(path: Path, content: bytes) -> None:
    """``content`` (text already encoded, or a PDF) at ``path``, whole or not at all."""
    with atomic_output(path) as stream:
        stream.buffer.write(content)


JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")


# Seeds are stored with each run in an INTEGER column (32-bit signed on PostgreSQL).
SEED_MAX = 2**31 - 1


@contextmanager
def progress_bar(description: str, file: Path) -> Iterator[Callable[[int], None]]:
    """A progress bar for an import from ``file``, with a row count, on stderr; silent when
    stderr is not a terminal. Yields a function to call with the rows done so far.

    The total is the file's line count: one row per line for CSV and JSONL (a quoted field
    that spans lines makes it an over-estimate, so the bar is filled when the import ends).
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    total = _line_count(file) if console.is_terminal else None
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)
        bar.update(task, total=bar.tasks[0].completed or 1)


def _line_count(file: Path) -> int | None:
    """Lines in ``file`` less a header line, read in blocks; None when it cannot be read."""
    try:
        with file.open("rb") as stream:
            lines = sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
    except OSError:
        return None
    return max(lines - 1, 1)
