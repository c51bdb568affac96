"""Rich output of the throughput forecasts: percentiles as sentences, backtest coverage."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from productpath.services.forecasting.forecast import BacktestReport, ForecastResult

_LEVELS = (("p50", 50), ("p85", 85), ("p95", 95))


def sentences(result: ForecastResult) -> list[str]:
    """One sentence per percentile, e.g. "85% chance done on or before 2027-03-14"."""
    out = []
    for key, percent in _LEVELS:
        value = result.percentiles[key]
        if result.kind == "when":
            when = f"on or before {value}" if value else "only after more than 20 years"
            out.append(f"{percent}% chance all {result.items} items are done {when}")
        else:
            by = result.by.isoformat() if result.by else ""
            out.append(f"{percent}% chance of at least {value} items done by {by}")
    return out


def print_forecast(result: ForecastResult) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    for line in sentences(result):
        console.print(line)
    note = calibration_note(result)
    if note:
        console.print(f"[dim]{note}[/dim]")
    seed = "no seed" if result.seed is None else f"seed {result.seed}"
    console.print(
        f"[dim]From {result.source}: {result.history_items} items over "
        f"{result.history_days} days before {result.start.isoformat()}; {result.trials:,} "
        f"trials, {seed}. Method {_method(result.method)}. "
        + (f"Saved as forecast run {result.run_id}." if result.run_id else "Not saved.")
        + "[/dim]"
    )


def calibration_note(result: ForecastResult) -> str | None:
    """How the calibrated method read its levels, or why it kept them nominal."""
    calibration = result.calibration
    if calibration is None:
        return None
    if calibration["applied"]:
        levels = "/".join(f"{calibration['levels'][key]:.3f}" for key, _ in _LEVELS)
        return (
            f"Levels corrected by {calibration['past_forecasts']} past forecasts of this "
            f"history ({calibration['independent_outcomes']} non-overlapping outcomes): "
            f"P50/P85/P95 read at {levels} of the trials."
        )
    return (
        f"Levels not corrected: only {calibration['past_forecasts']} past forecasts with "
        f"{calibration['independent_outcomes']} non-overlapping outcomes resolved in the last "
        "two years (too few to learn from); P50/P85/P95 read as nominal."
    )


def print_backtest(report: BacktestReport) -> None:
    from rich.console import Console
    from rich.table import Table

    data = report.as_dict()
    table = Table("bound", "nominal", "coverage", "off by")
    for key, percent in _LEVELS:
        coverage = data["coverage"][key]
        table.add_row(
            key.upper(),
            f"{percent / 100:.2f}",
            f"{coverage:.2f}",
            f"{coverage - percent / 100:+.2f}",
        )
    console = Console(highlight=False)
    console.print(
        f"Backtest of 'at least N items within {data['horizon_days']} days' at "
        f"{data['cutoffs']} cut-offs, {data['trials']:,} trials each"
    )
    console.print(table)
    console.print(
        f"[dim]From {data['source']}. Method {_method(report.result.method)}. "
        f"Saved as forecast run {data['run_id']}.[/dim]"
    )


@contextmanager
def backtest_progress() -> Iterator[None]:
    """A spinner on stderr while the cut-offs run; silent when stderr is not a terminal."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status("Backtesting at past cut-offs…"):
        yield


def _method(method: str) -> str:
    from productpath.planning.throughput import METHOD_TEXT

    texts = {str(key): text for key, text in METHOD_TEXT.items()}
    return texts.get(method, method)
