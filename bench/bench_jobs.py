"""The job queue (``productpath worker``) with real worker processes on PostgreSQL: enqueue-to-start
latency with one idle worker, 1,000 small jobs through two workers, and a worker killed with
SIGKILL while 20 jobs run.

python bench/bench_jobs.py [--database-url URL] [--jobs 1000] [--latency-samples 40] [--sqlite]

URL names a PostgreSQL server whose user may create databases (default:
$PRODUCTPATH_TEST_DATABASE_URL); the bench creates a database of its own and drops it after.
With --sqlite the latency is measured on a SQLite workspace too (one machine, polled every
half second). Targets (issue 22): latency p95 < 1 s; no job lost; after the kill all 20 end
done and none finishes twice. The jobs are the queue check (``productpath jobs probe``): they
wait and, for the kill test, write one line each to a log as they finish.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from grow import postgres_database

from productpath.services.background.job_admin import list_jobs, queue_probes
from productpath.services.workspace import init_workspace, open_workspace
from productpath.settings import Settings


def _worker(root: Path, url: str | None, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PRODUCTPATH_WORKSPACE=str(root))
    env.pop("PRODUCTPATH_DATABASE_URL", None)
    if url:
        env["PRODUCTPATH_DATABASE_URL"] = url
    return subprocess.Popen(
        [sys.executable, "-m", "productpath.cli.main", "worker", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _until(check: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.25)  # the polling shares the CPU with the workers: keep it light
    return value


def _rows(settings: Settings, limit: int = 5000) -> list[Any]:
    with open_workspace(settings) as handle:
        return list_jobs(handle, limit=limit)


def _all_done(settings: Settings, count: int) -> bool:
    rows = _rows(settings)
    return len(rows) >= count and all(r.status == "done" for r in rows)


def _stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def latency(settings: Settings, samples: int) -> tuple[float, float, float]:
    """Queue one job at a time into an idle worker: p50, p95 and max seconds to its start."""
    url = settings.database_url
    worker = _worker(settings.workspace, url)
    try:
        with open_workspace(settings) as handle:
            queue_probes(handle, 1, 0)  # warm-up: the worker is up once this is done
        _until(lambda: _all_done(settings, 1), 120)
        for _ in range(samples):
            with open_workspace(settings) as handle:
                queue_probes(handle, 1, 0)
            _until(lambda: _all_done(settings, 1), 30)
            time.sleep(0.2)  # idle again before the next one
    finally:
        _stop(worker)
    rows = sorted(_rows(settings), key=lambda r: r.id)[1 : samples + 1]
    waits = [(r.started_at - r.created_at).total_seconds() for r in rows if r.started_at]
    p95 = statistics.quantiles(waits, n=20, method="inclusive")[-1]
    return statistics.median(waits), p95, max(waits)


def throughput(settings: Settings, jobs: int) -> tuple[float, int, int, dict[str, int]]:
    """``jobs`` queued checks through two running workers: seconds from the first queued to
    the last done, done, lost, and how many each worker ran."""
    procs = [_worker(settings.workspace, settings.database_url) for _ in range(2)]
    try:
        with open_workspace(settings) as handle:
            queue_probes(handle, 1, 0)  # warm-up: the workers are up once this is done
        _until(lambda: _all_done(settings, 1), 120)
        start = time.monotonic()
        with open_workspace(settings) as handle:
            queue_probes(handle, jobs, 0)
        _until(lambda: _all_done(settings, jobs + 1), 1200)
        wall = time.monotonic() - start
    finally:
        _stop(*procs)
    rows = sorted(_rows(settings), key=lambda r: r.id)[1:]
    done = sum(r.status == "done" for r in rows)
    per_worker = Counter(r.worker.rpartition(":")[2] for r in rows)
    return wall, done, jobs - done, dict(per_worker)


def kill_during(settings: Settings, log: Path, jobs: int = 20) -> tuple[int, int, int, float]:
    """Kill one of two workers (SIGKILL) while ``jobs`` one-second checks run: done, restarted,
    finished twice (from the log), and seconds from the kill to the last job done."""
    with open_workspace(settings) as handle:
        queue_probes(handle, jobs, 1.0, log)
    fast = ["--heartbeat", "1", "--tick", "1"]
    procs = [_worker(settings.workspace, settings.database_url, *fast) for _ in range(2)]
    victim = procs[0]
    try:
        _until(
            lambda: any(
                r.status == "running" and r.worker.endswith(f":{victim.pid}")
                for r in _rows(settings)
            ),
            120,
        )
        victim.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        _until(lambda: _all_done(settings, jobs), 300)
        recovery = time.monotonic() - killed_at
    finally:
        _stop(*procs)
    rows = _rows(settings)
    finished = Counter(line.split()[0] for line in log.read_text().splitlines())
    twice = sum(1 for n in finished.values() if n > 1)
    restarted = sum(1 for r in rows if r.attempts > 1)
    return sum(r.status == "done" for r in rows), restarted, twice, recovery


def _fresh(tmp: Path, name: str, url: str | None) -> Settings:
    root = tmp / name
    init_workspace(root, "Bench", url)
    return Settings(workspace=root, database_url=url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PRODUCTPATH_TEST_DATABASE_URL"))
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--latency-samples", type=int, default=40)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        print("bench_jobs: give --database-url (a PostgreSQL server); skipped", file=sys.stderr)
        return 0
    table: list[tuple[str, str, str]] = []
    with ExitStack() as databases:
        urls = [
            databases.enter_context(postgres_database(args.database_url, f"pp_bench_jobs_{i}_"))
            for i in range(3)
        ]
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            p50, p95, worst = latency(_fresh(tmp, "latency", urls[0]), args.latency_samples)
            table.append(
                (
                    "enqueue-to-start, 1 idle worker (PostgreSQL)",
                    f"p50 {p50:.3f} s, p95 {p95:.3f} s, max {worst:.3f} s",
                    "p95 < 1 s",
                )
            )
            if args.sqlite:
                p50, p95, worst = latency(_fresh(tmp, "latency-sqlite", None), args.latency_samples)
                table.append(
                    (
                        "enqueue-to-start, 1 idle worker (SQLite)",
                        f"p50 {p50:.3f} s, p95 {p95:.3f} s, max {worst:.3f} s",
                        "p95 < 1 s",
                    )
                )
            wall, done, lost, per = throughput(_fresh(tmp, "throughput", urls[1]), args.jobs)
            split = " / ".join(str(n) for n in sorted(per.values(), reverse=True))
            table.append(
                (
                    f"{args.jobs} small jobs, 2 workers",
                    f"{wall:.1f} s ({args.jobs / wall:.0f} jobs/s), {done} done, {lost} lost, "
                    f"split {split}",
                    "none lost",
                )
            )
            done, restarted, twice, recovery = kill_during(
                _fresh(tmp, "kill", urls[2]), tmp / "kill.log"
            )
            table.append(
                (
                    "kill -9 of 1 of 2 workers during 20 jobs",
                    f"{done}/20 done, {restarted} restarted, {twice} finished twice, "
                    f"last done {recovery:.1f} s after the kill",
                    "20 done, none twice",
                )
            )
    print("| measure | result | target |")
    print("|---|---|---|")
    for row in table:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
