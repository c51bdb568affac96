"""Throughput forecasts: when N items will be done, how many by a date, and backtests of both.

Each run reads completion dates (a file column or the workspace's own history), runs the Monte
Carlo in :mod:`productpath.planning.throughput`, and stores a snapshot (``forecast_run``) with
its inputs and percentiles, for the accuracy retrospective.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from productpath.errors import InputError
from productpath.planning import backtest as bt
from productpath.planning import throughput as tp
from productpath.planning import throughput_calibration as tc
from productpath.services.forecasting import forecast_history
from productpath.services.forecasting.forecast_history import Completions
from productpath.services.workspace import OpenWorkspace
from productpath.store import forecast_repo, product_repo

LEVELS = (0.50, 0.85, 0.95)
# A start this long after the last completion is probably an old export, not a quiet spell.
GAP_WARNING_DAYS = 14


@dataclass(frozen=True)
class Source:
    """Where completion dates come from: a file and its column, or (both None) the workspace."""

    file: Path | None = None
    date_column: str | None = None


@dataclass
class ForecastResult:
    """A when/how-many forecast: percentiles keyed "p50"/"p85"/"p95" (a date text or a count;
    None when beyond the simulated span) and the warnings the user must see."""

    kind: str
    method: tp.Method
    start: dt.date
    trials: int
    seed: int | None
    source: str
    history_days: int
    history_items: int
    percentiles: dict[str, Any]
    items: int | None = None
    by: dt.date | None = None
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None
    # How the calibrated method read its levels (None for the other methods).
    calibration: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "items": self.items,
            "by": self.by.isoformat() if self.by else None,
            "start": self.start.isoformat(),
            "method": self.method,
            "method_description": tp.METHOD_TEXT[self.method],
            "trials": self.trials,
            "seed": self.seed,
            "source": self.source,
            "history_days": self.history_days,
            "history_items": self.history_items,
            "percentiles": self.percentiles,
            "calibration": self.calibration,
            "warnings": self.warnings,
            "run_id": self.run_id,
        }


@dataclass
class BacktestReport:
    result: bt.BacktestResult
    source: str
    seed: int | None
    run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "method": result.method,
            "method_description": tp.METHOD_TEXT[result.method],
            "horizon_days": result.horizon_days,
            "trials": result.trials,
            "seed": self.seed,
            "source": self.source,
            "cutoffs": len(result.cutoffs),
            "coverage": {_key(level): value for level, value in result.coverage.items()},
            "corrected_cutoffs": sum(c.pairs > 0 for c in result.cutoffs),
            "per_cutoff": [
                {
                    "cutoff": c.cutoff.isoformat(),
                    "actual": c.actual,
                    **{_key(level): bound for level, bound in c.bounds.items()},
                    "past_forecasts": c.pairs,
                }
                for c in result.cutoffs
            ],
            "run_id": self.run_id,
        }


def forecast_when(
    handle: OpenWorkspace,
    source: Source,
    *,
    items: int,
    start: dt.date | None = None,
    trials: int = 10_000,
    seed: int | None = None,
    method: tp.Method = "calibrated",
    today: dt.date | None = None,
    save: bool = True,
) -> ForecastResult:
    """Dates by which ``items`` more items are done with 50/85/95% chance."""
    if items < 1:
        raise InputError(f"--items must be at least 1 (got {items})")
    _check_trials(trials)
    completions = _completions(handle, source)
    history, start, warnings = _history(completions, start, today)
    sequence = np.random.SeedSequence(seed)
    days = tp.when(
        history, items, trials=trials, rng=np.random.default_rng(sequence), method=method
    )
    levels, calibration = _levels(
        method,
        len(history.counts),
        lambda: tc.when_scores(history.counts, items, tc.seed_of(sequence)),
    )
    percentiles: dict[str, Any] = {}
    for level in LEVELS:
        done = tp.done_within(days, levels[level])
        finish = None if np.isinf(done) else start + dt.timedelta(days=int(done) - 1)
        percentiles[_key(level)] = finish.isoformat() if finish else None
    if percentiles["p95"] is None:
        warnings.append(
            f"some trials were not done within {tp.MAX_DAYS // 365} years; "
            "those percentiles have no date"
        )
    result = ForecastResult(
        "when", method, start, trials, seed, completions.source, len(history.counts),
        history.total, percentiles, items=items, warnings=warnings, calibration=calibration,
    )  # fmt: skip
    # ``save=False``: a look only (--no-save), stored nowhere.
    result.run_id = _save(handle, result, {"items": items}) if save else None
    return result


def forecast_how_many(
    handle: OpenWorkspace,
    source: Source,
    *,
    by: dt.date,
    start: dt.date | None = None,
    trials: int = 10_000,
    seed: int | None = None,
    method: tp.Method = "calibrated",
    today: dt.date | None = None,
    save: bool = True,
) -> ForecastResult:
    """How many items are done from the start to ``by`` (inclusive) with 50/85/95% chance."""
    _check_trials(trials)
    completions = _completions(handle, source)
    history, start, warnings = _history(completions, start, today)
    if by < start:
        raise InputError(
            f"--by {by.isoformat()} is before the forecast starts ({start.isoformat()})",
            field="by",
        )
    span = (by - start).days + 1
    if span > len(history.counts):
        warnings.append(
            f"the forecast spans {span} days, more than the {len(history.counts)} days of "
            "history: its spread is extrapolated"
        )
    sequence = np.random.SeedSequence(seed)
    counts = tp.how_many(
        history, span, trials=trials, rng=np.random.default_rng(sequence), method=method
    )
    levels, calibration = _levels(
        method,
        len(history.counts),
        lambda: tc.how_many_scores(history.counts, span, tc.seed_of(sequence)),
    )
    percentiles = {_key(level): tp.at_least(counts, levels[level]) for level in LEVELS}
    result = ForecastResult(
        "how_many", method, start, trials, seed, completions.source, len(history.counts),
        history.total, percentiles, by=by, warnings=warnings, calibration=calibration,
    )  # fmt: skip
    result.run_id = _save(handle, result, {"by": by.isoformat(), "days": span}) if save else None
    return result


def run_backtest(
    handle: OpenWorkspace,
    source: Source,
    *,
    horizon_days: int = 28,
    cutoffs: int = 100,
    trials: int = 10_000,
    seed: int | None = None,
    method: tp.Method = "calibrated",
) -> BacktestReport:
    """Coverage of the P50/P85/P95 bounds at ``cutoffs`` past cut-offs (see planning.backtest)."""
    _check_trials(trials)
    completions = _completions(handle, source)
    end = max(completions.dates) + dt.timedelta(days=1)
    history = tp.daily_throughput(completions.dates, end)
    result = bt.backtest(
        history, horizon_days=horizon_days, cutoffs=cutoffs, trials=trials, seed=seed,
        method=method,
    )  # fmt: skip
    report = BacktestReport(result, completions.source, seed)
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        data = report.as_dict()
        run = forecast_repo.save_run(
            session,
            product.id,
            kind="backtest",
            trials=trials,
            seed=seed,
            inputs={
                "source": completions.source,
                "method": method,
                "horizon_days": horizon_days,
                "cutoffs_asked": cutoffs,
            },
            result={
                "coverage": data["coverage"],
                "cutoffs": data["cutoffs"],
                "corrected_cutoffs": data["corrected_cutoffs"],
            },
        )
        report.run_id = run.id
    return report


def _levels(
    method: tp.Method, history_days: int, past_scores: Callable[[], tc.PastScores]
) -> tuple[dict[float, float], dict[str, Any] | None]:
    """The levels to read the trials at, and what decided them (for the output and snapshot):
    past forecasts resolved before the start, which is day ``history_days`` of the history."""
    if method != "calibrated":
        return {level: level for level in LEVELS}, None
    scores = past_scores()
    correction = tc.correct(scores.before(history_days), LEVELS)
    return correction.levels, {
        "applied": correction.applied,
        "past_forecasts": correction.pairs,
        "independent_outcomes": correction.independent,
        "levels": {_key(level): round(value, 4) for level, value in correction.levels.items()},
    }


def _key(level: float) -> str:
    return f"p{round(level * 100)}"


def _check_trials(trials: int) -> None:
    if trials < 100:
        raise InputError(f"--trials must be at least 100 (got {trials})")


def _completions(handle: OpenWorkspace, source: Source) -> Completions:
    if source.file is not None:
        if source.date_column is None:
            raise InputError("--from-csv needs --date-column to say which column holds dates")
        return forecast_history.from_file(source.file, source.date_column)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            raise InputError("the workspace has no history yet; use --from-csv")
        return forecast_history.from_workspace(session, product_id)


def _history(
    completions: Completions, start: dt.date | None, today: dt.date | None
) -> tuple[tp.DailyThroughput, dt.date, list[str]]:
    """The daily series up to the day before the start, the start, and warnings about both."""
    today = today or dt.datetime.now(dt.UTC).date()
    last = max(completions.dates)
    warnings = []
    if start is None:
        start = last + dt.timedelta(days=1)
        if start < today:
            warnings.append(
                f"the history ends on {last.isoformat()}, so the forecast starts on "
                f"{start.isoformat()}, which is in the past (pass --start to change it)"
            )
    elif start < today:
        warnings.append(f"the start date {start.isoformat()} is in the past")
    later = sum(d >= start for d in completions.dates)
    if later:
        warnings.append(f"{later} completions on or after the start are left out of the history")
    gap = (start - min(last, start - dt.timedelta(days=1))).days - 1
    if later == 0 and gap > GAP_WARNING_DAYS:
        warnings.append(
            f"nothing was completed in the {gap} days before the start; they count as days of "
            "zero throughput"
        )
    return tp.daily_throughput(completions.dates, start), start, warnings


def _save(handle: OpenWorkspace, result: ForecastResult, inputs: dict[str, Any]) -> int:
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        run = forecast_repo.save_run(
            session,
            product.id,
            kind=result.kind,
            trials=result.trials,
            seed=result.seed,
            inputs={
                **inputs,
                "start": result.start.isoformat(),
                "method": result.method,
                "source": result.source,
                "history_days": result.history_days,
                "history_items": result.history_items,
            },
            result={
                "percentiles": result.percentiles,
                "calibration": result.calibration,
                "warnings": result.warnings,
            },
        )
        return run.id
