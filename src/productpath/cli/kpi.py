"""productpath kpi ...: import KPI values, list KPIs, show one with its trend and anomalies."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json, progress_bar

app = typer.Typer(help="Import KPIs and read their trends and anomalies.", no_args_is_help=True)


class InputFormat(StrEnum):
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


def parse_day(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option as a date; one-line InputError otherwise."""
    from productpath.errors import InputError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"'{value}' is not a date (use YYYY-MM-DD)", field=option) from None


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV, JSON (an array of objects) or JSONL file."),
    date_column: str = typer.Option(..., "--date-column", help="Column with the date."),
    value_column: str = typer.Option(..., "--value-column", help="Column with the value."),
    metric_column: str | None = typer.Option(
        None, "--metric-column", help="Column with the KPI's name (one file, many KPIs)."
    ),
    metric: str | None = typer.Option(
        None, "--metric", help="The KPI's name, when the file holds one KPI and no name column."
    ),
    segment_column: str | None = typer.Option(
        None, "--segment-column", help="Column with a segment (e.g. platform or plan)."
    ),
    unit: str | None = typer.Option(None, "--unit", help="Unit of new KPIs (e.g. '%', 'users')."),
    source: str | None = typer.Option(
        None, "--source", help="Name of the source (default: the file name without extension)."
    ),
    file_format: InputFormat | None = typer.Option(
        None, "--format", help="File format (default: from the extension)."
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Skip bad rows (each one reported) instead of stopping."
    ),
) -> None:
    """Import KPI values from FILE, one value per row. Idempotent: re-running changes nothing."""
    from productpath.errors import InputError
    from productpath.services.learning.kpis import import_kpis

    with open_from(ctx) as handle, progress_bar(f"Importing {file}", file) as progress:
        report = import_kpis(
            handle,
            file,
            date_column=date_column,
            value_column=value_column,
            metric_column=metric_column,
            metric=metric,
            segment_column=segment_column,
            unit=unit,
            source=source,
            file_format=file_format.value if file_format else None,
            skip_invalid=skip_invalid,
            progress=progress,
        )
    for skip in report.skipped:
        where = InputError(skip.reason, file=file, line=skip.line, field=skip.field)
        typer.echo(f"skipped {where}", err=True)
    if report.out_of_order:
        typer.echo(
            f"note: {report.out_of_order} rows were not in date order; they are stored by date",
            err=True,
        )
    kpis = ", ".join(report.kpis) or "none"
    typer.echo(
        f"Imported {report.added} new values from {file} into {len(report.kpis)} KPIs ({kpis}); "
        f"{report.updated} restated; {report.unchanged} already present; "
        f"{len(report.skipped)} skipped"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """List the KPIs with their span and latest value."""
    from productpath.services.learning.kpis import list_kpis

    with open_from(ctx) as handle:
        rows = list_kpis(handle)
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    if not rows:
        typer.echo("No KPIs yet; add some with 'productpath kpi import FILE'.")
        return
    from productpath.cli.kpi_print import print_kpis

    print_kpis(rows, wide=wide)


@app.command("show")
def show(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The KPI's key or name."),
    segment: str = typer.Option("", "--segment", help="One segment's series (default: all)."),
    since: str | None = typer.Option(None, "--from", help="First date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--to", help="Last date (YYYY-MM-DD)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a KPI: its trend (robust, weekly-seasonal where it is) and anomalies with sizes."""
    from productpath.services.learning.kpi_detail import kpi_detail

    start, end = parse_day(since, "--from"), parse_day(until, "--to")
    with open_from(ctx) as handle:
        detail = kpi_detail(handle, name, segment=segment, start=start, end=end)
    if as_json:
        print_json(detail.model_dump(mode="json", exclude={"product"}))
        return
    from productpath.cli.kpi_print import print_kpi

    print_kpi(detail)
