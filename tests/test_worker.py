"""``productpath worker`` as real subprocesses, and ``productpath jobs``: a queued job is run, a
worker killed with SIGKILL midway loses no job and runs none twice, the periodic schedule queues
a source's sync once with two workers, and the jobs commands on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from github_fake import FakeGitHub
from helpers import invoke

postgres_only = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
# Fast heartbeats and ticks so a dead worker is noticed within seconds.
FAST = ["--heartbeat", "0.5", "--tick", "1"]


@contextmanager
def workers(count: int, *extra: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` worker processes for the workspace the environment names; killed at the end."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "productpath.cli.main", "worker", *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        for _ in range(count)
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)


def _jobs(*args: str) -> list[dict[str, Any]]:
    result = invoke("jobs", "list", "--json", "--limit", "1000", *args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _until(check: Any, seconds: float = 180) -> Any:
    """Poll ``check`` until it returns something true (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _all_done(rows: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    return rows if rows and all(r["status"] == "done" for r in rows) else None


def test_a_queued_job_is_run_by_a_worker(workspace_dir: Path) -> None:
    queued = invoke("jobs", "probe", "--count", "2", "--seconds", "0.2", "--json")
    assert queued.exit_code == 0, queued.output
    ids = json.loads(queued.stdout)["queued"]
    assert {row["status"] for row in _jobs()} == {"queued"}
    with workers(1, *FAST) as procs:
        done = _until(lambda: _all_done(_jobs()))
        pid = procs[0].pid
    assert sorted(row["id"] for row in done) == sorted(ids)
    assert {row["worker"].rpartition(":")[2] for row in done} == {str(pid)}
    assert {row["message"] for row in done} == {"waited 0.2 s"}


@postgres_only
def test_a_killed_worker_loses_no_job_and_runs_none_twice(
    workspace_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "probes.log"
    count = 8
    queued = invoke(
        "jobs", "probe", "--count", str(count), "--seconds", "1.5", "--log", str(log), "--json"
    )
    assert queued.exit_code == 0, queued.output
    with workers(2, "--concurrency", "2", *FAST) as procs:
        victim = procs[0]

        def victim_busy() -> bool:
            return any(
                r["status"] == "running" and r["worker"].endswith(f":{victim.pid}") for r in _jobs()
            )

        assert _until(victim_busy, 60)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        rows = _until(lambda: _all_done(_jobs()))
    assert rows and len(rows) == count
    assert {r["status"] for r in rows} == {"done"}
    # The killed worker's jobs started again elsewhere and finished there, once each.
    survivor = f":{procs[1].pid}"
    restarted = [r for r in rows if r["attempts"] > 1]
    assert restarted and all(r["worker"].endswith(survivor) for r in restarted)
    finished = Counter(line.split()[0] for line in log.read_text().splitlines())
    assert finished == Counter({str(n): 1 for n in range(count)})


@postgres_only
def test_a_periodic_sync_is_queued_once_by_two_workers(workspace_dir: Path) -> None:
    with FakeGitHub() as fake:
        fake.add_many(3)
        connected = invoke(*fake.connect_args("--every", "1h", name="gh"))
        assert connected.exit_code == 0, connected.output
        with workers(2, *FAST):
            synced = _until(
                lambda: [r for r in _jobs() if r["kind"] == "sync" and r["status"] == "done"]
            )
            assert synced, _jobs()
            # Several more ticks of both workers: the interval has not passed, nothing new.
            time.sleep(4)
            syncs = [r for r in _jobs() if r["kind"] == "sync"]
    assert len(syncs) == 1
    assert syncs[0]["subject"] == "gh" and syncs[0]["message"].startswith("gh: 3 added")
    shown = invoke("sources", "show", "gh", "--json")
    assert json.loads(shown.stdout)["runs"][0]["added"] == 3


def test_jobs_commands_list_show_cancel_and_retry(workspace_dir: Path) -> None:
    queued = invoke("jobs", "probe", "--count", "2", "--seconds", "0", "--json")
    first, second = json.loads(queued.stdout)["queued"]
    rows = _jobs()
    assert [r["id"] for r in rows] == [second, first]
    assert {r["kind"] for r in rows} == {"probe"} and {r["status"] for r in rows} == {"queued"}

    shown = invoke("jobs", "show", str(first), "--json")
    assert json.loads(shown.stdout)["label"] == "Queue check"
    assert "status: queued" in invoke("jobs", "show", str(first)).stdout

    cancelled = invoke("jobs", "cancel", str(first), "--json")
    assert json.loads(cancelled.stdout)["status"] == "cancelled"
    assert [r["id"] for r in _jobs("--status", "cancelled")] == [first]
    again = invoke("jobs", "cancel", str(first))
    assert again.exit_code == 1 and "cancelled already" in again.stderr

    refused = invoke("jobs", "retry", str(second))
    assert refused.exit_code == 1 and "only a failed or cancelled job" in refused.stderr
    retried = invoke("jobs", "retry", str(first), "--json")
    assert json.loads(retried.stdout)["status"] == "queued"

    # A worker runs both, the retried one included.
    with workers(1, *FAST):
        rows = _until(lambda: _all_done(_jobs()))
    assert rows and {r["status"] for r in rows} == {"done"}

    missing = invoke("jobs", "show", "999")
    assert missing.exit_code == 1 and "no job #999" in missing.stderr
    table = invoke("jobs", "list")
    assert "Queue check" in table.stdout and "done" in table.stdout


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_schedule_queues_the_nightly_insights_run_once_a_night(
    workspace_dir: Path, tmp_path: Path
) -> None:
    import datetime as dt

    from productpath.services.background.job_kinds import standard_runner
    from productpath.services.background.schedule import enqueue_due
    from productpath.services.workspace import open_workspace

    csv = tmp_path / "notes.csv"
    csv.write_text("text\nexport to csv fails\nlove the dark mode\n", encoding="utf-8")
    assert invoke("feedback", "import", str(csv), "--text-column", "text").exit_code == 0
    now = dt.datetime.now(dt.UTC)
    # The night whose run is due now: 02:00 UTC today, or yesterday before then.
    night = now.replace(hour=2, minute=0, second=0, microsecond=0)
    night -= dt.timedelta(days=1) if now < night else dt.timedelta(0)
    runner = standard_runner()
    with open_workspace() as handle:
        first = enqueue_due(handle, runner, now)
        assert enqueue_due(handle, runner, now) == []
        invoke("jobs", "cancel", str(first[0]))
        # Until the next night, that run counts, even cancelled; after it, one more.
        assert enqueue_due(handle, runner, night + dt.timedelta(hours=23)) == []
        following = enqueue_due(handle, runner, night + dt.timedelta(days=1, hours=1))
    kinds = {r["id"]: r["kind"] for r in _jobs()}
    assert [kinds[i] for i in first] == ["insights"] and [kinds[i] for i in following] == [
        "insights"
    ]


@postgres_only
@pytest.mark.empty_database
def test_migration_0019_adds_and_removes_the_queue_schema(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from productpath.store import migrate
    from productpath.store.db import make_engine

    count = text(
        "SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE 'procrastinate%')"
        " + (SELECT count(*) FROM pg_proc WHERE proname LIKE 'procrastinate%')"
        " + (SELECT count(*) FROM pg_type WHERE typname LIKE '%procrastinate%')"
    )
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            created = conn.execute(count).scalar_one()
        assert created > 0
        command.downgrade(migrate._config(engine), "0015")
        with engine.connect() as conn:
            assert conn.execute(count).scalar_one() == 0
        migrate.upgrade(engine)  # and back: nothing left over is in the way
        with engine.connect() as conn:
            assert conn.execute(count).scalar_one() == created
    finally:
        engine.dispose()
