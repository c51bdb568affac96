"""Rich rendering for ``productpath kpi``; imported only when something is printed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from productpath.cli.common import drop_until_fits, widen_to_fit
from productpath.domain.formatting import plain_number

if TYPE_CHECKING:  # kpi show must not import the ORM that kpis.py reads through
    from productpath.services.learning.kpi_detail import KpiDetail
    from productpath.services.learning.kpis import KpiSummary

_ARROW = {"up": "[green]up[/]", "down": "[red]down[/]", "flat": "flat"}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else plain_number(round(value, digits))


def print_kpis(rows: Sequence[KpiSummary], *, wide: bool = False) -> None:
    """One line per KPI: in a narrow terminal (unless ``wide``) segments and then the name are
    left out until every cell fits on its line, with a note saying so."""
    console = Console(highlight=False)
    table = Table("kpi", "name", "values", "from", "to", "latest", "segments")
    for column in table.columns:
        column.no_wrap = column.header != "name"
    for row in rows:
        table.add_row(
            row.key,
            escape(row.name),
            str(row.points),
            row.first.isoformat() if row.first else "-",
            row.last.isoformat() if row.last else "-",
            _num(row.latest) + (f" {escape(row.unit)}" if row.unit and row.latest else ""),
            escape(", ".join(row.segments)),
        )
    dropped = [] if wide else drop_until_fits(console, table, ("segments", "name"))
    if wide:
        widen_to_fit(console, table)
    console.print(table)
    if dropped:
        console.print(f"[dim]{', '.join(dropped).capitalize()}: --wide, or a wider terminal.[/]")


def print_kpi(detail: KpiDetail) -> None:
    console = Console(highlight=False)
    unit = f" {detail.unit}" if detail.unit else ""
    scope = f" - segment {detail.segment}" if detail.segment else ""
    console.print(f"[bold]{escape(detail.name)}[/] ({detail.key}){escape(scope)}")
    if detail.points:
        first, last = detail.points[0], detail.points[-1]
        console.print(
            f"{len(detail.points)} {detail.cadence} values, {first.day} to {last.day}; "
            f"latest {_num(last.value)}{escape(unit)}"
        )
    for caveat in detail.caveats:
        console.print(f"[yellow]caveat:[/] {escape(caveat)}")
    if detail.trend is not None:
        t = detail.trend
        period = {"daily": "day", "weekly": "week", "monthly": "month"}.get(detail.cadence, "step")
        console.print(
            f"Trend: {_ARROW[t.direction]}, {_num(t.slope_per_period)}{escape(unit)} per {period} "
            f"(95% CI {_num(t.slope_low * t.period_days)} to {_num(t.slope_high * t.period_days)})"
        )
    if detail.seasonal and detail.weekday_profile is not None:
        profile = ", ".join(
            f"{d} {'+' if v >= 0 else ''}{_num(v, 2)}"
            for d, v in zip(_WEEKDAYS, detail.weekday_profile, strict=True)
        )
        console.print(f"Weekly pattern (strength {_num(detail.seasonal_strength, 2)}): {profile}")
    if detail.anomalies:
        table = Table("date", "value", "expected", "size", "relative", "robust z")
        table.title = f"Anomalies ({len(detail.anomalies)})"
        for a in detail.anomalies:
            rel = f"{a.relative:+.1%}" if a.relative is not None else "-"
            table.add_row(
                a.day.isoformat(),
                _num(a.value),
                _num(a.expected),
                f"{a.size:+,.4g}",
                rel,
                f"{a.z:+.1f}",
            )
        console.print(table)
    else:
        console.print("Anomalies: none")
    console.print("[dim]Methods:[/]")
    for name, method in detail.methods.items():
        console.print(f"[dim]  {name}: {escape(method)}[/]")
