"""SIGKILL a productpath command at random moments and check what it leaves behind.

Shared by tests/test_crash_consistency.py (a few kills) and bench/bench_reliability.py (more).
Each job is a real ``productpath`` process (the venv's entry point); after every kill the database
must pass its integrity check and hold either the "before" or the "after" state of the job's
transaction, never something in between; running the job again must finish it.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from roadmap_fixtures import SMALL_ROADMAP

# The installed entry point, as a user runs it (productpath.cli.main has no __main__ block).
CLI = [str(Path(sys.executable).with_name("productpath"))]
WORDS = [
    "export",
    "pdf",
    "login",
    "crash",
    "slow",
    "dark",
    "mode",
    "invoice",
    "card",
    "payment",
    "refund",
    "search",
    "filter",
    "sync",
    "offline",
    "android",
    "iphone",
    "tablet",
    "password",
    "reset",
    "email",
    "report",
    "chart",
    "budget",
    "team",
    "share",
]


@dataclass
class Job:
    name: str
    args: list[str]
    # Row counts that tell the job's state, and whether ``now`` (seen after a kill) is a
    # whole state: the one before the attempt, or a complete run (``done``).
    probe: tuple[str, ...]
    judge: Callable[[tuple[int, ...], tuple[int, ...], tuple[int, ...]], bool]


def _before_or_done(prev: tuple[int, ...], now: tuple[int, ...], done: tuple[int, ...]) -> bool:
    return now in (prev, done)


def _one_more_run(prev: tuple[int, ...], now: tuple[int, ...], _done: tuple[int, ...]) -> bool:
    # insight_run, feedback_insight, feedback_item: a run adds one insight_run and analyses all.
    return now == prev or (now[0] == prev[0] + 1 and now[1] == now[2])


@dataclass
class KillReport:
    job: str
    database: str
    kills: int = 0
    survived: int = 0  # kills after which the store was consistent
    problems: list[str] = field(default_factory=list)


def write_feedback(path: Path, rows: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text", "created_at"])
        for i in range(rows):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
            day = 1 + i % 28
            writer.writerow([f"f{i}", f"Please fix the {words}", f"2025-02-{day:02d}"])
    return path


def jobs(folder: Path, feedback_rows: int, embedder: str = "auto") -> list[Job]:
    """The three jobs to kill. ``embedder`` is passed to ``insights run``: the tests use the
    hashing embedder (the transactions are the same; MiniLM only adds seconds of model loading
    to every killed process), the bench the default one."""
    feedback = write_feedback(folder / "big.csv", feedback_rows)
    roadmap = folder / "roadmap.yaml"
    roadmap.write_text(SMALL_ROADMAP, encoding="utf-8")
    return [
        Job(
            "feedback import",
            ["feedback", "import", str(feedback), "--text-column", "text", "--id-column", "id"],
            ("feedback_item",),
            _before_or_done,
        ),
        Job(
            "roadmap apply",
            ["roadmap", "apply", str(roadmap)],
            ("initiative", "team", "objective", "initiative_dependency"),
            _before_or_done,
        ),
        Job(
            "insights run",
            ["insights", "run", "--seed", "1", "--embedder", embedder],
            ("insight_run", "feedback_insight", "feedback_item"),
            _one_more_run,
        ),
    ]


def env_for(root: Path, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PRODUCTPATH_WORKSPACE"] = str(root)
    env.pop("PRODUCTPATH_DATABASE_URL", None)
    if database_url:
        env["PRODUCTPATH_DATABASE_URL"] = database_url
    return env


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def counts(url: str, tables: tuple[str, ...]) -> tuple[int, ...]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(
                int(conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()) for t in tables
            )
    finally:
        engine.dispose()


def integrity(url: str) -> str:
    """'ok', or what is wrong."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            conn.close()
        verdict = "ok" if rows == [("ok",)] else str(rows[:3])
        return verdict if not fk else f"foreign keys broken: {fk[:3]}"
    # PostgreSQL is crash-safe by design (WAL); check that it answers and its indexes are sound
    # for the tables these jobs write.
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for table in ("feedback_item", "initiative", "theme"):
                conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
            conn.execute(text("REINDEX TABLE feedback_item"))
    finally:
        engine.dispose()
    return "ok"


def kill_at_random(
    job: Job,
    env: dict[str, str],
    url: str,
    *,
    kills: int,
    rng: random.Random,
    full_time: float,
) -> KillReport:
    """Start ``job`` ``kills`` times, SIGKILL each at a random moment, check the store each time.

    ``full_time`` is how long one uninterrupted run takes; kill moments are drawn below it.
    Afterwards the job is run once more to completion; every state seen after a kill must be
    the state before that attempt or a complete run's state (``Job.judge``).
    """
    database = "sqlite" if url.startswith("sqlite") else "postgresql"
    report = KillReport(job.name, database)
    seen: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for _ in range(kills):
        previous = counts(url, job.probe)
        process = subprocess.Popen(
            [*CLI, *job.args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, max(0.1, full_time)))
        process.send_signal(signal.SIGKILL)
        process.wait()
        report.kills += 1
        verdict = integrity(url)
        if verdict != "ok":
            report.problems.append(f"integrity: {verdict}")
        seen.append((previous, counts(url, job.probe)))
    final = run_cli(job.args, env)
    if final.returncode != 0:
        report.problems.append(f"re-run failed: {final.stderr.strip()[-300:]}")
    done = counts(url, job.probe)
    for previous, now in seen:
        if job.judge(previous, now, done):
            report.survived += 1
        else:
            report.problems.append(f"partial state {now} (before {previous}, complete {done})")
    report.survived -= sum(p.startswith("integrity") for p in report.problems)
    return report
