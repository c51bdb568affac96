"""Background jobs from the web UI: import and insights runs, failures, progress, limits,
interruption (SQLite and PostgreSQL, through a real app and its thread pool)."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conftest import banking77
from productpath.services.background.jobs import INTERRUPTED, JobKind, Reporter, worker_name
from productpath.services.workspace import OpenWorkspace

JSON = {"Accept": "application/json"}
# For checks that do not depend on the database: SQLite only, to keep the suite quick.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _feedback_csv(rows: int) -> bytes:
    """The first ``rows`` BANKING77 test messages as a CSV with ids (real customer text)."""
    texts = [row["text"] for row in banking77("test")[:rows]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "message"])
    writer.writerows([f"m{i}", text] for i, text in enumerate(texts))
    return out.getvalue().encode("utf-8")


def _wait(client: TestClient, job_id: int, until: set[str]) -> dict[str, Any]:
    """Poll the job's JSON like static/jobs.js does until it reaches a status in ``until``."""
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = client.get(f"/jobs/{job_id}.json").json()
        if job["status"] in until or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def _app_client() -> TestClient:
    from productpath.web.app import create_app

    return TestClient(create_app())


def test_import_then_insights_from_the_web(workspace_dir: Path) -> None:
    with _app_client() as client:
        page = client.get("/jobs")
        assert page.status_code == 200
        assert "No jobs yet" in page.text and 'action="/jobs/import"' in page.text
        assert '<script src="/static/jobs.js" defer></script>' in page.text

        started = client.post(
            "/jobs/import",
            files={"file": ("support-inbox.csv", _feedback_csv(240), "text/csv")},
            data={"text_column": "message", "id_column": "id"},
            follow_redirects=False,
        )
        assert started.status_code == 303
        job_id = int(started.headers["location"].rsplit("/", 1)[1])
        job = _wait(client, job_id, {"done", "failed"})
        assert job["status"] == "done", job
        assert job["message"] == (
            "Imported 240 new items into source 'support-inbox'; 0 already present"
        )
        assert (job["done"], job["total"], job["percent"]) == (240, 240, 100)
        # The upload is removed once the job has ended.
        assert list((workspace_dir / ".productpath" / "uploads").iterdir()) == []

        queued = client.post("/jobs/insights", data={"embedder": "hashing"}, headers=JSON)
        assert queued.status_code == 202
        assert queued.json()["kind"] == "insights"
        insights = _wait(client, queued.json()["id"], {"done", "failed"})
        assert insights["status"] == "done", insights
        assert "themes from 240 items" in insights["message"]

        themes = client.get("/themes.json").json()
        assert themes["themes"] and themes["analysed"] == 240
        listing = client.get("/jobs.json").json()
        assert [j["kind"] for j in listing["jobs"]] == ["insights", "import"]
        assert listing["active"] is False
        detail = client.get(f"/jobs/{job_id}")
        assert detail.status_code == 200 and "See the feedback" in detail.text
        assert f'href="/jobs/{job_id}.json"' in detail.text


def test_a_failing_job_reports_failed_with_one_line(workspace_dir: Path) -> None:
    with _app_client() as client:
        started = client.post(
            "/jobs/import",
            files={"file": ("inbox.csv", _feedback_csv(5), "text/csv")},
            data={"text_column": "body"},
            headers=JSON,
        )
        assert started.status_code == 202
        job = _wait(client, started.json()["id"], {"done", "failed"})
        assert job["status"] == "failed"
        assert "body" in job["message"] and "\n" not in job["message"]
        assert job["finished_at"] is not None
        page = client.get(f"/jobs/{job['id']}").text
        assert 'role="alert"' in page and "Failed" in page
        # Nothing was imported: the feedback store is still empty.
        assert client.get("/themes.json").json()["items"] == 0


