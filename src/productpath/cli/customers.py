"""productpath customers ...: import customers (segments, revenue) and list them."""

from __future__ import annotations

from pathlib import Path

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

app = typer.Typer(
    help="Import and list customers, their segments and revenue.", no_args_is_help=True
)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="CSV with the header id,name[,segment][,annual_revenue]."
    ),
) -> None:
    """Import customers from FILE: new ones are added, known ones (same id) updated."""
    from productpath.services.customers import import_customers

    with open_from(ctx) as handle:
        report = import_customers(handle, file)
    typer.echo(
        f"Imported customers from {file}: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List customers with their segment, annual revenue and feedback count."""
    from productpath.services.customers import list_customers

    with open_from(ctx) as handle:
        rows = list_customers(handle)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo("No customers yet; add some with 'productpath customers import FILE'.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "name", "segment", "annual revenue", "feedback")
    for row in rows:
        revenue = "" if row.annual_revenue is None else f"{row.annual_revenue:,.2f}"
        table.add_row(row.id, row.name, row.segment or "", revenue, str(row.feedback_count))
    Console().print(table)
