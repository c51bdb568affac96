"""The GitHub connector against a fake GitHub on 127.0.0.1: pages by Link header, the since
cursor, 304 re-syncs, rate limits, retries, a sync cut off and resumed, auth failures, and the
same keys as ``tracker import --format github``. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from github_fake import FakeGitHub
from helpers import invoke
from productpath.errors import ProductpathError
from productpath.ingest.connectors.github import RetryPolicy
from productpath.services.work.source_sync import SyncReport, sync_sources
from productpath.services.work.sources import connect_github, show_source
from productpath.services.work.tracker import list_tracker_items

FAST = RetryPolicy(attempts=3, backoff=0.01, max_wait=10.0, timeout=5.0)


@pytest.fixture
def github() -> Any:
    with FakeGitHub() as fake:
        yield fake


def sync(handle: Any, *, full: bool = False, sleep: Any = time.sleep, **kw: Any) -> SyncReport:
    policy = kw.pop("policy", FAST)
    [report] = sync_sources(handle, "gh", full=full, policy=policy, sleep=sleep, **kw)
    return report


def connect(handle: Any, fake: FakeGitHub, **kw: Any) -> None:
    connect_github(handle, "gh", repo=fake.repo, api_url=fake.api_url, **kw)


def items(handle: Any) -> dict[str, Any]:
    return {row.key: row for row in list_tracker_items(handle)}


def test_first_sync_follows_link_pages_and_maps_like_the_file_import(
    opened: Any, github: FakeGitHub
) -> None:
    github.add_many(250)
    github.edit(3, state="closed", closed_at="2026-02-01T00:00:00Z", state_reason="not_planned")
    connect(opened, github)
    report = sync(opened)
    assert (report.added, report.updated, report.skipped) == (250, 0, [])
    # Each request starts from the newest updated_at read (GitHub's since is inclusive: one
    # item again each time); the last, from the final cursor, only repeats that item.
    ordered = sorted(issue["updated_at"] for issue in github.issues.values())
    stamps = [ordered[99], ordered[198], ordered[249]]
    asked = [seen.query.get("since") for seen in github.issue_requests()]
    assert asked == [None, *stamps]
    first = github.issue_requests()[0].query
    assert (first["state"], first["sort"], first["direction"]) == ("all", "updated", "asc")
    stored = items(opened)
    assert len(stored) == 250
    assert stored["acme/pocket#5"].item_type == "pull_request"
    assert stored["acme/pocket#4"].item_type == "issue"
    assert (
        stored["acme/pocket#3"].status == "not_planned"
    )  # closed, not done: as the file import reads it
    assert stored["acme/pocket#3"].state_reason == "not_planned"
    assert stored["acme/pocket#3"].status_category == "dropped"


def test_connector_after_a_file_import_makes_no_duplicates(
    opened: Any, github: FakeGitHub, tmp_path: Path, workspace_dir: Path
) -> None:
    github.add_many(30)
    export = tmp_path / "issues.json"
    export.write_text(json.dumps(list(github.issues.values())), encoding="utf-8")
    assert invoke("tracker", "import", str(export), "--format", "github").exit_code == 0
    connect(opened, github)
    report = sync(opened)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 30 + 1)
    assert len(items(opened)) == 30


def test_resync_without_changes_is_one_304_per_endpoint(opened: Any, github: FakeGitHub) -> None:
    github.add_many(120)
    connect(opened, github)
    sync(opened)
    github.requests.clear()
    report = sync(opened)
    assert report.not_modified
    assert (report.added, report.updated, report.requests) == (0, 0, 2)
    assert [seen.status for seen in github.requests] == [304, 304]
    assert all("if-none-match" in seen.headers for seen in github.requests)


def test_since_cursor_reads_only_what_changed(opened: Any, github: FakeGitHub) -> None:
    github.add_many(120)
    connect(opened, github)
    sync(opened)
    newest = max(issue["updated_at"] for issue in github.issues.values())
    github.edit(7, state="closed", closed_at="2026-03-01T00:00:00Z", state_reason="completed")
    github.add(121, "A new one")
    github.requests.clear()
    report = sync(opened)
    assert (report.added, report.updated) == (1, 1)
    assert github.issue_requests()[0].query["since"] == newest
    assert items(opened)["acme/pocket#7"].status_category == "done"
    assert show_source(opened, "gh").cursor == github.issues[121]["updated_at"]


def test_full_sync_reads_everything_and_changes_nothing(opened: Any, github: FakeGitHub) -> None:
    github.add_many(150)
    connect(opened, github)
    sync(opened)
    github.requests.clear()
    report = sync(opened, full=True)
    # 150, plus the item at the cursor read again by each request after the first
    assert (report.added, report.updated, report.unchanged) == (0, 0, 150 + 2)
    assert "since" not in github.issue_requests()[0].query


def test_primary_rate_limit_waits_for_the_reset_then_goes_on(
    opened: Any, github: FakeGitHub
) -> None:
    github.add_many(150)
    reset = str(int(time.time()) + 1)
    github.fail(
        403,
        path="/issues",
        skip=1,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
        message="API rate limit exceeded for user ID 1.",
    )
    connect(opened, github)
    started = time.monotonic()
    report = sync(opened)
    assert time.monotonic() - started >= 1.0
    assert report.added == 150
    assert [seen.status for seen in github.issue_requests()][:3] == [200, 403, 200]


def test_429_waits_retry_after(opened: Any, github: FakeGitHub) -> None:
    github.add_many(10)
    github.fail(429, path="/issues", headers={"Retry-After": "2"}, message="secondary limit")
    waits: list[float] = []
    connect(opened, github)
    assert sync(opened, sleep=waits.append).added == 10
    assert waits == [2.0]


def test_a_rate_limit_longer_than_the_cap_stops_with_one_line(
    opened: Any, github: FakeGitHub
) -> None:
    github.add_many(10)
    github.fail(429, path="/issues", headers={"Retry-After": "3600"})
    connect(opened, github)
    with pytest.raises(ProductpathError, match=r"^source 'gh': rate limited .*sync again later"):
        sync(opened, sleep=lambda _s: None)


def test_server_errors_are_retried_with_backoff(opened: Any, github: FakeGitHub) -> None:
    github.add_many(10)
    github.fail(502, path="/issues", times=2)
    waits: list[float] = []
    connect(opened, github)
    assert sync(opened, sleep=waits.append).added == 10
    assert waits == [0.01, 0.02]


def test_timeouts_are_retried_then_reported(opened: Any, github: FakeGitHub) -> None:
    github.add_many(3)
    github.delay = 0.5
    connect(opened, github)
    slow = RetryPolicy(attempts=2, backoff=0.01, timeout=0.1)
    with pytest.raises(ProductpathError, match=r"no answer from .* after 2 tries \(ReadTimeout\)"):
        sync(opened, policy=slow)
    assert len(github.requests) == 2


def test_a_sync_cut_off_midway_keeps_its_pages_and_the_next_resumes(
    opened: Any, github: FakeGitHub
) -> None:
    github.add_many(250)
    github.fail(500, path="/issues", skip=1, times=FAST.attempts)
    connect(opened, github)
    with pytest.raises(ProductpathError, match=r"^source 'gh': .* answered 500 3 times"):
        sync(opened, sleep=lambda _s: None)
    assert len(items(opened)) == 100
    shown = show_source(opened, "gh")
    assert shown.cursor == github.issues[100]["updated_at"]
    assert shown.runs[0].added == 100 and shown.runs[0].error is not None
    assert shown.runs[0].finished_at is not None
    github.requests.clear()
    report = sync(opened)
    assert github.issue_requests()[0].query["since"] == github.issues[100]["updated_at"]
    assert (report.added, report.updated) == (150, 0)
    assert len(items(opened)) == 250


def test_auth_failure_is_one_line_naming_the_source(
    workspace_dir: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.token = "the-right-one"
    github.add_many(3)
    monkeypatch.setenv("GH_TOKEN", "wrong-token-4f1d")
    invoke(*github.connect_args("--token-env", "GH_TOKEN"))
    result = invoke("sync", "gh")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "source 'gh'" in result.stderr and "$GH_TOKEN" in result.stderr
    assert "401" in result.stderr and "wrong-token-4f1d" not in result.stderr
    monkeypatch.delenv("GH_TOKEN")
    result = invoke("sync", "gh")
    assert result.exit_code == 1
    assert "GH_TOKEN is not set" in result.stderr


def test_unknown_repository_is_one_line_naming_what_to_check(
    workspace_dir: Path, github: FakeGitHub
) -> None:
    invoke("connect", "github", "gh", "--repo", "acme/nope", "--api-url", github.api_url)
    result = invoke("sync", "gh")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: source 'gh': repository acme/nope not found at ")
    assert "check --repo and --api-url" in result.stderr


def test_sources_commands(workspace_dir: Path, github: FakeGitHub) -> None:
    github.add_many(5)
    result = invoke(*github.connect_args("--every", "15m", "--token-env", "GH_TOKEN"))
    assert result.exit_code == 0, result.output
    again = invoke("connect", "github", "gh", "--repo", github.repo)
    assert again.exit_code == 1 and "exists" in again.stderr
    bad = invoke("connect", "github", "other", "--repo", "not-a-repo")
    assert bad.exit_code == 1 and "OWNER/NAME" in bad.stderr
    listed = json.loads(invoke("sources", "list", "--json").stdout)
    assert [(s["name"], s["repo"], s["every"], s["token_env"]) for s in listed] == [
        ("gh", github.repo, "15m", "GH_TOKEN")
    ]
    assert listed[0]["runs"] == []
    shown = invoke("sources", "show", "gh")
    assert "$GH_TOKEN" in shown.stdout and "15m" in shown.stdout
    assert invoke("sources", "remove", "gh").exit_code == 0
    assert json.loads(invoke("sources", "list", "--json").stdout) == []
    missing = invoke("sources", "show", "gh")
    assert missing.exit_code == 1 and "no source named 'gh'" in missing.stderr


def test_a_pull_request_on_a_later_page_starts_the_issue_it_closes(
    opened: Any, github: FakeGitHub
) -> None:
    github.add_many(139)
    github.add(140, "Fix the card", pull=True, body="Closes #3.")
    connect(opened, github)
    sync(opened)
    issue = items(opened)["acme/pocket#3"]
    assert len(github.issue_requests()) >= 2  # the issue and the pull request on two pages
    assert issue.status_category == "in_progress"
    assert issue.started_at is not None
    assert issue.started_at.strftime("%Y-%m-%dT%H:%M:%SZ") == github.issues[140]["created_at"]
    github.edit(3, title="Card never arrives (Ireland)")  # re-read alone, on a page of its own
    sync(opened)
    assert items(opened)["acme/pocket#3"].status_category == "in_progress"


def test_an_edit_between_pages_skips_nothing(opened: Any, github: FakeGitHub) -> None:
    github.add_many(250)

    def edit_a_read_item(request_number: int) -> None:
        if request_number == 1:  # page 1 is on its way: item 10 moves to the end
            github.after_page = None
            github.edit(10, title="Edited while syncing")

    github.after_page = edit_a_read_item
    connect(opened, github)
    report = sync(opened)
    stored = items(opened)
    assert len(stored) == 250 and report.added == 250
    assert stored["acme/pocket#10"].title == "Edited while syncing"


def test_a_page_all_at_one_second_goes_on_by_its_next_link(opened: Any, github: FakeGitHub) -> None:
    github.add_many(230)
    same = github.issues[1]["updated_at"]
    for issue in github.issues.values():
        if issue["number"] <= 150:
            issue["updated_at"] = same  # a bulk edit: 150 items in one second
    connect(opened, github)
    assert sync(opened).added == 230
    pages = [(s.query.get("since"), s.query.get("page", "1")) for s in github.issue_requests()]
    assert (same, "2") in pages
