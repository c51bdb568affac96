"""SIGKILL during a large feedback import, a roadmap apply and an insights run, on both databases.

After each kill: the database passes its integrity check, the job's tables hold the state before
the attempt or a complete run's (never half), and running the job again completes it. The kill
moments are drawn from a seeded generator; bench/bench_reliability.py kills many more times.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from crash_harness import counts, env_for, jobs, kill_at_random, run_cli
from productpath.services.workspace import init_workspace

KILLS = 3
FEEDBACK_ROWS = 3_000
# An insights run is the slowest job to start: fewer kills keep this fast.
INSIGHT_KILLS = 2


@pytest.mark.parametrize("job_index", [0, 1, 2], ids=["import", "roadmap", "insights"])
def test_killed_jobs_leave_whole_states(job_index: int, database_url: str, tmp_path: Path) -> None:
    url = None if database_url.startswith("sqlite") else database_url
    root = tmp_path / "ws"
    init_workspace(root, "Pocket", url)
    store_url = database_url if url else f"sqlite:///{root / '.productpath' / 'productpath.db'}"
    env = env_for(root, url)
    every = jobs(tmp_path, FEEDBACK_ROWS, embedder="hashing")
    job = every[job_index]
    if job.name == "insights run":
        # Something to analyse first: a smaller import, run to completion.
        small = ["feedback", "import", str(tmp_path / "small.csv"), "--text-column", "text"]
        from crash_harness import write_feedback

        write_feedback(tmp_path / "small.csv", 150, seed=3)
        assert run_cli([*small, "--id-column", "id"], env).returncode == 0
    started = time.monotonic()
    timed = run_cli(job.args, env) if job.name == "insights run" else None
    full_time = time.monotonic() - started if timed else 2.0
    if timed is not None:
        assert timed.returncode == 0, timed.stderr
    kills = INSIGHT_KILLS if job.name == "insights run" else KILLS
    report = kill_at_random(
        job, env, store_url, kills=kills, rng=random.Random(job_index), full_time=full_time
    )
    assert report.problems == []
    assert report.survived == kills
    if job.name == "feedback import":
        assert counts(store_url, ("feedback_item",)) == (FEEDBACK_ROWS,)
