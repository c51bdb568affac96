"""Archived initiatives leave delivery status (service, CLI, page), the exec and engineering
reports and the digests built on them; search still finds them, says so, and ranks them after
live results (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from digest_servers import allow_local_webhooks, http_server
from helpers import invoke
from productpath.notify.results import RetryPolicy
from productpath.services.delivery import delivery_status
from productpath.services.reporting.digests import send_digests
from productpath.services.reporting.reports import render_report
from productpath.services.roadmap_edit import remove_object
from productpath.services.search import search
from productpath.services.stakeholders import StakeholderInput, save_stakeholder
from productpath.services.workspace import OpenWorkspace
from productpath.web.app import create_app
from web_fixtures import seed

TITLE = "Guided onboarding"


def _archive(handle: OpenWorkspace, key: str = "onboarding") -> None:
    remove_object(handle, "initiative", key, expected_version=None, actor="t", via="api")


def _report(handle: OpenWorkspace, kind: str) -> str:
    return render_report(handle, kind, "md", record=False).content.decode("utf-8")


def test_archived_initiatives_leave_delivery_status(opened: Any) -> None:
    seed(opened)
    assert "onboarding" in {i.key for i in delivery_status(opened).initiatives}
    _archive(opened)
    status = delivery_status(opened)
    assert "onboarding" not in {i.key for i in status.initiatives}
    assert all("onboarding" not in m.initiatives for m in status.milestones)
    assert status.initiatives  # the others stay
    listed = json.loads(invoke("delivery", "status", "--json").stdout)
    assert "onboarding" not in {i["key"] for i in listed["initiatives"]}
    with TestClient(create_app()) as client:
        page = client.get("/delivery")
        assert page.status_code == 200 and TITLE not in page.text


def test_archived_initiatives_leave_the_exec_and_engineering_reports(opened: Any) -> None:
    seed(opened)
    before = {kind: _report(opened, kind) for kind in ("exec", "engineering")}
    assert all(TITLE in text for text in before.values())
    assert "The roadmap: 5 initiatives" in before["exec"]
    _archive(opened)
    after = {kind: _report(opened, kind) for kind in ("exec", "engineering")}
    for kind, text in after.items():
        assert TITLE not in text, kind
    assert "The roadmap: 4 initiatives" in after["exec"]


def test_archived_initiatives_leave_the_digests(workspace_dir: Path, opened: Any) -> None:
    seed(opened, now=dt.datetime(2030, 3, 1, tzinfo=dt.UTC))
    _archive(opened)
    allow_local_webhooks(workspace_dir)
    rendered: list[str] = []

    def keep(handle: OpenWorkspace, kind: str, fmt: str, **kwargs: Any) -> Any:
        done = render_report(handle, kind, fmt, **kwargs)
        if fmt == "md":
            rendered.append(done.content.decode("utf-8"))
        return done

    with http_server() as (base, hooks):
        for key, audience in (("ada", "executive"), ("eng", "engineering")):
            save_stakeholder(
                opened,
                StakeholderInput(
                    name=key,
                    key=key,
                    channel="webhook",
                    webhook_url=f"{base}/{key}",
                    audience=audience,
                ),
            )
        run = send_digests(
            opened,
            today=dt.date(2030, 3, 6),
            policy=RetryPolicy(attempts=1, backoff=0.0),
            sleep=lambda _s: None,
            renderer=keep,
        )
        assert {line.stakeholder: line.status for line in run.digests} == {
            "ada": "sent",
            "eng": "sent",
        }
        posted = json.dumps([payload for _, payload in hooks.posts])
    assert len(rendered) == 2 and all(TITLE not in text for text in rendered)
    # Counted out too: the basis and the objectives' initiative counts.
    assert all("The roadmap: 4 initiatives" in text for text in rendered)
    (exec_text,) = [t for t in rendered if t.startswith("# Pocket: executive")]
    assert "| Grow activation | " in exec_text and "| 0 of 1 done |" in exec_text
    assert TITLE not in posted


def test_search_finds_archived_initiatives_says_so_and_ranks_them_last(opened: Any) -> None:
    seed(opened)
    _archive(opened, "card-freeze")
    found = search(opened, "card", kinds=["initiative"]).results
    assert [(r.key, r.archived) for r in found if r.key == "card-freeze"] == [("card-freeze", True)]
    flags = [r.archived for r in search(opened, "card").results]
    assert flags == sorted(flags)  # every live result first
    assert not any(r.archived for r in search(opened, "onboarding").results)
    printed = invoke("search", "card", "--type", "initiative")
    assert printed.exit_code == 0 and "Freeze a lost card (archived)" in printed.stdout
    as_json = json.loads(invoke("search", "card", "--json").stdout)
    assert {r["key"]: r["archived"] for r in as_json if r["type"] == "initiative"}["card-freeze"]
    with TestClient(create_app()) as client:
        page = client.get("/search", params={"q": "card"}).text
        assert '<span class="badge">archived</span>' in page
