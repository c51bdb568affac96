"""Two CLI writers, a KPI import and the web server on one SQLite workspace, all at once.

Real ``productpath`` processes (the venv's entry point) import feedback and KPI points while the
app, served by uvicorn on a free port, answers page views, JSON reads, comments and initiative
edits in a loop. Afterwards nothing may be lost (every writer's rows and every edit the server
acknowledged are stored), no "database is locked" may reach the user (CLI stderr or an HTTP 5xx),
and edits based on the same version must end with one winner and one clear conflict.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from crash_harness import CLI, env_for, write_feedback
from live_server import serve_in_thread
from web_fixtures import seed

FEEDBACK_ROWS = 1_000
KPI_DAYS = 400
EDITED = "dark-mode"
STATUSES = ("planned", "in_progress")
PAGES = ("/", "/feedback", "/roadmap", "/kpis", f"/initiatives/{EDITED}")


def _settings(root: Path) -> Any:
    from productpath.settings import Settings

    return Settings(workspace=root, database_url=None)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    from productpath.services.workspace import init_workspace, open_workspace

    root = tmp_path / "ws"
    init_workspace(root, "Pocket")
    with open_workspace(_settings(root)) as handle:
        seed(handle)
    return root


@pytest.fixture
def base_url(workspace: Path) -> Iterator[str]:
    """The real app under uvicorn in a thread, on a port the test bound itself."""
    yield from serve_in_thread(_settings(workspace), start_within_s=30)


def _count(root: Path, sql: str, **params: object) -> int:
    engine = create_engine(f"sqlite:///{root / '.productpath' / 'productpath.db'}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())
    finally:
        engine.dispose()


def _feedback_file(path: Path, prefix: str, seed_: int) -> Path:
    """FEEDBACK_ROWS rows whose ids start with ``prefix``, so two files never share an id."""
    write_feedback(path, FEEDBACK_ROWS, seed=seed_)
    with path.open(encoding="utf-8", newline="") as src:
        rows = list(csv.reader(src))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(rows[0])
        writer.writerows([f"{prefix}-{row[0]}", *row[1:]] for row in rows[1:])
    return path


def _kpi_file(path: Path) -> Path:
    start = dt.date(2025, 1, 1)
    lines = ["metric,date,value"]
    lines += [
        f"Checkout conversion,{start + dt.timedelta(days=i)},{40 + i % 7}" for i in range(200)
    ]
    lines += [f"Daily payments,{start + dt.timedelta(days=i)},{1000 + i}" for i in range(200)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _check(response: httpx.Response, problems: list[str]) -> None:
    if response.status_code >= 500 or "locked" in response.text.lower():
        problems.append(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:200]}"
        )


def test_two_cli_writers_and_the_web_server_lose_nothing(
    workspace: Path, base_url: str, tmp_path: Path
) -> None:
    env = env_for(workspace, None)
    env["COLUMNS"] = "200"
    before_feedback = _count(workspace, "SELECT count(*) FROM feedback_item")
    before_comments = _count(workspace, "SELECT count(*) FROM comment")
    files = [_feedback_file(tmp_path / f"w{i}.csv", f"w{i}", seed_=i) for i in range(2)]
    kpis = _kpi_file(tmp_path / "kpis.csv")
    writers = [
        _start(["feedback", "import", str(f), "--text-column", "text", "--id-column", "id"], env)
        for f in files
    ]
    writers.append(
        _start(
            [
                "kpi",
                "import",
                str(kpis),
                "--metric-column",
                "metric",
                "--date-column",
                "date",
                "--value-column",
                "value",
            ],
            env,
        )
    )

    problems: list[str] = []
    comments: list[str] = []
    edits: list[tuple[int, str]] = []  # (version returned, status) of each acknowledged edit
    rounds = 0
    overlapping = 0  # rounds that started while at least one writer was still running
    with httpx.Client(base_url=base_url, timeout=60, follow_redirects=False) as web:
        # Keep going until every writer has finished, and at least a few rounds after the start.
        while rounds < 4 or any(w.poll() is None for w in writers):
            overlapping += any(w.poll() is None for w in writers)
            for page in PAGES:
                _check(web.get(page), problems)
            current = web.get(f"/api/v1/initiatives/{EDITED}")
            _check(current, problems)
            version = current.json()["version"]
            wanted = STATUSES[rounds % 2]
            if rounds % 3 == 2:
                # The HTML form, as the initiative page posts it.
                posted = web.post(
                    f"/initiatives/{EDITED}/edit", data={"version": version, "status": wanted}
                )
                _check(posted, problems)
                if posted.status_code == 303 and "saved=1" in posted.headers["location"]:
                    edits.append((version + 1, wanted))
            else:
                patched = web.patch(
                    f"/api/v1/initiatives/{EDITED}", json={"version": version, "status": wanted}
                )
                _check(patched, problems)
                if patched.status_code == 200:
                    edits.append((patched.json()["version"], wanted))
            body = f"comment {rounds} while importing"
            said = web.post(f"/initiatives/{EDITED}/comments", data={"body": body})
            _check(said, problems)
            if said.status_code == 303:
                comments.append(body)
            rounds += 1

    outputs = [w.communicate(timeout=60) for w in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, f"{writer.args!r}: {err or out}"
        assert "locked" not in (out + err).lower()
    assert problems == []
    assert overlapping > 0, "the web requests never ran alongside the writers"

    # No lost update: every writer's rows are there, once.
    assert _count(workspace, "SELECT count(*) FROM feedback_item") == (
        before_feedback + 2 * FEEDBACK_ROWS
    )
    for prefix in ("w0", "w1"):
        stored = _count(
            workspace,
            "SELECT count(*) FROM feedback_item WHERE external_id LIKE :p",
            p=f"{prefix}-%",
        )
        assert stored == FEEDBACK_ROWS
    assert _count(workspace, "SELECT count(*) FROM kpi_point") == KPI_DAYS
    # Every acknowledged web write is stored: each comment, and each edit in turn.
    assert _count(workspace, "SELECT count(*) FROM comment") == before_comments + len(comments)
    for body in comments:
        assert _count(workspace, "SELECT count(*) FROM comment WHERE body = :b", b=body) == 1
    assert len(edits) == rounds  # one client editing alone never conflicts with itself
    versions = [v for v, _ in edits]
    assert versions == list(range(versions[0], versions[0] + rounds))
    final = _count(workspace, "SELECT version FROM initiative WHERE key = :k", k=EDITED)
    assert final == versions[-1]
    status = httpx.get(f"{base_url}/api/v1/initiatives/{EDITED}").json()["status"]
    assert status == edits[-1][1]


def _initiative(client: Any, key: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/initiatives/{key}")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def test_two_api_edits_of_the_same_version_one_wins_one_gets_409(workspace: Path) -> None:
    from fastapi.testclient import TestClient

    from productpath.web import create_app

    with TestClient(create_app(_settings(workspace))) as client:
        seen = _initiative(client, EDITED)["version"]
        first = client.patch(
            f"/api/v1/initiatives/{EDITED}", json={"version": seen, "status": "planned"}
        )
        second = client.patch(
            f"/api/v1/initiatives/{EDITED}", json={"version": seen, "status": "dropped"}
        )
        assert first.status_code == 200
        assert first.json()["version"] == seen + 1
        assert second.status_code == 409
        assert "version" in second.text.lower() or "changed" in second.text.lower()
        stored = _initiative(client, EDITED)
        assert (stored["status"], stored["version"]) == ("planned", seen + 1)


def test_two_form_edits_of_the_same_version_one_wins_one_is_told(workspace: Path) -> None:
    from fastapi.testclient import TestClient

    from productpath.web import create_app

    with TestClient(create_app(_settings(workspace))) as client:
        seen = _initiative(client, EDITED)["version"]
        form = f"/initiatives/{EDITED}/edit"
        first = client.post(
            form, data={"version": seen, "status": "in_progress"}, follow_redirects=False
        )
        second = client.post(
            form, data={"version": seen, "status": "done", "public": "on"}, follow_redirects=False
        )
        assert first.status_code == 303
        assert "saved=1" in first.headers["location"]
        assert second.status_code == 303
        assert "conflict=1" in second.headers["location"]
        page = client.get(second.headers["location"])
        assert page.status_code == 200
        assert "Someone changed this since you opened it" in page.text
        assert "your change was not saved" in page.text
        stored = _initiative(client, EDITED)
        assert (stored["status"], stored["public"], stored["version"]) == (
            "in_progress",
            False,
            seen + 1,
        )
