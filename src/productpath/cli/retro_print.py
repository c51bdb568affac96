"""Rich rendering for ``productpath retro``; imported only when something is printed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Column, Table

from productpath.domain.formatting import plain_number
from productpath.learning.retro import HitRates
from productpath.services.forecasting.retro import OutcomeRow, Retro


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else plain_number(round(value, digits))


def _cells(*headers: str, prose: str = "") -> list[Column]:
    """Columns that never wrap (keys, dates, numbers), but for ``prose``, which wraps between
    words; a narrow terminal leaves columns out instead (see :func:`_fit`)."""
    return [Column(h, no_wrap=h != prose, ratio=1 if h == prose else None) for h in headers]


def _fit(console: Console, table: Table, optional: tuple[str, ...], *, wide: bool) -> None:
    """Print ``table``: with ``wide`` every column, however wide; otherwise without the
    ``optional`` columns (in that order) that keep a key, date or word from fitting, named in
    a line under it."""
    dropped: list[str] = []
    unbounded = console.options.update_width(1000)  # else the measure is capped at the width
    if wide:
        console.width = max(console.width, Measurement.get(console, unbounded, table).maximum)
    for header in () if wide else optional:
        if Measurement.get(console, unbounded, table).minimum <= console.width:
            break
        table.columns[:] = [c for c in table.columns if c.header != header]
        dropped.append(header)
    console.print(table)
    if dropped:
        hidden = ", ".join(dropped)
        console.print(f"[dim]{hidden[0].upper()}{hidden[1:]}: --wide, or a wider terminal.[/]")


def _rates_table(title: str, rows: Sequence[HitRates]) -> Table:
    # "hit" is in the title: the headers stay short enough for one line in 80 columns.
    headers = ("group", "n", "initiatives", "P50", "P85", "P95")
    table = Table(*_cells(*headers), title=f"{title}: share of forecasts hit")
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


def print_retro(result: Retro, outcomes: Sequence[OutcomeRow], *, wide: bool = False) -> None:
    console = Console(highlight=False)
    forecasts = result.forecasts
    console.print(
        f"[bold]Forecast retrospective[/] ({forecasts.snapshots} stored roadmap forecasts; "
        "a calibrated forecast hits about 50% / 85% / 95%)"
    )
    if forecasts.overall is not None:
        for title, rows in (
            ("overall", [forecasts.overall]),
            ("by team", forecasts.by_team),
            ("by month of the forecast", forecasts.by_month),
        ):
            _fit(console, _rates_table(title, rows), ("initiatives",), wide=wide)
    for caveat in forecasts.caveats:
        console.print(f"note: {escape(caveat)}")

    estimates = result.estimates
    console.print("\n[bold]Estimate retrospective[/] (actual ideal weeks vs PERT mean)")
    if estimates.rows:
        headers = ("initiative", "team", "started", "shipped", "actual", "likely", "PERT", "x")
        table = Table(*_cells(*headers))
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
        _fit(console, table, ("likely", "team", "started"), wide=wide)
        # The factor is the median of actual/PERT: said in the title, so the header is one line.
        teams = Table(
            *_cells("team", "n", "factor", "vs likely", "enough data"),
            title="Per team: factor = median actual/PERT",
        )
        for team in estimates.teams:
            teams.add_row(
                team.team,
                str(team.n),
                _num(team.factor, 2),
                _num(team.likely_factor, 2),
                "yes" if team.enough else "no",
            )
        _fit(console, teams, ("vs likely",), wide=wide)
    for caveat in estimates.caveats:
        console.print(f"note: {escape(caveat)}")

    console.print("\n[bold]Outcome review[/] (target KPI before and after shipping)")
    if not outcomes:
        console.print("No done initiative names a target_kpi in roadmap.yaml yet.")
        return
    outcome_headers = ("initiative", "kpi", "shipped", "verdict", "effect", "95% interval", "note")
    table = Table(*_cells(*outcome_headers, prose="note"))
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
    _fit(console, table, ("95% interval", "kpi", "effect"), wide=wide)
    read = [entry.outcome for entry in outcomes if entry.outcome is not None]
    if read:
        console.print(f"method: {escape(read[0].method)}")
        console.print(f"limits: {escape(read[0].limits)}")
