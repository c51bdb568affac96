"""Rich rendering for the schedule, the roadmap forecast and scenario comparisons.

Kept apart from the command modules so that Rich is imported only when something is printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from productpath.cli.common import drop_until_fits, widen_to_fit
from productpath.planning.roadmap_sim import RoadmapForecast
from productpath.planning.schedule import Schedule
from productpath.services.forecasting.planning import Comparison

_MET = {True: "[green]in time[/]", False: "[red]late[/]", None: "-"}


def _console() -> Console:
    return Console(highlight=False)


def _fit(table: Table) -> Table:
    """Dates and figures never shrink to "2026-1…": ids and names wrap instead."""
    for column in table.columns:
        header = str(column.header)
        if header in {"initiative", "team", "milestone", "why"}:
            column.overflow = "fold"
        else:
            column.no_wrap = True
    return table


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


# From this many columns on, the forecast table shows every column with full dates; narrower
# terminals get the essential columns and short dates, so no cell wraps in 80 columns.
WIDE_AT = 110


def _short_date(value: dt.date | None) -> str:
    return f"{value:%b} {value.day}" if value else "-"


def _date_format(
    dates: Iterable[dt.date | None], short: bool
) -> tuple[Callable[[dt.date | None], str], str]:
    """How to write the dates of one table, and what the title must add: "Mar 14" when the
    table is narrow and every date is in one year (the title then names the year)."""
    years = {d.year for d in dates if d is not None}
    if short and len(years) == 1:
        return _short_date, f" in {years.pop()}"
    return _date, ""


def _chance(value: float | None) -> str:
    if value is None:
        return "-"
    colour = "green" if value >= 0.85 else "yellow" if value >= 0.5 else "red"
    return f"[{colour}]{value:.0%}[/]"


def print_schedule(plan: Schedule, *, wide: bool = False) -> None:
    """The schedule; below :data:`WIDE_AT` columns (unless ``wide``) without the milestone
    column (the milestones' own table follows), so no cell wraps in 80 columns."""
    console = _console()
    full = wide or console.width >= WIDE_AT
    headers = ("initiative", "team", "start", "finish", "milestone")
    table = _fit(Table(*(headers if full else headers[:4])))
    table.title = f"Schedule from {plan.start.isoformat()} (priority: {plan.priority_source})"
    for slot in plan.slots:
        key = escape(slot.key) + (" [bold]*[/]" if slot.critical else "")
        cells = [key, escape(slot.team), _date(slot.start), _date(slot.finish)]
        table.add_row(*cells, *([escape(slot.milestone or "")] if full else []))
    if wide:
        widen_to_fit(console, table)
    console.print(table)
    if not full:
        console.print("[dim]Milestone column: --wide, or a wider terminal.[/]")
    if plan.critical_path:
        console.print("Critical path (*): " + " -> ".join(escape(k) for k in plan.critical_path))
    if plan.finish:
        console.print(f"Everything scheduled is done by {plan.finish.isoformat()}.")
    if plan.milestones:
        table = _fit(Table("milestone", "target", "planned finish", "verdict"))
        table.title = "Milestones"
        for m in plan.milestones:
            verdict = _MET[m.met] if m.met is not None else escape(m.explanation)
            if m.met is False:
                verdict += f" ({m.days_late} days)"
            table.add_row(escape(m.key), _date(m.target_date), _date(m.finish), verdict)
        console.print(table)
    at_risk = plan.at_risk
    if at_risk:
        console.print(
            "[red]Milestones the schedule misses:[/] "
            + ", ".join(f"{escape(m.key)} ({m.days_late} days late)" for m in at_risk)
        )
    if plan.done:
        console.print(f"Done already: {', '.join(plan.done)}")


def print_forecast(result: RoadmapForecast, *, wide: bool = False) -> None:
    """The forecast tables; below :data:`WIDE_AT` columns (unless ``wide``) without the plan
    and milestone columns and with short dates, so they fit an 80-column terminal."""
    console = _console()
    full = wide or console.width >= WIDE_AT
    rows = result.initiatives
    shown, year = _date_format(
        [d for i in rows for d in (i.planned_finish, i.finish.p50, i.finish.p85, i.finish.p95)],
        short=not full,
    )
    percentiles = ("P50", "P85", "P95")
    headers = (
        ("initiative", "team", "plan", *percentiles, "milestone")
        if full
        else (
            "initiative",
            "team",
            *percentiles,
        )
    )
    table = _fit(Table(*headers))
    table.title = (
        f"Finish dates{year}, {result.trials:,} trials from {result.start.isoformat()}"
        f" (seed {result.seed})"
    )
    for i in rows:
        finish = [shown(i.finish.p50), shown(i.finish.p85), shown(i.finish.p95)]
        cells = [escape(i.key), escape(i.team)]
        if full:
            table.add_row(*cells, shown(i.planned_finish), *finish, escape(i.milestone or ""))
        else:
            table.add_row(*cells, *finish)
    # Dates across two years are ISO: with long keys the team column may not fit then.
    dropped = [] if full else drop_until_fits(console, table, ("team",))
    if wide:
        widen_to_fit(console, table)
    console.print(table)
    if not full:
        more = "Team, plan" if dropped else "Plan"
        console.print(f"[dim]{more} and milestone columns: --wide, or a wider terminal.[/]")
    if result.milestones:
        dates = [m.target_date for m in result.milestones]
        dates += [d for m in result.milestones if m.finish for d in (m.finish.p50, m.finish.p95)]
        shown, year = _date_format(dates, short=not full)
        table = _fit(Table("milestone", "target", "chance", "P50", "P85", "P95"))
        table.title = f"Milestones (dates{year})" if year else "Milestones"
        for m in result.milestones:
            table.add_row(
                escape(m.key),
                shown(m.target_date),
                _chance(m.probability),
                shown(m.finish.p50 if m.finish else None),
                shown(m.finish.p85 if m.finish else None),
                shown(m.finish.p95 if m.finish else None),
            )
        # ISO dates and a long milestone key: P50 and P95 bound the range without P85.
        dropped = [] if full else drop_until_fits(console, table, ("P85",))
        console.print(table)
        if dropped:
            console.print("[dim]P85 column: --wide, or a wider terminal.[/]")
        for m in result.milestones:
            if m.probability is None:
                console.print(f"{escape(m.key)}: {escape(m.explanation)}")
    console.print(f"[dim]Distribution: {escape(result.distribution)}.[/]")
    console.print(f"[dim]Capacity: {escape(result.capacity_model)}.[/]")
    console.print(f"[dim]Priority: {escape(result.priority_source)}.[/]")


def print_comparison(result: Comparison) -> None:
    console = _console()
    console.print(f"Scenario [bold]{escape(result.scenario)}[/]:")
    for change in result.changes:
        console.print(f"  - {escape(change)}")
    table = _fit(Table("milestone", "target", "before", "after", "change", "85% by"))
    table.title = f"Chance of each milestone, {result.trials:,} trials (seed {result.seed})"
    for m in result.milestones:
        change = "-" if m.change is None else f"{m.change * 100:+.0f} pts"
        table.add_row(
            escape(m.key),
            _date(m.target_date),
            _chance(m.baseline),
            _chance(m.scenario),
            change,
            _date(m.scenario_p85),
        )
    console.print(table)
