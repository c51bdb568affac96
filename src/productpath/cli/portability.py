"""`productpath backup, restore, export --all, import --all`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json, settings_for


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("export")(export_all)
    app.command("import")(import_all)


def backup(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="File to write (a .tar.gz for SQLite workspaces)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Back up the workspace to OUT: a consistent snapshot, safe while others write.

    SQLite: productpath.toml and the database in one .tar.gz. PostgreSQL: runs pg_dump (custom
    format), or says exactly what to run when pg_dump is not installed.
    """
    from productpath import workspace as ws
    from productpath.services.backup import backup as run_backup

    settings = settings_for(ctx)
    workspace = ws.load(settings.workspace, settings.database_url)
    result = run_backup(workspace, out)
    if json_out:
        print_json(
            {
                "path": str(result.path),
                "kind": result.kind,
                "bytes": result.size,
                "schema_revision": result.schema_revision,
            }
        )
        return
    typer.echo(f"Backed up to {result.path} ({result.kind}, {result.size:,} bytes)")


def restore(
    ctx: typer.Context,
    source: Path = typer.Argument(..., help="A backup written by 'productpath backup'."),
    force: bool = typer.Option(
        False, "--force", help="Replace a workspace that already holds data."
    ),
) -> None:
    """Restore a backup into the workspace, after checking its integrity.

    Refuses to replace a workspace that holds data unless --force; the SQLite database it
    replaces is kept beside it as productpath.db.before-restore-<time>.
    """
    from productpath.services.backup import restore as run_restore

    settings = settings_for(ctx)
    result = run_restore(settings.workspace, settings.database_url, source, force=force)
    typer.echo(f"Restored {source} (schema revision {result.schema_revision or 'as dumped'})")
    if result.kept_previous is not None:
        typer.echo(f"The database it replaced is kept at {result.kept_previous}")


def export_all(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="Folder to create, or a file ending in .zip."),
    all_tables: bool = typer.Option(
        False, "--all", help="Export every object and link of the workspace (required)."
    ),
    credentials: bool = typer.Option(
        False,
        "--include-credentials",
        help="Also export password hashes and API token hashes (left out by default).",
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Export the whole workspace as versioned JSON Lines, one file per table (see docs/backup.md).

    To export only feedback as CSV or JSON, use 'productpath feedback export'.
    """
    from productpath.errors import InputError
    from productpath.services.portability import export_all as run_export

    if not all_tables:
        raise InputError(
            "say --all to export the whole workspace "
            "(for feedback alone: productpath feedback export)",
            field="--all",
        )
    with open_from(ctx) as handle, _progress("Exporting") as progress:
        summary = run_export(handle, out, credentials=credentials, progress=progress)
    if json_out:
        print_json(
            {
                "path": str(summary.path),
                "schema_revision": summary.schema_revision,
                "credentials": summary.credentials,
                "tables": {t.name: t.rows for t in summary.tables},
            }
        )
        return
    typer.echo(f"Exported {summary.rows:,} rows in {len(summary.tables)} tables to {summary.path}")


def import_all(
    ctx: typer.Context,
    source: Path = typer.Argument(..., help="An export folder or .zip from 'export --all'."),
    all_tables: bool = typer.Option(
        False, "--all", help="Import a whole-workspace export (required)."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Load a whole-workspace export into an EMPTY workspace, in one transaction, ids kept.

    The workspace folder is created when missing (with the export's productpath.toml); with
    PRODUCTPATH_DATABASE_URL set, the data goes into that (empty) PostgreSQL database.
    """
    from productpath.errors import InputError
    from productpath.services.portability import import_all as run_import

    if not all_tables:
        raise InputError(
            "say --all to import a whole-workspace export "
            "(for feedback files: productpath feedback import)",
            field="--all",
        )
    settings = settings_for(ctx)
    with _progress("Importing") as progress:
        summary = run_import(
            settings.workspace, source, database_url=settings.database_url, progress=progress
        )
    if json_out:
        print_json(
            {
                "product": summary.product,
                "tables": {t.name: t.rows for t in summary.tables},
                "warnings": summary.warnings,
            }
        )
        return
    typer.echo(f"Imported {summary.rows:,} rows in {len(summary.tables)} tables")
    for warning in summary.warnings:
        typer.echo(f"note: {warning}", err=True)


@contextmanager
def _progress(verb: str) -> Iterator[Callable[[str, int, int], None]]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    # Off when stderr is not a terminal: a transient bar still ends with a newline there,
    # which would put a blank line before an error message.
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(verb, total=None)

        def report(table: str, done: int, total: int) -> None:
            bar.update(task, description=f"{verb} {table}".rstrip(), completed=done, total=total)

        yield report
