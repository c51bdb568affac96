"""productpath git ...: read a repository's history into the workspace, list repositories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from productpath.cli.common import JSON_OPTION, CliState, open_from, print_json

app = typer.Typer(help="Read git history into the workspace.", no_args_is_help=True)


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The repository folder (a clone with a work tree)."),
    name: str | None = typer.Option(
        None, "--name", help="Store it under this name (default: the folder name)."
    ),
    branch: str | None = typer.Option(
        None,
        "--branch",
        help="Branch to read (default: the one read last time, else the checked-out branch).",
    ),
    mailmap: Path | None = typer.Option(
        None,
        "--mailmap",
        dir_okay=False,
        help="An extra mailmap file, applied on top of the repository's own .mailmap.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Read the history of PATH: commits, files changed, merges, tags and who wrote them.

    A second run reads only the commits added since the first.
    """
    from productpath.services.work.git_quick import quick_look

    state = ctx.find_object(CliState)
    # A first look before the workspace is opened the usual way: a no-op run stays well under
    # 0.5 s, and a first full read starts git while the database layer is still importing.
    look = quick_look(
        state.workspace if state else None, path, name=name, branch=branch, mailmap=mailmap
    )
    report: Any = look.up_to_date
    try:
        if report is None:
            from productpath.services.work.git import ingest_repository

            with open_from(ctx) as handle, _progress(f"Reading {path}", quiet=as_json) as bar:
                on_total, progress = bar
                report = ingest_repository(
                    handle,
                    path,
                    name=name,
                    branch=branch,
                    mailmap=mailmap,
                    progress=progress,
                    on_total=on_total,
                    started=look.started,
                )
    finally:
        look.close()
    if as_json:
        print_json(report.as_dict())
        return
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(_summary(report))


def _summary(report: Any) -> str:
    head = f"{report.branch} at {report.head_sha[:12]}"
    if report.up_to_date:
        return f"Repository '{report.repository}' is up to date ({head}); nothing to read"
    parts = [
        f"{report.commits_added:,} commits ({report.merges:,} merges)",
        f"{report.file_changes:,} file changes",
        f"{report.tags:,} tags",
        f"{report.authors:,} authors ({report.contributors_added:,} new contributors)",
    ]
    how = {"full": "Read", "incremental": "Read new history:", "rewritten": "Re-read"}
    return f"{how[report.mode]} {', '.join(parts)} from '{report.repository}' ({head})"


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the repositories read into the workspace, with commit and contributor counts."""
    from productpath.services.work.git import list_repositories

    with open_from(ctx) as handle:
        rows = list_repositories(handle)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo("No repositories yet; read one with 'productpath git ingest PATH'.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "branch", "commits", "contributors", "first", "last", "head", "path")
    for row in rows:
        first = row.first_commit_at.date().isoformat() if row.first_commit_at else ""
        last = row.last_commit_at.date().isoformat() if row.last_commit_at else ""
        head = (row.head_sha or "")[:12]
        cells = (f"{row.commits:,}", str(row.contributors), first, last, head)
        table.add_row(row.name, row.branch, *cells, row.path)
    Console().print(table)


@contextmanager
def _progress(
    description: str, *, quiet: bool
) -> Iterator[tuple[Callable[[int], None] | None, Callable[[int], None] | None]]:
    """(set the total, report commits read) for a bar on stderr; (None, None) off a terminal,
    so that nothing is spent counting commits for a bar no one sees."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("commits"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    if quiet or not console.is_terminal:
        yield None, None
        return
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield (
            lambda total: bar.update(task, total=total),
            lambda done: bar.update(task, completed=done),
        )
