"""Throughput forecast tails, tuned on the past and judged on a held-out future.

python bench/bench_forecast_calibration.py [--cutoffs N] [--trials N] [--horizon-days N]

The "how many within the horizon" backtest (28 days unless told) of bench_forecast.py, with
its cut-offs split in time: the first two thirds are the tuning part, the last third the
held-out part. Anything a correction chooses (a dispersion factor, read levels) is chosen on the
tuning part only and then scored, unchanged, on the held-out part. The product's own
``calibrated`` method needs no tuning (each cut-off learns from its own past), so both parts are
simply out of sample for it. Real histories only:
- celery: ../shared/datasets/delivery-history/celery-mainline-changes.csv (merged changes);
- harfbuzz and gnupg: commit dates from the ChangeLogs Debian installs under /usr/share/doc
  (no network; the only real commit histories on this machine), when present.

Corrections tried, beside the product's plain / replay / calibrated methods:
- ``weekly blocks``: the horizon is two half-horizon blocks of the last 26 weeks, each block a real
  run of consecutive days (a block bootstrap, which keeps the runs and quiet spells within it);
- ``recent regime``: the replay of ``planning.throughput`` restricted to the last 365 days of
  stretches when the last 90 days' pace differs from the year's by more than a factor 1.5
  (a regime change), else the plain replay;
- ``inflated replay``: the replay's trials spread around their median by a factor k chosen on
  the tuning part (the k whose worst miss of 0.50/0.85/0.95 there is smallest);
- ``tuned levels``: the replay read at the levels that held 0.50/0.85/0.95 on the tuning part
  (one global conformal correction per history, not learnt online).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from productpath.errors import InputError
from productpath.planning import throughput as tp
from productpath.planning.backtest import LEVELS, backtest, cutoff_days

HERE = Path(__file__).resolve().parent
TUNING_SHARE = 2 / 3
FACTORS = np.round(np.arange(0.8, 2.01, 0.05), 2)
Sampler = Callable[[tp.DailyThroughput, np.random.Generator, int, int], NDArray[np.float64]]


def load_histories() -> list[tuple[str, tp.DailyThroughput]]:
    import bench_forecast as bf  # the loaders of the sibling bench; bench/ is on sys.path

    out = [("celery (merged changes)", bf.series(bf.celery()))]
    if bf.HARFBUZZ.exists():
        out.append(("harfbuzz (git log)", bf.series(bf.harfbuzz())))
    if bf.GNUPG.exists():
        out.append(("gnupg (ChangeLog)", bf.series(bf.gnupg())))
    return out


def replay(
    history: tp.DailyThroughput, rng: np.random.Generator, trials: int, horizon: int
) -> NDArray:
    return tp.how_many(history, horizon, trials=trials, rng=rng, method="replay").astype(float)


def weekly_blocks(
    history: tp.DailyThroughput, rng: np.random.Generator, trials: int, horizon: int
) -> NDArray:
    counts = history.counts[-26 * 7 :]
    block = horizon // 2
    cum = np.concatenate(([0], np.cumsum(counts)))
    starts = rng.integers(0, len(counts) - block + 1, size=(trials, 2))
    return (cum[starts + block] - cum[starts]).sum(axis=1).astype(float)


def recent_regime(
    history: tp.DailyThroughput, rng: np.random.Generator, trials: int, horizon: int
) -> NDArray:
    counts = history.counts
    year = counts[-365:].mean()
    recent = counts[-tp.WINDOW_DAYS :].mean()
    changed = year > 0 and not (1 / 1.5 <= recent / year <= 1.5)
    if changed and len(counts) > 365 + tp.WINDOW_DAYS:
        # Keep the window before the oldest stretch so each stretch still has a pace.
        counts = counts[-(365 + tp.WINDOW_DAYS) :]
    return replay(tp.DailyThroughput(history.first, counts), rng, trials, horizon)


SAMPLERS: dict[str, Sampler] = {
    "replay": replay,
    "weekly blocks": weekly_blocks,
    "recent regime": recent_regime,
}


def hits(samples: list[NDArray], actual: NDArray, levels: dict[float, float]) -> NDArray:
    """Per cut-off and level: did the real count reach the bound read at that level?"""
    bounds = np.array([[tp.at_least(s, levels[q]) for q in LEVELS] for s in samples])
    return actual[:, None] >= bounds


def inflate(samples: list[NDArray], k: float) -> list[NDArray]:
    return [np.median(s) + k * (s - np.median(s)) for s in samples]


def worst_miss(cover: NDArray) -> float:
    return float(np.max(np.abs(cover - np.array(LEVELS))))


def tuned_levels(samples: list[NDArray], actual: NDArray) -> dict[float, float]:
    """The levels at which the bound held the nominal share of the tuning cut-offs: each
    cut-off's score is the share of its trials above the real count (split conformal)."""
    scores = np.sort([np.mean(s > a) for s, a in zip(samples, actual, strict=True)])
    m = scores.size
    out = {}
    for q in LEVELS:
        k = int(np.ceil(q * (m + 1)))
        out[q] = 1.0 if k > m else min(1.0, float(scores[k - 1]) + 1e-9)
    return out


