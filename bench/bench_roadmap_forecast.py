"""How fast the roadmap-wide Monte Carlo is: 10,000 trials of a 300-initiative roadmap with
dependencies and 5 teams, vectorised NumPy against a straightforward pure-Python loop of the
same model (PERT-beta efforts, team capacity, each team's plan order, dependencies).

python bench/bench_roadmap_forecast.py [--trials N] [--initiatives N] [--baseline-trials N]

The pure-Python loop is timed on --baseline-trials trials (default: all of them) and scaled
linearly when fewer are run; the table says which. Both share the same schedule (computed once,
timed on its own row). Target: the vectorised forecast under 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from productpath.domain.plan_inputs import (
    InitiativeInput,
    MilestoneInput,
    PlanInputs,
    TeamInput,
    ThreePoint,
)
from productpath.planning.roadmap_sim import forecast_roadmap, pure_python_weeks, simulate_weeks
from productpath.planning.schedule import build_schedule, prepare

TEAMS = 5
TARGET_SECONDS = 2.0


def timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, result): on a shared machine the CPU time
    shows what the code costs when other work slows the wall clock."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def synthetic_roadmap(count: int, seed: int = 7) -> PlanInputs:
    """``count`` initiatives over 5 teams; each depends on up to 3 earlier ones (so a DAG)."""
    rng = random.Random(seed)
    start = dt.date(2030, 1, 7)
    teams = tuple(TeamInput(f"team-{t}", f"Team {t}", 2.0 + t * 0.5, 4 + t) for t in range(TEAMS))
    milestones = tuple(MilestoneInput(f"m{m}", f"Milestone {m}", start) for m in range(4))
    items = []
    for n in range(count):
        low = rng.uniform(0.5, 4)
        likely = low + rng.uniform(0, 4)
        high = likely + rng.uniform(0.5, 10)
        deps = (
            tuple(sorted({f"i{rng.randrange(n)}" for _ in range(rng.randint(0, 3))})) if n else ()
        )
        items.append(
            InitiativeInput(
                key=f"i{n}",
                title=f"Initiative {n}",
                team=f"team-{n % TEAMS}",
                milestone=f"m{min(n * 4 // count, 3)}",
                status="planned",
                estimate=ThreePoint(low, likely, high),
                depends_on=deps,
            )
        )
    draft = PlanInputs(start=start, teams=teams, milestones=milestones, initiatives=tuple(items))
    # Targets a week after each milestone's planned finish, so its chance is neither 0 nor 1.
    plan = build_schedule(draft)
    targets = {
        m.key: max(s.finish for s in plan.slots if s.milestone == m.key) + dt.timedelta(weeks=1)
        for m in milestones
    }
    return PlanInputs(
        start=start,
        teams=teams,
        milestones=tuple(MilestoneInput(m.key, m.name, targets[m.key]) for m in milestones),
        initiatives=tuple(items),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--initiatives", type=int, default=300)
    parser.add_argument("--baseline-trials", type=int, default=None)
    args = parser.parse_args()
    inputs = synthetic_roadmap(args.initiatives)
    edges = sum(len(i.depends_on) for i in inputs.initiatives)

    schedule_s, schedule_cpu, plan = timed(lambda: build_schedule(inputs))

    prepared = prepare(inputs)
    index = {job.item.key: n for n, job in enumerate(prepared.jobs)}
    order = [index[slot.key] for slot in plan.slots]

    simulate_weeks(prepared.jobs, order, 100, 1)  # warm NumPy up
    vector_s, vector_cpu, _ = timed(lambda: simulate_weeks(prepared.jobs, order, args.trials, 1))
    full_s, full_cpu, forecast = timed(
        lambda: forecast_roadmap(inputs, trials=args.trials, seed=1, schedule=plan)
    )
    baseline_trials = args.baseline_trials or args.trials
    loop_s, loop_cpu, _ = timed(lambda: pure_python_weeks(prepared.jobs, order, baseline_trials, 1))
    scale = args.trials / baseline_trials
    loop_s, loop_cpu = loop_s * scale, loop_cpu * scale
    scaled = "" if baseline_trials == args.trials else f" (timed {baseline_trials:,}, scaled)"

    print(
        f"{args.initiatives} initiatives, {edges} dependencies, {TEAMS} teams, "
        f"{args.trials:,} trials"
    )
    print(f"{'what':<52} {'seconds':>9} {'cpu s':>9}")
    rows = [
        ("schedule (list scheduling, once)", schedule_s, schedule_cpu),
        ("simulation, vectorised NumPy", vector_s, vector_cpu),
        ("forecast_roadmap (simulation + percentiles, all)", full_s, full_cpu),
        ("simulation, pure-Python loop" + scaled, loop_s, loop_cpu),
    ]
    for name, wall, cpu in rows:
        print(f"{name:<52} {wall:>9.3f} {cpu:>9.3f}")
    print(f"speed-up of the simulation: {loop_s / vector_s:.0f}x")
    met = [f"{m.key} {m.probability:.0%}" for m in forecast.milestones if m.probability is not None]
    print("P(milestone met): " + ", ".join(met))
    verdict = "meets" if full_s < TARGET_SECONDS else "MISSES"
    print(f"target: forecast_roadmap under {TARGET_SECONDS:g} s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
