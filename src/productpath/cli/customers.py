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
def list_(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """List customers with their segment, annual revenue and feedback count."""
    from productpath.services.listings import list_customers

    with open_from(ctx) as handle:
        rows = list_customers(handle)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        typer.echo("No customers yet; add some with 'productpath customers import FILE'.")
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Column, Table

    from productpath.cli.common import drop_until_fits, widen_to_fit

    # One line per customer, ids whole (other commands take them): in a narrow terminal the
    # segment, then the feedback count, then the revenue are left out until the rest fits.
    headers = ("id", "name", "segment", "revenue", "feedback")
    table = Table(*(Column(h, no_wrap=True) for h in headers))
    for row in rows:
        revenue = "" if row.annual_revenue is None else f"{row.annual_revenue:,.2f}"
        cells = (row.id, row.name, row.segment or "", revenue, str(row.feedback_count))
        table.add_row(*(escape(cell) for cell in cells))
    console = Console()
    if wide:
        widen_to_fit(console, table)
        dropped = []
    else:
        dropped = drop_until_fits(console, table, ("segment", "feedback", "revenue"))
    console.print(table)
    if dropped:
        console.print(f"[dim]{', '.join(dropped).capitalize()}: --wide, or a wider terminal.[/]")
