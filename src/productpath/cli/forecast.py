"""productpath forecast ...: Monte Carlo dates from throughput history and from the roadmap."""

from __future__ import annotations

import typer

from productpath.cli import forecast_roadmap

app = typer.Typer(
    help="Monte Carlo forecasts: when, how many, roadmap, backtest.", no_args_is_help=True
)
forecast_roadmap.register(app)
