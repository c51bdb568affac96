"""productpath connect / sources / sync: live sources read through their APIs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

connect_app = typer.Typer(
    help="Register a live source (read through its API by 'productpath sync').",
    no_args_is_help=True,
)
sources_app = typer.Typer(help="List, show and remove live sources.", no_args_is_help=True)


@connect_app.command("github")
def connect_github(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name for the source, used by 'sync NAME'."),
    repo: str = typer.Option(..., "--repo", help="The repository, OWNER/NAME."),
    api_url: str | None = typer.Option(
        None,
        "--api-url",
        help="The REST API root, for GitHub Enterprise (https://HOST/api/v3); "
        "default https://api.github.com.",
    ),
    token_env: str | None = typer.Option(
        None,
        "--token-env",
        help="The NAME of the environment variable holding the token (the token is never "
        "stored). Leave out for a public repository.",
    ),
    every: str | None = typer.Option(
        None, "--every", help="How often it should be synced: 30s, 15m, 2h, 1d."
    ),
) -> None:
    """Register a GitHub repository's issues and pull requests as a source."""
    from productpath.services.work.sources import connect_github as connect

    with open_from(ctx) as handle:
        row = connect(handle, name, repo=repo, api_url=api_url, token_env=token_env, every=every)
    typer.echo(
        f"Connected source '{row.name}' (GitHub {repo} at {row.settings['api_url']}); "
        f"run 'productpath sync {row.name}' to read it"
    )


@sources_app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the sources with their latest sync."""
    from productpath.services.work.sources import list_sources

    with open_from(ctx) as handle:
        rows = list_sources(handle)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo("No sources; add one with 'productpath connect github NAME --repo OWNER/NAME'.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for column in ("name", "kind", "reads", "every", "last sync", "result"):
        table.add_column(column)
    for row in rows:
        last = row.runs[0] if row.runs else None
        table.add_row(
            row.name,
            row.kind,
            row.settings.get("repo", ""),
            row.every or "",
            last.started_at.strftime("%Y-%m-%d %H:%M") if last else "never",
            _result(last.as_dict()) if last else "",
        )
    Console().print(table)


@sources_app.command("show")
def show(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The source's name."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one source: what it reads, its cursor and its latest syncs."""
    from productpath.services.work.sources import show_source

    with open_from(ctx) as handle:
        row = show_source(handle, name)
    if as_json:
        print_json(row.as_dict())
        return
    typer.echo(f"{row.name} ({row.kind})")
    for key, value in row.settings.items():
        typer.echo(f"  {key}: {value}")
    typer.echo(f"  token from: {'$' + row.token_env if row.token_env else 'none (public)'}")
    typer.echo(f"  every: {row.every or 'by hand'}")
    typer.echo(f"  changes read up to: {row.cursor or 'nothing read yet'}")
    for run in row.runs:
        typer.echo(f"  {run.started_at:%Y-%m-%d %H:%M:%S} {_result(run.as_dict())}")
        for reason in run.skipped:
            typer.echo(f"    skipped {reason}")


@sources_app.command("remove")
def remove(ctx: typer.Context, name: str = typer.Argument(..., help="The source's name.")) -> None:
    """Remove a source and its sync log; the items it brought stay."""
    from productpath.services.work.sources import remove_source

    with open_from(ctx) as handle:
        remove_source(handle, name)
    typer.echo(f"Removed source '{name}'")


def sync(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="The source to sync; all of them if left out."),
    full: bool = typer.Option(
        False, "--full", help="Read everything again instead of only what changed."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the reports as JSON."),
) -> None:
    """Pull what changed in the sources since their last sync."""
    from productpath.services.work.source_sync import sync_sources

    with open_from(ctx) as handle, _progress() as progress:
        reports = sync_sources(handle, name, full=full, progress=progress)
    for report in reports:
        for reason in report.skipped:
            typer.echo(f"skipped {reason}", err=True)
    if as_json:
        print_json([report.as_dict() for report in reports])
        return
    if not reports:
        typer.echo("No sources; add one with 'productpath connect github NAME --repo OWNER/NAME'.")
    for report in reports:
        news = "nothing new" if report.not_modified else f"{report.added} new"
        typer.echo(
            f"Synced '{report.source}': {news}, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.skipped)} skipped "
            f"({report.requests} requests, {report.seconds:.1f} s)"
        )


def _result(run: dict[str, Any]) -> str:
    if run["error"]:
        return f"failed: {run['error']}"
    if run["finished_at"] is None:
        return "cut off"
    return (
        f"{run['added']} new, {run['updated']} updated, {run['unchanged']} unchanged, "
        f"{len(run['skipped'])} skipped, {run['requests']} requests"
    )


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int | None], None]]:
    """A bar of pages read per source on stderr (a spinner until the total is known); silent
    when stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("Syncing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(source: str, pages: int, total: int | None) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(source, total=None)
            bar.update(tasks[source], completed=pages, total=total)

        yield update


def register(root: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    root.add_typer(connect_app, name="connect")
    root.add_typer(sources_app, name="sources")
    root.command("sync")(sync)
