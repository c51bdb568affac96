"""productpath roadmap schedule: place initiatives on teams over calendar weeks."""

from __future__ import annotations

import datetime as dt

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

START_HELP = "First day of work, YYYY-MM-DD (default: today)."


def parse_day(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option as a date; anything else is one clear error naming the option."""
    from productpath.errors import InputError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"'{value}' is not a date written as YYYY-MM-DD", field=option) from None


def warn(lines: tuple[str, ...] | list[str]) -> None:
    for line in lines:
        typer.echo(f"warning: {line}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``schedule`` to the ``roadmap`` group."""

    @app.command()
    def schedule(
        ctx: typer.Context,
        start: str | None = typer.Option(None, "--start", help=START_HELP),
        as_json: bool = JSON_OPTION,
        wide: bool = typer.Option(
            False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
        ),
    ) -> None:
        """Place initiatives on their teams by dependencies, capacity and priority.

        Prints each initiative's start and finish dates, the critical path and the milestones
        the schedule misses. The model is in docs/planning.md.
        """
        from productpath.services.forecasting.planning import roadmap_schedule

        with open_from(ctx) as handle:
            plan = roadmap_schedule(handle, start=parse_day(start, "--start"))
        if as_json:
            print_json(plan.model_dump(mode="json"))
            return
        from productpath.cli.planning_print import print_schedule

        print_schedule(plan, wide=wide)
        warn(plan.warnings)
