"""productpath forecast ...: Monte Carlo dates from throughput history and from the roadmap.

Only typer (and the standard library) is imported at module level; NumPy, the services and Rich
load inside each command so that ``productpath --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from productpath.cli import forecast_roadmap
from productpath.cli.common import JSON_OPTION, SEED_MAX, open_from, print_json

if TYPE_CHECKING:
    from productpath.services.forecasting.forecast import Source

app = typer.Typer(
    help="Monte Carlo forecasts: when, how many, roadmap, backtest.", no_args_is_help=True
)
forecast_roadmap.register(app)


class MethodChoice(StrEnum):
    calibrated = "calibrated"
    replay = "replay"
    plain = "plain"


FROM_CSV = typer.Option(
    None,
    "--from-csv",
    dir_okay=False,
    help="CSV, JSON or JSONL file with one row per completed item.",
)
DATE_COLUMN = typer.Option(
    None, "--date-column", help="Column of --from-csv with the completion date."
)
FROM_HISTORY = typer.Option(
    False,
    "--from-history",
    help="Use the workspace: finished tracker items, else main-line commits (the default).",
)
START = typer.Option(
    None,
    "--start",
    formats=["%Y-%m-%d"],
    help="First day of the forecast, YYYY-MM-DD (default: the day after the last completion).",
)
TRIALS = typer.Option(10_000, "--trials", min=100, help="Monte Carlo trials.")
SEED = typer.Option(None, "--seed", min=0, max=SEED_MAX, help="Seed for reproducible trials.")
NO_SAVE = typer.Option(False, "--no-save", help="A look only: do not store this forecast as a run.")
METHOD = typer.Option(
    MethodChoice.calibrated,
    "--method",
    help=(
        "calibrated (rescaled stretches of real history, levels corrected by past errors), "
        "replay (the same without the correction) or plain (random recent days)."
    ),
)


@app.command()
def when(
    ctx: typer.Context,
    items: int = typer.Option(..., "--items", help="How many items are left to do."),
    from_csv: Path | None = FROM_CSV,
    date_column: str | None = DATE_COLUMN,
    from_history: bool = FROM_HISTORY,
    start: dt.datetime | None = START,
    trials: int = TRIALS,
    seed: int | None = SEED,
    method: MethodChoice = METHOD,
    no_save: bool = NO_SAVE,
    as_json: bool = JSON_OPTION,
) -> None:
    """When will ITEMS more items be done? P50/P85/P95 dates from past throughput."""
    from productpath.cli.forecast_print import print_forecast
    from productpath.services.forecasting.forecast import forecast_when

    source = _source(from_csv, date_column, from_history)
    with open_from(ctx) as handle:
        result = forecast_when(
            handle, source, items=items, start=start.date() if start else None,
            trials=trials, seed=seed, method=method.value, save=not no_save,
        )  # fmt: skip
    if as_json:
        print_json(result.as_dict())
        return
    print_forecast(result)


@app.command("how-many")
def how_many(
    ctx: typer.Context,
    by: dt.datetime = typer.Option(
        ..., "--by", formats=["%Y-%m-%d"], help="Last day counted, YYYY-MM-DD."
    ),
    from_csv: Path | None = FROM_CSV,
    date_column: str | None = DATE_COLUMN,
    from_history: bool = FROM_HISTORY,
    start: dt.datetime | None = START,
    trials: int = TRIALS,
    seed: int | None = SEED,
    method: MethodChoice = METHOD,
    no_save: bool = NO_SAVE,
    as_json: bool = JSON_OPTION,
) -> None:
    """How many items will be done by a date? P50/P85/P95 counts from past throughput."""
    from productpath.cli.forecast_print import print_forecast
    from productpath.services.forecasting.forecast import forecast_how_many

    source = _source(from_csv, date_column, from_history)
    with open_from(ctx) as handle:
        result = forecast_how_many(
            handle, source, by=by.date(), start=start.date() if start else None,
            trials=trials, seed=seed, method=method.value, save=not no_save,
        )  # fmt: skip
    if as_json:
        print_json(result.as_dict())
        return
    print_forecast(result)


@app.command()
def backtest(
    ctx: typer.Context,
    from_csv: Path | None = FROM_CSV,
    date_column: str | None = DATE_COLUMN,
    from_history: bool = FROM_HISTORY,
    horizon_days: int = typer.Option(28, "--horizon-days", min=1, help="Days each forecast spans."),
    cutoffs: int = typer.Option(
        100, "--cutoffs", min=1, help="Past cut-offs, spread evenly after the first year."
    ),
    trials: int = TRIALS,
    seed: int | None = SEED,
    method: MethodChoice = METHOD,
    as_json: bool = JSON_OPTION,
) -> None:
    """How often past P50/P85/P95 "at least N items" forecasts held, at many past cut-offs."""
    from productpath.cli.forecast_print import backtest_progress, print_backtest
    from productpath.services.forecasting.forecast import run_backtest

    source = _source(from_csv, date_column, from_history)
    with open_from(ctx) as handle, backtest_progress():
        report = run_backtest(
            handle, source, horizon_days=horizon_days, cutoffs=cutoffs, trials=trials,
            seed=seed, method=method.value,
        )  # fmt: skip
    if as_json:
        print_json(report.as_dict())
        return
    print_backtest(report)


def _source(from_csv: Path | None, date_column: str | None, from_history: bool) -> Source:
    from productpath.errors import InputError
    from productpath.services.forecasting.forecast import Source

    if from_csv is not None and from_history:
        raise InputError("give either --from-csv or --from-history, not both")
    if from_csv is None and date_column is not None:
        raise InputError("--date-column needs --from-csv")
    if from_csv is not None and date_column is None:
        raise InputError("--from-csv needs --date-column to say which column holds the dates")
    return Source(from_csv, date_column)
