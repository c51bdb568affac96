"""Rich rendering for ``productpath retro``; imported only when something is printed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from productpath.domain.formatting import plain_number
from productpath.learning.retro import HitRates
from productpath.services.forecasting.retro import OutcomeRow, Retro


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else plain_number(round(value, digits))


def _rates_table(title: str, rows: Sequence[HitRates]) -> Table:
    table = Table("group", "n", "initiatives", "P50 hit", "P85 hit", "P95 hit", title=title)
    for row in rows:
        table.add_row(
            escape(row.group),
            str(row.n),
            str(row.initiatives),
            f"{row.p50:.0%}",
            f"{row.p85:.0%}",
            f"{row.p95:.0%}",
        )
    return table


def print_retro(result: Retro, outcomes: Sequence[OutcomeRow]) -> None:
    console = Console(highlight=False)
    forecasts = result.forecasts
    console.print(
        f"[bold]Forecast retrospective[/] ({forecasts.snapshots} stored roadmap forecasts; "
        "a calibrated forecast hits about 50% / 85% / 95%)"
    )
    if forecasts.overall is not None:
        console.print(_rates_table("overall", [forecasts.overall]))
        console.print(_rates_table("by team", forecasts.by_team))
        console.print(_rates_table("by month of the forecast", forecasts.by_month))
    for caveat in forecasts.caveats:
        console.print(f"note: {escape(caveat)}")

    estimates = result.estimates
    console.print("\n[bold]Estimate retrospective[/] (actual ideal weeks vs PERT mean)")
    if estimates.rows:
        table = Table("initiative", "team", "started", "shipped", "actual", "likely", "PERT", "x")
        for row in estimates.rows:
            table.add_row(
                row.key,
                row.team,
                row.started.isoformat(),
                row.finished.isoformat(),
                _num(row.actual_ideal_weeks, 1),
                _num(row.likely, 1),
                _num(row.pert_mean, 1),
                _num(row.ratio, 2),
            )
        console.print(table)
        teams = Table("team", "n", "factor (median actual/PERT)", "vs likely", "enough data")
        for team in estimates.teams:
            teams.add_row(
                team.team,
                str(team.n),
                _num(team.factor, 2),
                _num(team.likely_factor, 2),
                "yes" if team.enough else "no",
            )
        console.print(teams)
    for caveat in estimates.caveats:
        console.print(f"note: {escape(caveat)}")

    console.print("\n[bold]Outcome review[/] (target KPI before and after shipping)")
    if not outcomes:
        console.print("No done initiative names a target_kpi in roadmap.yaml yet.")
        return
    table = Table("initiative", "kpi", "shipped", "verdict", "effect", "95% interval", "note")
    for entry in outcomes:
        o = entry.outcome
        interval = f"{_num(o.low)} to {_num(o.high)}" if o and o.low is not None else "-"
        table.add_row(
            entry.initiative,
            entry.kpi,
            o.ship_day.isoformat() if o else "-",
            o.verdict if o else "-",
            _num(o.effect) if o else "-",
            interval,
            escape(entry.note),
        )
    console.print(table)
    read = [entry.outcome for entry in outcomes if entry.outcome is not None]
    if read:
        console.print(f"method: {escape(read[0].method)}")
        console.print(f"limits: {escape(read[0].limits)}")
