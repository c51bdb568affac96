"""`productpath db upgrade|current`."""

from __future__ import annotations

import typer

from productpath.cli.common import JSON_OPTION, print_json, settings_for

app = typer.Typer(
    help="The workspace database's schema: its revision, and migrating it.",
    no_args_is_help=True,
)


def _rev(revision: str | None) -> str:
    return revision or "(empty)"


@app.command("upgrade")
def upgrade(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Migrate the workspace's database (SQLite, or PRODUCTPATH_DATABASE_URL) to the newest
    schema and print the revision before and after. Safe to run twice: a current database is
    left as it is."""
    from productpath.services.schema import upgrade_schema

    result = upgrade_schema(settings_for(ctx))
    if as_json:
        print_json(result.as_dict())
    elif result.changed:
        typer.echo(f"Upgraded {result.database}: {_rev(result.before)} -> {_rev(result.after)}")
    else:
        typer.echo(f"{result.database} is already at the newest revision {_rev(result.after)}")


@app.command("current")
def current(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print the database's schema revision and whether it is behind this productpath (read
    only: nothing is migrated)."""
    from productpath.services.schema import schema_state

    state = schema_state(settings_for(ctx))
    if as_json:
        print_json(state.as_dict())
        return
    typer.echo(f"{state.database}: revision {_rev(state.current)}")
    if state.behind:
        typer.echo(f"behind: the newest is {_rev(state.head)}; run 'productpath db upgrade'")
    else:
        typer.echo("up to date")


def register(root: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    root.add_typer(app, name="db")