@sqlite_only
def test_uploads_are_checked_before_a_job_starts(
    workspace_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from productpath.web.routes import jobs as jobs_routes

    monkeypatch.setattr(jobs_routes, "MAX_UPLOAD_BYTES", 4096)
    with _app_client() as client:
        big = client.post(
            "/jobs/import", files={"file": ("big.csv", b"text\n" + b"x" * 8000, "text/csv")}
        )
        assert big.status_code == 413 and "upload limit" in big.json()["detail"]
        script = client.post(
            "/jobs/import", files={"file": ("run.py", b"print(1)\n", "text/x-python")}
        )
        assert script.status_code == 422 and ".csv, .json or .jsonl" in script.text
        no_file = client.post("/jobs/import", data={"text_column": "text"}, headers=JSON)
        assert no_file.status_code in {415, 422}
        not_multipart = client.post("/jobs/import", content=b"text\nhi\n", headers=JSON)
        assert not_multipart.status_code == 415
        assert client.get("/jobs.json").json()["jobs"] == []
        assert not (workspace_dir / ".productpath" / "uploads").exists() or not list(
            (workspace_dir / ".productpath" / "uploads").iterdir()
        )


def test_requests_are_answered_while_a_job_runs(workspace_dir: Path) -> None:
    release = threading.Event()
    reported = threading.Event()

    def slow(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
        report("waiting", 3, 10)
        reported.set()
        while not release.wait(0.02):
            report("waiting", 3, 10)
        report("waiting", 10, 10)
        return f"waited for {params['who']}"

    with _app_client() as client:
        runner = client.app.state.jobs  # type: ignore[attr-defined]
        handle = client.app.state.handle  # type: ignore[attr-defined]
        runner.register("slow", JobKind("Slow test job", slow))
        job_id = runner.start_job(handle, "slow", {"who": "the test"}, None)
        assert reported.wait(30)
        try:
            # The server answers other pages while the job holds a pool thread.
            assert client.get("/").status_code == 200
            assert client.get("/themes").status_code == 200
            running = client.get(f"/jobs/{job_id}.json").json()
            assert running["status"] == "running" and running["stage"] == "waiting"
            assert (running["done"], running["total"], running["percent"]) == (3, 10, 30)
            assert client.get("/jobs.json").json()["active"] is True
            page = client.get("/jobs").text
            assert f'data-job="{job_id}" data-job-status="running"' in page
            assert f"Worker {runner.name}" in page  # the process running it
            # One job of a kind at a time per product.
            from productpath.errors import ConflictError

            with pytest.raises(ConflictError, match="already running"):
                runner.start_job(handle, "slow", {"who": "someone else"}, None)
            busy = client.post("/jobs/insights", data={"embedder": "hashing"}, headers=JSON)
            assert busy.status_code == 202  # another kind may run beside it
            _wait(client, busy.json()["id"], {"done", "failed"})
        finally:
            release.set()
        done = _wait(client, job_id, {"done", "failed"})
        assert done["status"] == "done" and done["message"] == "waited for the test"
        assert done["percent"] == 100


@sqlite_only
def test_a_second_insights_run_is_refused_while_one_is_queued(workspace_dir: Path) -> None:
    from productpath.store.models import Job, Product

    with _app_client() as client:
        handle = client.app.state.handle  # type: ignore[attr-defined]
        with handle.store.write() as session:
            pid = session.scalar(select(Product.id))
            # Running on a live process (this one): not a leftover to queue again.
            session.add(
                Job(product_id=pid, kind="insights", status="running", worker=worker_name())
            )
        refused = client.post("/jobs/insights", data={"embedder": "hashing"}, headers=JSON)
        assert refused.status_code == 409 and "already running" in refused.json()["detail"]
        page = client.post("/jobs/insights", data={"embedder": "hashing"})
        assert page.status_code == 409 and 'role="alert"' in page.text


def test_stopping_the_server_queues_its_jobs_again_and_a_restart_runs_them(
    workspace_dir: Path,
) -> None:
    from productpath.store.models import Job, Product

    def endless(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
        while True:
            report("looping", 1, None)
            time.sleep(0.01)

    def quick(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
        report("looping", 1, 1)
        return "finished on the second start"

    with _app_client() as client:
        runner = client.app.state.jobs  # type: ignore[attr-defined]
        handle = client.app.state.handle  # type: ignore[attr-defined]
        runner.register("endless", JobKind("Endless", endless))
        job_id = runner.start_job(handle, "endless", {}, None)
        assert _wait(client, job_id, {"running"})["status"] == "running"
        # A row a server that died (no such process) left running: on SQLite the next server
        # queues it again (PostgreSQL: the queue's heartbeats, tests/test_worker.py).
        if handle.workspace.uses_sqlite:
            with handle.store.write() as session:
                dead = f"{worker_name().rpartition(':')[0]}:999999999"
                pid = session.scalar(select(Product.id))
                session.add(
                    Job(product_id=pid, kind="endless", subject="b", status="running", worker=dead)
                )
    # Leaving the client stops the app: the endless job stops at its next report and is
    # queued again rather than lost.
    with handle.store.read() as session:
        left = session.get(Job, job_id)
        assert left is not None and left.status == "queued" and left.message == INTERRUPTED
    with _app_client() as client:
        runner = client.app.state.jobs  # type: ignore[attr-defined]
        runner.register("endless", JobKind("Endless, now quick", quick))
        runner._wake.set()
        for job in client.get("/jobs.json").json()["jobs"]:
            done = _wait(client, job["id"], {"done", "failed"})
            assert done["status"] == "done", done
            assert done["message"] == "finished on the second start"
            assert done["worker"] == worker_name()
            # The interrupted job started twice; the leftover once or twice (whether the
            # first server had reached it before it stopped).
            assert done["attempts"] == 2 if job["id"] == job_id else done["attempts"] >= 1


@sqlite_only
def test_unknown_jobs_are_not_found(workspace_dir: Path) -> None:
    with _app_client() as client:
        for path in ("/jobs/999.json", "/jobs/999", "/jobs/abc", "/jobs/abc.json", "/jobs/-1"):
            assert client.get(path).status_code == 404, path


@sqlite_only
def test_a_job_this_runner_is_running_is_not_run_again_beside_it(workspace_dir: Path) -> None:
    """On PostgreSQL a run waiting on its embedding batches runs queued ones itself
    (services/background/embed_batches.py) while the queue may hand the same batch to a slot of
    the same runner, which claims a running row (a stalled job is retried that way): the runner
    must not start a job it is running already, or every batch it helps with is embedded twice."""
    from productpath.services.background.jobs import JobRunner
    from productpath.services.workspace import open_workspace

    runner = JobRunner(max_threads=2)
    runs: list[int] = []
    beside: list[str] = []

    def work(handle: OpenWorkspace, _params: Mapping[str, Any], _report: Reporter) -> str:
        runs.append(job_id)
        if len(runs) == 1:  # the queue's slot takes the job while it runs here
            beside.append(runner.execute(handle, job_id))
        return "ran"

    runner.register("once", JobKind("Once", work))
    with open_workspace() as handle:
        job_id = runner.start_job(handle, "once", {}, None)
        assert runner.execute(handle, job_id, queued_only=True) == "done"
        # Finished: no one runs it again.
        assert runner.execute(handle, job_id) == "skipped"
    assert runs == [job_id] and beside == ["skipped"]
