"""The stakeholders and reports pages, their JSON twins, the RACI CSV, report downloads and
"send digests now", through the real app (local mode: the local person is admin)."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from digest_servers import allow_local_webhooks, http_server
from productpath.services.reporting.communication_pages import stakeholders_page
from productpath.services.stakeholders import StakeholderInput, map_raci, save_stakeholder
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.store.models import ReportRun
from productpath.web import create_app
from productpath.web.routes.reports import REPORT_CSP
from web_fixtures import seed

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SECRET_HOOK = "https://hooks.slack.com/services/T1/B2/TOPSECRET"


@pytest.fixture
def client(workspace_dir: Path) -> Iterator[TestClient]:
    with open_workspace() as handle:
        seed(handle)
        save_stakeholder(
            handle,
            StakeholderInput(
                name="Ada Lovelace", email="ada@pocket.example", audience="executive",
                power="high", interest="high", role="CFO",
            ),
        )  # fmt: skip
        save_stakeholder(
            handle,
            StakeholderInput(
                name="Eng room", key="eng", channel="webhook", webhook_url=SECRET_HOOK
            ),
        )
        map_raci(handle, "onboarding", "ada-lovelace", "A")
        map_raci(handle, "onboarding", "eng", "R")
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_stakeholders_page_grid_matrix_and_twin(client: TestClient) -> None:
    page = client.get("/stakeholders")
    assert page.status_code == 200
    text = text_of(page.text)
    for phrase in ["Ada Lovelace", "CFO", "Manage closely", "Eng room", "Guided onboarding"]:
        assert phrase in text
    assert 'href="/stakeholders.json"' in page.text
    assert "TOPSECRET" not in page.text and "https://hooks.slack.com/…" in page.text
    assert '<abbr title="Accountable">A</abbr>' in page.text
    twin = client.get("/stakeholders.json")
    assert twin.status_code == 200 and "TOPSECRET" not in twin.text
    with open_workspace() as handle:
        assert twin.json() == stakeholders_page(handle).model_dump(mode="json")

    export = client.get("/stakeholders/raci.csv")
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.headers["content-disposition"] == 'attachment; filename="pocket-raci.csv"'
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["initiative", "title", "ada-lovelace", "eng"]
    assert ["onboarding", "Guided onboarding", "A", "R"] in rows


def test_add_form_saves_or_explains(client: TestClient) -> None:
    form = {
        "name": "Grace Hopper",
        "email": "grace@pocket.example",
        "audience": "engineering",
        "power": "low",
        "interest": "high",
        "channel": "email",
        "cadence": "biweekly",
    }
    saved = client.post("/stakeholders", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/stakeholders?saved=grace-hopper#sh-grace-hopper"
    page = client.get(saved.headers["location"])
    assert "Stakeholder <code>grace-hopper</code> saved." in page.text
    keys = [s["key"] for s in client.get("/stakeholders.json").json()["stakeholders"]]
    assert "grace-hopper" in keys

    bad = client.post("/stakeholders", data={**form, "name": "Bo", "email": "bo@@x"})
    assert bad.status_code == 422
    assert "field &#39;email&#39;: &#39;bo@@x&#39; is not an e-mail address" in bad.text
    assert 'value="Bo"' in bad.text  # what was typed is kept
    assert 'role="alert"' in bad.text
    keys = [s["key"] for s in client.get("/stakeholders.json").json()["stakeholders"]]
    assert "bo" not in keys


@SQLITE_ONLY
def test_reports_page_preview_and_downloads(client: TestClient) -> None:
    page = client.get("/reports?kind=engineering&milestone=beta")
    assert page.status_code == 200
    assert 'src="/reports/engineering.html?milestone=beta"' in page.text
    assert "sandbox" in page.text and 'title="Preview of the engineering report"' in page.text
    assert "Send digests now" in page.text  # the local person is admin
    assert 'href="/reports.json"' in page.text

    html = client.get("/reports/engineering.html?milestone=beta")
    assert html.status_code == 200 and html.text.lstrip().startswith("<!doctype html>")
    assert html.headers["content-security-policy"] == REPORT_CSP
    assert html.headers["x-frame-options"] == "SAMEORIGIN"
    assert html.headers["content-disposition"].startswith("inline;")
    attached = client.get("/reports/engineering.html?download=true")
    assert attached.headers["content-disposition"].startswith("attachment;")

    md = client.get("/reports/exec.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# ")
    assert md.headers["content-disposition"].startswith('attachment; filename="pocket-exec-')

    pdf = client.get("/reports/release-notes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"

    assert client.get("/reports/board.md").status_code == 404
    assert client.get("/reports/exec.docx").status_code == 404
    missing = client.get("/reports/exec.md?milestone=nope", headers={"accept": "application/json"})
    assert missing.status_code == 404 and "no milestone 'nope'" in missing.json()["detail"]
    bad_since = client.get("/reports?since=yesterday")
    assert bad_since.status_code == 422 and "is not a date like" in bad_since.text
    with open_workspace() as handle, handle.store.read() as s:
        assert s.scalar(select(func.count()).select_from(ReportRun)) == 0  # GETs record nothing


@SQLITE_ONLY
def test_send_digests_now(client: TestClient, workspace_dir: Path) -> None:
    twin = client.get("/reports.json").json()
    plan = {d["stakeholder"]: d["status"] for d in twin["next_digests"]["digests"]}
    assert plan == {"ada-lovelace": "would_send", "eng": "would_send"}
    assert twin["next_digests"]["warnings"][0].startswith("SMTP is not configured")

    dry = client.post("/reports/send", data={"dry_run": "1"})
    assert dry.status_code == 200 and "Dry run: nothing was sent or recorded." in dry.text

    allow_local_webhooks(workspace_dir)
    with http_server() as (base, hooks), open_workspace() as handle:
        save_stakeholder(
            handle, StakeholderInput(name="Ada Lovelace", channel="webhook",
                                     webhook_url=f"{base}/ada")
        )  # fmt: skip
        save_stakeholder(handle, StakeholderInput(name="Eng room", key="eng", channel="none"))
        sent = client.post("/reports/send.json")
        assert sent.status_code == 200, sent.text
        lines = sent.json()["digests"]
        assert [(d["stakeholder"], d["status"]) for d in lines] == [("ada-lovelace", "sent")]
        assert [path for path, _ in hooks.posts] == ["/ada"]
        # From the page the send runs as a background job: the browser goes to its page.
        save_stakeholder(
            handle, StakeholderInput(name="Bob", channel="webhook", webhook_url=f"{base}/bob")
        )
        started = client.post("/reports/send", follow_redirects=False)
        assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
        job = _wait_for_job(client, int(started.headers["location"].rsplit("/", 1)[1]))
        assert job["status"] == "done", job
        assert job["label"] == "Digest send" and "1 sent; 1 already sent" in job["message"]
        assert sorted(path for path, _ in hooks.posts) == ["/ada", "/bob"]
    log = client.get("/reports.json").json()["log"]
    assert sorted((r["stakeholder"], r["status"]) for r in log) == [
        ("ada-lovelace", "sent"),
        ("bob", "sent"),
    ]


@SQLITE_ONLY
def test_send_from_page_without_smtp_skips_email_and_sends_webhooks(
    client: TestClient, workspace_dir: Path
) -> None:
    """Each channel is independent, as on the command line: Ada's e-mail is skipped for want
    of SMTP, the job says so and why, and the webhook digest still goes out."""
    allow_local_webhooks(workspace_dir)
    with http_server() as (base, hooks), open_workspace() as handle:
        save_stakeholder(
            handle, StakeholderInput(name="Eng room", key="eng", channel="webhook",
                                     webhook_url=f"{base}/eng")
        )  # fmt: skip
        started = client.post("/reports/send", follow_redirects=False)
        assert started.status_code == 303, started.text
        job = _wait_for_job(client, int(started.headers["location"].rsplit("/", 1)[1]))
        assert job["status"] == "done", job
        assert "1 sent; 1 skipped; skipped because SMTP is not configured" in job["message"]
        assert [path for path, _ in hooks.posts] == ["/eng"]
    log = client.get("/reports.json").json()["log"]
    assert [(r["stakeholder"], r["status"]) for r in log] == [("eng", "sent")]
    # The skipped e-mail is not recorded, so the plan still has it for the next run.
    plan = client.get("/reports.json").json()["next_digests"]["digests"]
    assert {d["stakeholder"]: d["status"] for d in plan}["ada-lovelace"] == "would_send"


def _wait_for_job(client: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = client.get(f"/jobs/{job_id}.json").json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)