def shown(cover: NDArray) -> str:
    return "/".join(f"{c:.2f}" for c in cover)


def evaluate(
    name: str, history: tp.DailyThroughput, cutoffs: int, trials: int, horizon: int
) -> None:
    days = cutoff_days(len(history.counts), horizon, cutoffs)
    split = int(len(days) * TUNING_SHARE)
    print(f"\n{name}: {history.total} items, {len(history.counts)} days, {len(days)} cut-offs")
    print(f"  tuning part: {history.first + dt.timedelta(days=days[0])} .. "
          f"{history.first + dt.timedelta(days=days[split - 1])}; held-out: "
          f"{history.first + dt.timedelta(days=days[split])} .. "
          f"{history.first + dt.timedelta(days=days[-1])}")  # fmt: skip
    print(f"  {'method':<40}{'tuning P50/P85/P95':<22}{'held-out P50/P85/P95':<22}worst")
    nominal = dict(zip(LEVELS, LEVELS, strict=True))
    for method in ("plain", "calibrated"):
        result = backtest(
            history, horizon_days=horizon, cutoffs=cutoffs, trials=trials, seed=1, method=method
        )
        by_day = {c.cutoff: c for c in result.cutoffs}
        rows = [by_day.get(history.first + dt.timedelta(days=d)) for d in days]
        held = np.array(
            [[c.actual >= c.bounds[q] for q in LEVELS] for c in rows[split:] if c is not None]
        )
        tune = np.array(
            [[c.actual >= c.bounds[q] for q in LEVELS] for c in rows[:split] if c is not None]
        )
        label = f"{method} (product)"
        line(label, tune.mean(0), held.mean(0))
    actual = np.array([history.counts[d : d + horizon].sum() for d in days])
    for sampler_name, sampler in SAMPLERS.items():
        rng = np.random.default_rng(1)
        samples, keep = [], []
        for i, day in enumerate(days):
            try:
                samples.append(sampler(history.before(day), rng, trials, horizon))
                keep.append(i)
            except InputError:
                continue
        kept = np.array(keep)
        is_tune = kept < split
        tune_s = [s for s, t in zip(samples, is_tune, strict=True) if t]
        held_s = [s for s, t in zip(samples, is_tune, strict=True) if not t]
        tune_a, held_a = actual[kept[is_tune]], actual[kept[~is_tune]]
        line(
            sampler_name,
            hits(tune_s, tune_a, nominal).mean(0),
            hits(held_s, held_a, nominal).mean(0),
        )
        if sampler_name != "replay":
            continue
        misses = [worst_miss(hits(inflate(tune_s, k), tune_a, nominal).mean(0)) for k in FACTORS]
        k = float(FACTORS[int(np.argmin(misses))])
        line(
            f"inflated replay (k={k:.2f} from tuning)",
            hits(inflate(tune_s, k), tune_a, nominal).mean(0),
            hits(inflate(held_s, k), held_a, nominal).mean(0),
        )
        levels = tuned_levels(tune_s, tune_a)
        read = "/".join(f"{levels[q]:.2f}" for q in LEVELS)
        line(
            f"tuned levels ({read})",
            hits(tune_s, tune_a, levels).mean(0),
            hits(held_s, held_a, levels).mean(0),
        )


def line(label: str, tune: NDArray, held: NDArray) -> None:
    mark = "  within 0.04" if worst_miss(held) <= 0.04 + 1e-9 else ""
    print(f"  {label:<40}{shown(tune):<22}{shown(held):<22}{worst_miss(held):.3f}{mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cutoffs", type=int, default=450)
    parser.add_argument("--trials", type=int, default=4000)
    parser.add_argument("--horizon-days", type=int, default=28)
    args = parser.parse_args()
    print(
        f"Backtest coverage, {args.horizon_days}-day horizon, first {TUNING_SHARE:.0%} of "
        "cut-offs tune, the rest is held out (nominal 0.50/0.85/0.95; "
        "'worst' = largest held-out miss)"
    )
    for name, history in load_histories():
        evaluate(name, history, args.cutoffs, args.trials, args.horizon_days)


if __name__ == "__main__":
    main()
