"""productpath retro: forecasts and estimates against what happened, and shipped outcomes."""

from __future__ import annotations

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json


def retro(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    wide: bool = typer.Option(
        False, "--wide", help="Every column, however narrow the terminal (lines may be long)."
    ),
) -> None:
    """Retrospective: hit rates of stored roadmap forecasts (P50/P85/P95), estimate
    calibration per team, and whether shipped initiatives moved their target KPI."""
    from productpath.services.forecasting.retro import outcome_review, retrospective

    with open_from(ctx) as handle:
        result = retrospective(handle)
        outcomes = outcome_review(handle)
    if as_json:
        print_json(
            {
                "forecasts": result.forecasts.model_dump(mode="json"),
                "estimates": result.estimates.model_dump(mode="json"),
                "outcomes": [row.model_dump(mode="json") for row in outcomes],
            }
        )
        return
    from productpath.cli.retro_print import print_retro

    print_retro(result, outcomes, wide=wide)


def register(app: typer.Typer) -> None:
    app.command("retro")(retro)
