"""Rich rendering for ``productpath experiment``; imported only when something is printed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from productpath.services.learning.experiments import ExperimentReport, ExperimentSummary


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2%}"


def _value(kind: str, value: float) -> str:
    return f"{value:.2%}" if kind == "conversion" else f"{value:,.4g}"


def print_report(report: ExperimentReport) -> None:
    console = Console(highlight=False)
    console.print(f"[bold]{escape(report.name)}[/] ({report.key}), control: {report.control}")
    if report.hypothesis:
        console.print(f"Hypothesis: {escape(report.hypothesis)}")
    srm = report.srm
    users = ", ".join(f"{k} {v:,}" for k, v in report.variants.items())
    if srm.mismatch:
        console.print(f"[bold red]Sample ratio mismatch[/] (p = {srm.p_value:.2g}): {users}")
    else:
        console.print(f"Sample ratio OK (chi-square p = {srm.p_value:.3g}): {users}")
    table = Table("metric", "variant", "control", "variant value", "lift", "CI", "p", "P(beat)")
    table.title = f"Against {report.control} ({1 - report.alpha:.0%} intervals)"
    for c in report.comparisons:
        ci = f"{_pct(c.ci_low)} to {_pct(c.ci_high)}" if c.ci_low is not None else "-"
        p = f"{c.p_value:.3g}" + (" *" if c.significant else "")
        beat = "-" if c.prob_beat_control is None else f"{c.prob_beat_control:.1%}"
        table.add_row(
            escape(c.metric),
            escape(c.variant),
            _value(c.kind, c.control_value),
            _value(c.kind, c.variant_value),
            _pct(c.lift),
            ci,
            p,
            beat,
        )
    console.print(table)
    for caveat in report.caveats:
        console.print(f"[yellow]caveat:[/] {escape(caveat)}")
    console.print("[dim]* significant at alpha " + f"{report.alpha}. Methods:[/]")
    for name, method in report.methods.items():
        console.print(f"[dim]  {name}: {escape(method)}[/]")


def print_list(rows: Sequence[ExperimentSummary]) -> None:
    table = Table("experiment", "name", "control", "variants", "SRM", "analysed")
    for r in rows:
        srm = "[red]mismatch[/]" if r.srm_mismatch else "ok"
        table.add_row(
            r.key,
            escape(r.name),
            escape(r.control),
            str(r.variants),
            srm,
            r.analysed_at.date().isoformat(),
        )
    Console(highlight=False).print(table)
