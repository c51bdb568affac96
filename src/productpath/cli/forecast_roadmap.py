"""productpath forecast roadmap|compare: simulate the whole roadmap and scenarios."""

from __future__ import annotations

from pathlib import Path

import typer

from productpath.cli.common import JSON_OPTION, SEED_MAX, open_from, print_json
from productpath.cli.roadmap_schedule import START_HELP, parse_day, warn

TRIALS_HELP = "Number of Monte Carlo trials."
SEED_HELP = "Random seed, for a repeatable forecast (default: a fresh one each run)."


def register(app: typer.Typer) -> None:
    """Add the roadmap-wide forecast commands to the ``forecast`` group."""

    @app.command("roadmap")
    def roadmap(
        ctx: typer.Context,
        trials: int = typer.Option(10_000, "--trials", help=TRIALS_HELP),
        seed: int | None = typer.Option(None, "--seed", min=0, max=SEED_MAX, help=SEED_HELP),
        start: str | None = typer.Option(None, "--start", help=START_HELP),
        calibrate: bool = typer.Option(
            False,
            "--calibrate",
            help="Multiply each team's estimates by its calibration factor from "
            "'productpath retro' (teams with too few shipped initiatives keep 1.0).",
        ),
        no_save: bool = typer.Option(
            False,
            "--no-save",
            help="A look only: do not store this run, so the retrospective does not score it.",
        ),
        as_json: bool = JSON_OPTION,
        wide: bool = typer.Option(
            False, "--wide", help="Every column with full dates, however narrow the terminal."
        ),
    ) -> None:
        """Simulate every initiative from its three-point estimate, dependencies and team
        capacity: P50/P85/P95 finish per initiative and the chance of each milestone.

        Each run is stored as a forecast snapshot (not with --no-save). The model is in
        docs/forecast.md.
        """
        from productpath.services.forecasting.planning import roadmap_forecast

        with open_from(ctx) as handle:
            result = roadmap_forecast(
                handle,
                trials=trials,
                seed=seed,
                start=parse_day(start, "--start"),
                calibrate=calibrate,
                save=not no_save,
            )
        if as_json:
            print_json(result.model_dump(mode="json"))
            return
        from productpath.cli.planning_print import print_forecast

        print_forecast(result, wide=wide)
        if result.calibration is not None:
            for team in result.calibration.teams:
                typer.echo(f"calibration: {team.team}: {team.note}")
        warn(result.warnings)

    @app.command("compare")
    def compare(
        ctx: typer.Context,
        scenario: Path = typer.Option(
            ..., "--scenario", dir_okay=False, help="Scenario YAML file (docs/forecast.md)."
        ),
        trials: int = typer.Option(10_000, "--trials", help=TRIALS_HELP),
        seed: int | None = typer.Option(None, "--seed", min=0, max=SEED_MAX, help=SEED_HELP),
        start: str | None = typer.Option(None, "--start", help=START_HELP),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Milestone probabilities with and without a what-if scenario, side by side.

        A scenario adds people or capacity to a team, drops an initiative, starts one first,
        and more; both forecasts share their random draws, so the difference is the scenario's.
        Nothing is stored: the retrospective scores baseline forecasts only.
        """
        from productpath.services.forecasting.planning import compare_scenario

        with open_from(ctx) as handle:
            result = compare_scenario(
                handle, scenario, trials=trials, seed=seed, start=parse_day(start, "--start")
            )
        if as_json:
            print_json(result.model_dump(mode="json"))
            return
        from productpath.cli.planning_print import print_comparison

        print_comparison(result)
        warn(result.warnings)
