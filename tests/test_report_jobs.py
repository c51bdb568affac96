"""Reports generated through the job queue: from the reports page (the web app runs the job in
its own process), and from ``productpath report ... --queue`` with a ``productpath worker``
subprocess taking it, on SQLite and PostgreSQL; the file is kept under the job's number."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import invoke
from productpath.errors import ConflictError, InputError, NotFoundError
from productpath.services.background.job_kinds import standard_runner
from productpath.services.background.report_jobs import queue_report, report_file
from productpath.services.workspace import open_workspace
from productpath.store.models import GeneratedReport, ReportRun
from web_fixtures import seed

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _seeded() -> None:
    with open_workspace() as handle:
        seed(handle)


def _until(check: Any, seconds: float = 120) -> Any:
    """Poll ``check`` until it returns something true (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def test_a_report_generated_from_the_reports_page(workspace_dir: Path) -> None:
    from productpath.web.app import create_app

    _seeded()
    with TestClient(create_app()) as client:
        page = client.get("/reports?kind=engineering")
        assert 'action="/jobs/report"' in page.text
        assert 'name="kind" value="engineering"' in page.text
        started = client.post(
            "/jobs/report", data={"kind": "exec", "format": "pdf"}, follow_redirects=False
        )
        assert started.status_code == 303, started.text
        job_id = int(started.headers["location"].rsplit("/", 1)[1])

        def finished() -> dict[str, Any] | None:
            job: dict[str, Any] = client.get(f"/jobs/{job_id}.json").json()
            return job if job["status"] in ("done", "failed") else None

        job = _until(finished)
        assert job is not None and job["status"] == "done", job
        assert job["kind"] == "report" and job["subject"] == "exec.pdf"
        assert f"productpath report download {job_id}" in job["message"]
        assert (job["done"], job["total"]) == (2, 2)
        download = client.get(f"/jobs/{job_id}/file")
        assert download.status_code == 200
        assert download.headers["content-type"] == "application/pdf"
        assert download.content.startswith(b"%PDF-")
        day = job["finished_at"][:10]
        assert f'filename="pocket-exec-{day}.pdf"' in download.headers["content-disposition"]
        assert "Download the report" in client.get(f"/jobs/{job_id}").text

        # Refused before anything is queued: an unknown report, format or date.
        for data in ({"kind": "weekly"}, {"format": "docx"}, {"since": "yesterday"}):
            refused = client.post("/jobs/report", data=data, headers={"Accept": "application/json"})
            assert refused.status_code == 422, data
        assert [j["id"] for j in client.get("/jobs.json").json()["jobs"]] == [job_id]
        # A job that made no file, and no job at all: 404.
        assert client.get("/jobs/999999/file").status_code == 404
        assert client.get("/jobs/abc/file").status_code == 404
    with open_workspace() as handle, handle.store.read() as session:
        # Recorded like a report from the CLI: the next one says what changed since.
        assert session.scalar(select(func.count(ReportRun.id))) == 1
        assert session.scalar(select(func.count(GeneratedReport.id))) == 1


@sqlite_only
def test_a_queued_report_in_process_and_its_rules(workspace_dir: Path) -> None:
    _seeded()
    runner = standard_runner()
    with open_workspace() as handle:
        job_id = queue_report(handle, runner, "release-notes", "md")
        with pytest.raises(ConflictError):  # the same report, still queued
            queue_report(handle, runner, "release-notes", "md")
        other = queue_report(handle, runner, "release-notes", "html")  # another format: fine
        with pytest.raises(InputError):
            queue_report(handle, runner, "release-notes", "docx")
        with pytest.raises(NotFoundError):  # nothing generated yet
            report_file(handle, job_id)
        assert runner.execute(handle, job_id) == "done"
        found = report_file(handle, job_id)
        assert found.format == "md" and found.media_type == "text/markdown"
        assert found.content.decode("utf-8").startswith(f"# {found.title}\n")
        with pytest.raises(NotFoundError):
            report_file(handle, other)
        # Done: the same report can be queued again.
        assert queue_report(handle, runner, "release-notes", "md") > other


def test_report_queue_from_the_cli_is_run_by_a_worker(workspace_dir: Path, tmp_path: Path) -> None:
    _seeded()
    refused = invoke("report", "exec", "--queue", "--out", str(tmp_path / "x.md"))
    assert refused.exit_code != 0 and "--out does not go with --queue" in refused.output
    queued = invoke("report", "exec", "--format", "html", "--queue", "--json")
    assert queued.exit_code == 0, queued.output
    job_id = json.loads(queued.stdout)["id"]
    assert json.loads(queued.stdout)["status"] == "queued"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "productpath.cli.main",
            "worker",
            "--heartbeat",
            "0.5",
            "--tick",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:

        def shown() -> dict[str, Any] | None:
            result = invoke("jobs", "show", str(job_id), "--json")
            row: dict[str, Any] = json.loads(result.stdout)
            return row if row["status"] in ("done", "failed") else None

        row = _until(shown)
    finally:
        worker.kill()
        worker.wait(10)
    assert row is not None and row["status"] == "done", row
    assert row["worker"].endswith(f":{worker.pid}")
    text = invoke("jobs", "show", str(job_id))
    assert f"report download {job_id}" in text.output
    out = tmp_path / "exec.html"
    saved = invoke("report", "download", str(job_id), "--out", str(out))
    assert saved.exit_code == 0, saved.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    missing = invoke("report", "download", "999999", "--out", str(tmp_path / "none.md"))
    assert missing.exit_code != 0 and "no generated report" in missing.output
