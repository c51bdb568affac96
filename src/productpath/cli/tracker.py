"""productpath tracker ...: import issue-tracker exports (GitHub, Jira) and list the items."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

app = typer.Typer(
    help="Import issues and pull requests from GitHub or Jira exports, and list them.",
    no_args_is_help=True,
)


class TrackerFormat(StrEnum):
    github = "github"
    jira = "jira"


class StatusCategory(StrEnum):
    todo = "todo"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


@app.command("import")
def import_(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(
        ...,
        metavar="FILE",
        help="Export files: GitHub REST API JSON (pages of issues or pulls) or Jira CSV.",
    ),
    fmt: TrackerFormat = typer.Option(
        ..., "--format", help="github (REST API JSON) or jira (CSV, all fields)."
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Skip bad items (each one reported) instead of stopping."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import issues and pull requests. Idempotent: the same export again changes nothing."""
    from productpath.services.work.tracker import import_tracker

    with open_from(ctx) as handle, _progress("Importing tracker items") as progress:
        report = import_tracker(
            handle, files, fmt=fmt.value, skip_invalid=skip_invalid, progress=progress
        )
    for skip in report.skipped:
        typer.echo(f"skipped {skip}", err=True)
    if as_json:
        print_json(report.as_dict())
        return
    where = str(files[0]) if len(files) == 1 else f"{len(files)} files"
    typer.echo(
        f"Imported {report.added} new, {report.updated} updated, {report.unchanged} unchanged "
        f"items from {where} (source '{report.source}'); {report.status_changes} status "
        f"changes recorded; {len(report.skipped)} skipped"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    status: StatusCategory | None = typer.Option(
        None, "--status", help="Only items in this status category."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show at most N items."),
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """List the imported tracker items, oldest first."""
    from productpath.services.work.tracker import list_tracker_items

    with open_from(ctx) as handle:
        rows = list_tracker_items(
            handle, status_category=status.value if status else None, limit=limit
        )
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo("No tracker items; add some with 'productpath tracker import FILE --format F'.")
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Column, Table

    from productpath.cli.common import drop_until_fits, widen_to_fit

    # One line per item, keys and dates whole (keys are what users copy): in a narrow terminal
    # the category, type, assignee, status and title are left out in that order until it fits.
    headers = ("key", "type", "status", "category", "assignee", "opened", "title")
    table = Table(*(Column(h, no_wrap=True) for h in headers))
    for row in rows:
        title = row.title if len(row.title) <= 60 else row.title[:59] + "…"
        cells = (row.key, row.item_type, row.status, row.status_category, row.assignee or "")
        table.add_row(*(escape(c) for c in (*cells, row.opened_at.date().isoformat(), title)))
    console = Console()
    if wide:
        widen_to_fit(console, table)
        dropped = []
    else:
        optional = ("category", "type", "assignee", "status", "title")
        dropped = drop_until_fits(console, table, optional)
    console.print(table)
    if dropped:
        console.print(f"[dim]{', '.join(dropped).capitalize()}: --wide, or a wider terminal.[/]")


@contextmanager
def _progress(description: str) -> Iterator[Callable[[int], None]]:
    """A spinner with the count of items written, on stderr; silent when not a terminal."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} items"),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done: bar.update(task, completed=done)
