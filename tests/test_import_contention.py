"""Long feedback imports let other writers take their turn, and a wait that still runs out is
one sentence, never "database is locked": real `productpath` processes and the real web app
on one SQLite workspace, with the busy timeout shortened so a run takes seconds.

Before imports staged their rows, one import held SQLite's write lock from its first row to
its last: the second import failed with an OperationalError traceback and a comment posted
meanwhile answered 500.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from crash_harness import CLI, env_for, write_feedback
from live_server import serve_in_thread
from web_fixtures import seed

ROWS = 40_000  # a few seconds of reading and redacting: far longer than the busy timeout
BUSY_TIMEOUT_S = "1.5"
BUSY = "the database is busy: another import is writing; try again"
COMMENTS = "/initiatives/dark-mode/comments"


def _settings(root: Path) -> Any:
    from productpath.settings import Settings

    return Settings(workspace=root, database_url=None)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from productpath.services.workspace import init_workspace, open_workspace

    monkeypatch.setenv("PRODUCTPATH_BUSY_TIMEOUT", BUSY_TIMEOUT_S)  # the web server's too
    root = tmp_path / "ws"
    init_workspace(root, "Pocket")
    with open_workspace(_settings(root)) as handle:
        seed(handle)
    return root


@pytest.fixture
def base_url(workspace: Path) -> Iterator[str]:
    yield from serve_in_thread(_settings(workspace), start_within_s=30)


def _args(path: Path) -> list[str]:
    return [*CLI, "feedback", "import", str(path), "--text-column", "text", "--id-column", "id"]


def _import(path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _args(path), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _run(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_args(path), env=env, capture_output=True, text=True, timeout=60)


def _count(root: Path, sql: str) -> int:
    engine = create_engine(f"sqlite:///{root / '.productpath' / 'productpath.db'}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_two_imports_of_one_large_file_and_web_comments_all_get_their_turn(
    workspace: Path, base_url: str, tmp_path: Path
) -> None:
    env = env_for(workspace, None)
    big = write_feedback(tmp_path / "big.csv", ROWS)
    first = _import(big, env)
    time.sleep(0.5)
    second = _import(big, env)
    answers: list[int] = []
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as web:
        while first.poll() is None or second.poll() is None:
            said = web.post(COMMENTS, data={"body": f"comment {len(answers)} during the imports"})
            answers.append(said.status_code)
            assert said.status_code == 303, said.text[:300]
            time.sleep(0.05)
    outputs = [p.communicate(timeout=60) for p in (first, second)]
    for process, (out, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err or out
        assert "locked" not in (out + err).lower() and "Traceback" not in err
    assert len(answers) >= 3, "the comments never ran alongside the imports"
    # One file, two imports: each row stored once; the later import found them there.
    assert _count(workspace, "SELECT count(*) FROM feedback_item WHERE source = 'big'") == ROWS
    assert sorted(o.splitlines()[-1].split(" new items")[0] for o, _ in outputs) == [
        "Imported 0",
        f"Imported {ROWS}",
    ]
    assert _count(workspace, "SELECT count(*) FROM comment") >= len(answers)


def test_a_wait_that_runs_out_is_one_line_and_a_503(
    workspace: Path, base_url: str, tmp_path: Path
) -> None:
    small = write_feedback(tmp_path / "small.csv", 50)
    env = env_for(workspace, None)
    holder = sqlite3.connect(workspace / ".productpath" / "productpath.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer that keeps the lock past the timeout
    try:
        cli = _run(small, env)
        with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as web:
            page = web.post(
                COMMENTS, data={"body": "while locked"}, headers={"Accept": "text/html"}
            )
            api = web.post(
                COMMENTS, data={"body": "while locked"}, headers={"Accept": "application/json"}
            )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert cli.returncode == 1
    assert cli.stderr == f"error: {BUSY}\n"
    assert page.status_code == 503 and BUSY in page.text and "<html" in page.text.lower()
    assert api.status_code == 503 and api.json() == {"detail": BUSY}
    assert api.headers["retry-after"] == "5"
    # Once the lock is free the same import goes through.
    again = _run(small, env)
    assert again.returncode == 0, again.stderr
