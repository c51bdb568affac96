"""Jira, Zendesk, Intercom, App Store Connect and Google Play sources against local fakes that
answer like the documented APIs: mapping, cursors, re-syncs that add nothing, rate limits,
retries, a sync cut off and resumed, auth failures, and tokens from the OS keyring."""

from __future__ import annotations

import csv
import json
import logging
import time
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import select

from github_fake import FakeGitHub
from helpers import invoke
from productpath.errors import ProductpathError
from productpath.ingest.connectors.http import RetryPolicy
from productpath.services.work.source_sync import SyncReport, sync_sources
from productpath.services.work.tracker import list_tracker_items
from productpath.store.models import Customer, FeedbackItem, FeedbackLabel
from service_fakes import FakeAppStore, FakeGooglePlay, FakeIntercom, FakeJira, FakeZendesk

FAST = RetryPolicy(attempts=3, backoff=0.01, max_wait=10.0, timeout=5.0)
TOKEN = "zd-tok-ThisMustNeverLeak-7731"


def sync(handle: Any, name: str, *, full: bool = False, **kw: Any) -> SyncReport:
    kw.setdefault("policy", FAST)
    kw.setdefault("sleep", time.sleep)
    [report] = sync_sources(handle, name, full=full, **kw)
    return report


def feedback(handle: Any) -> dict[str, tuple[str, str | None, str | None]]:
    with handle.store.read() as session:
        rows = session.execute(
            select(
                FeedbackItem.external_id, FeedbackItem.text, Customer.name, FeedbackItem.source
            ).outerjoin(Customer, Customer.id == FeedbackItem.customer_id)
        )
        return {key: (text, customer, source) for key, text, customer, source in rows}


def file_kinds(session: Any) -> dict[str, str | None]:
    """The kind each item's source gave it (kept as a ``file`` label), by external id."""
    rows = session.execute(
        select(FeedbackItem.external_id, FeedbackLabel.kind)
        .join(FeedbackLabel, FeedbackLabel.feedback_id == FeedbackItem.id)
        .where(FeedbackLabel.source == "file")
    )
    return {key: kind for key, kind in rows}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("SVC_TOKEN", TOKEN)
    monkeypatch.setenv("SVC_USER", "pm@acme.example")
    return monkeypatch


# --- Zendesk ------------------------------------------------------------------------------


def test_zendesk_tickets_become_feedback_with_their_organisation(opened: Any, env: Any) -> None:
    with FakeZendesk(token=TOKEN, per_page=3) as zd:
        zd.organizations = {7: "Globex"}
        for n in range(1, 8):
            zd.add(n, org=7 if n % 2 else None, kind="question" if n == 2 else "problem")
        result = invoke(
            "connect", "zendesk", "help", "--site", zd.url,
            "--user-env", "SVC_USER", "--token-env", "SVC_TOKEN",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        report = sync(opened, "help")
        assert (report.added, report.requests) == (7, 3)
        items = feedback(opened)
        assert items["zendesk:1"] == (
            "Ticket 1\n\nCustomer text 1; reach me at [EMAIL]",
            "Globex",
            "help",
        )
        assert items["zendesk:2"][1] is None
        with opened.store.read() as session:
            kinds = file_kinds(session)
        assert kinds["zendesk:2"] == "question"
        # Nothing new: one request from the stored cursor, nothing added.
        again = sync(opened, "help")
        assert (again.added, again.requests) == (0, 1)
        assert "cursor" in zd.requests[-1].query and "start_time" not in zd.requests[-1].query
        zd.add(8, org=7)
        assert sync(opened, "help").added == 1


def test_zendesk_rate_limit_waits_and_a_cut_off_sync_resumes(opened: Any, env: Any) -> None:
    waits: list[float] = []
    with FakeZendesk(token=TOKEN, per_page=2) as zd:
        for n in range(1, 7):
            zd.add(n)
        invoke(
            "connect", "zendesk", "help", "--site", zd.url,
            "--user-env", "SVC_USER", "--token-env", "SVC_TOKEN",
        )  # fmt: skip
        # Requests: page 1; page 2 answered 429, then 503, then itself; page 3 keeps failing.
        zd.fail(429, headers={"Retry-After": "7"}, skip=1)
        zd.fail(503, times=1, skip=1)
        zd.fail(500, times=10, skip=2)
        with pytest.raises(ProductpathError, match="source 'help'"):
            sync(opened, "help", sleep=waits.append)
        assert 7.0 in waits  # Retry-After was honoured
        assert len(feedback(opened)) == 4  # two pages kept
        zd.faults.clear()
        resumed = sync(opened, "help")
        assert (resumed.added, resumed.requests) == (2, 1)
        assert "cursor" in zd.requests[-1].query
        shown = invoke("sources", "show", "help", "--json")
        runs = json.loads(shown.stdout)["runs"]
        assert runs[0]["error"] is None and "answered 500" in runs[1]["error"]


def test_zendesk_auth_failure_is_one_line_naming_the_source(opened: Any, env: Any) -> None:
    with FakeZendesk(token="another") as zd:
        zd.add(1)
        invoke(
            "connect", "zendesk", "help", "--site", zd.url,
            "--user-env", "SVC_USER", "--token-env", "SVC_TOKEN",
        )  # fmt: skip
        result = invoke("sync", "help")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert "\n" not in line and "source 'help'" in line and "$SVC_TOKEN" in line
    assert "--user-env" in line and TOKEN not in line


# --- Intercom -----------------------------------------------------------------------------


def test_intercom_conversations_with_their_company(opened: Any, env: Any) -> None:
    with FakeIntercom(token=TOKEN, per_page=4) as ic:
        ic.contacts = {"c1": "co1", "c2": None}
        ic.companies = {"co1": "Initech"}
        for n in range(1, 10):
            ic.add(n, contact="c1" if n % 3 else "c2", tags=("Bug",) if n == 1 else ())
        result = invoke(
            "connect", "intercom", "inbox", "--api-url", ic.url, "--token-env", "SVC_TOKEN"
        )
        assert result.exit_code == 0, result.output
        report = sync(opened, "inbox")
        assert report.added == 9
        # 3 search pages, one contact lookup per contact, one company lookup
        assert report.requests == 3 + 2 + 1
        items = feedback(opened)
        assert items["intercom:1"] == (
            "Question 1:\n\nhow do I export & share?",
            "Initech",
            "inbox",
        )
        assert items["intercom:3"][1] is None
        again = sync(opened, "inbox")
        assert (again.added, again.requests) == (0, 1)
        ic.add(10)
        assert sync(opened, "inbox").added == 1


# --- Jira ---------------------------------------------------------------------------------


def test_jira_issues_with_status_history_and_the_file_imports_keys(
    opened: Any, env: Any, tmp_path: Path
) -> None:
    path = tmp_path / "jira.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Issue key", "Summary", "Status", "Created", "Issue Type",
             "Custom field (Story Points)", "Outward issue link (Blocks)"]
        )  # fmt: skip
        writer.writerow(["SHOP-1", "Issue 1", "To Do", "2026-03-01 09:01", "Story", "5", "SHOP-3"])
    assert invoke("tracker", "import", str(path), "--format", "jira").exit_code == 0
    with FakeJira(token=TOKEN, per_page=2) as jira:
        for n in range(1, 6):
            jira.add(n, kind="Bug" if n == 2 else "Story", labels=("mobile",) if n == 3 else ())
        jira.move(2, "In Progress", "indeterminate")
        jira.move(2, "Done", "done", resolution="Done")
        jira.move(4, "Closed", "done", resolution="Won't Do")
        jira.issues["SHOP-1"]["fields"]["issuelinks"] = [
            {"type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
             "outwardIssue": {"key": "SHOP-3"}}
        ]  # fmt: skip
        result = invoke(
            "connect", "jira", "shop", "--site", jira.url, "--jql", "project = SHOP ORDER BY key",
            "--user-env", "SVC_USER", "--token-env", "SVC_TOKEN",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        report = sync(opened, "shop")
        assert (report.added, report.updated + report.unchanged) == (4, 1)  # SHOP-1 was there
        first = jira.requests[0].query
        assert first["jql"] == "project = SHOP ORDER BY updated ASC"
        assert first["expand"] == "changelog"
        items = {row.key: row for row in list_tracker_items(opened)}
        assert len(items) == 5
        done = items["SHOP-2"]
        assert (done.status_category, done.item_type) == ("done", "bug")
        assert done.started_at is not None and done.resolved_at is not None
        assert done.started_at < done.resolved_at
        assert items["SHOP-4"].status_category == "dropped"
        assert items["SHOP-3"].labels == ("mobile",)
        # The same links as the CSV gave, and the CSV's points kept (the API has none).
        assert (items["SHOP-1"].links, items["SHOP-1"].points) == (("blocks SHOP-3",), 5.0)
        again = sync(opened, "shop")
        assert again.added == 0 and again.requests == 1
        assert 'updated >= "2026-03-01 09:' in jira.requests[-1].query["jql"]


# --- App stores ---------------------------------------------------------------------------


def test_app_store_and_google_play_reviews(opened: Any, env: Any) -> None:
    with FakeAppStore(token=TOKEN, per_page=5) as apple, FakeGooglePlay(token=TOKEN) as play:
        for n in range(1, 13):
            apple.add(n, rating=1 + n % 5)
            play.add(n)
        assert invoke(
            "connect", "app-store", "ios", "--app", apple.app, "--api-url", apple.url,
            "--token-env", "SVC_TOKEN",
        ).exit_code == 0  # fmt: skip
        assert invoke(
            "connect", "google-play", "android", "--package", play.package,
            "--api-url", play.url, "--token-env", "SVC_TOKEN",
        ).exit_code == 0  # fmt: skip
        ios = sync(opened, "ios")
        android = sync(opened, "android")
        assert (ios.added, ios.requests, android.added, android.requests) == (12, 3, 12, 2)
        items = feedback(opened)
        assert items["app-store:review-3"][0] == "Review 3\n\nBody 3"
        assert items["google-play:gp:review3"][0] == "Title 3\n\nText 3"
        with opened.store.read() as session:
            pairs = session.execute(select(FeedbackItem.external_id, FeedbackItem.details))
            details = {key: value for key, value in pairs}
        assert json.loads(details["app-store:review-3"]) == {"rating": 4, "territory": "USA"}
        assert json.loads(details["google-play:gp:review3"])["version"] == "4.12.0"
        # Newest first: a re-sync stops at the first page, which reaches the last one seen.
        assert (sync(opened, "ios").added, sync(opened, "android").requests) == (0, 1)
        apple.add(13)
        assert sync(opened, "ios").added == 1


# --- GitHub as feedback -------------------------------------------------------------------


def test_github_issues_as_feedback_map_like_the_file_import(opened: Any) -> None:
    with FakeGitHub() as github:
        github.add_many(12)
        github.add(13, labels=["type: bug"], body="<!-- template -->\nIt crashes")
        result = invoke(*github.connect_args("--as", "feedback", name="issues"))
        assert result.exit_code == 0, result.output
        report = sync(opened, "issues")
        items = feedback(opened)
        assert report.added == len(items) == 13 - 2  # pull requests are not feedback
        assert items["github:acme/pocket#13"] == ("Issue 13\n\nIt crashes", None, "issues")
        with opened.store.read() as session:
            assert file_kinds(session)["github:acme/pocket#13"] == "bug"
        assert list_tracker_items(opened) == []
        assert sync(opened, "issues").added == 0


# --- Credentials from the OS keyring ------------------------------------------------------


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def test_a_token_from_the_keyring_is_used_and_never_kept(
    workspace_dir: Path, tmp_path: Path, env: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = keyring.get_keyring()
    memory = _MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        with FakeIntercom(token=TOKEN) as ic:
            ic.add(1)
            connected = invoke(
                "connect", "intercom", "inbox", "--api-url", ic.url,
                "--token-keyring", "productpath-intercom:acme",
            )  # fmt: skip
            assert connected.exit_code == 0, connected.output
            missing = invoke("sync", "inbox")
            assert missing.exit_code == 1
            assert "keyring has no entry productpath-intercom:acme" in missing.stderr
            memory.set_password("productpath-intercom", "acme", TOKEN)
            synced = invoke("sync", "inbox")
            assert synced.exit_code == 0, synced.output
            shown = invoke("sources", "show", "inbox")
            assert "keyring productpath-intercom:acme" in shown.stdout
            out = tmp_path / "export"
            assert invoke("export", "--all", str(out)).exit_code == 0
    finally:
        keyring.set_keyring(before)
    exported = "".join(p.read_bytes().decode("latin-1") for p in out.rglob("*") if p.is_file())
    assert "intercom:1" in exported
    stored = "".join(
        p.read_bytes().decode("latin-1") for p in workspace_dir.rglob("*") if p.is_file()
    )
    printed = "".join(r.stdout + r.stderr for r in (connected, missing, synced, shown))
    for where, haystack in (
        ("workspace", stored),
        ("export", exported),
        ("logs", caplog.text),
        ("output", printed),
    ):
        assert TOKEN not in haystack, where


# --- GitHub commits without a clone -------------------------------------------------------


def test_github_commits_are_read_through_the_api(opened: Any) -> None:
    from productpath.services.work.git import list_repositories

    with FakeGitHub() as github:
        github.add_many(3)
        for n in range(1, 151):
            github.commit(f"Change {n}")
        result = invoke(*github.connect_args("--commits", name="gh"))
        assert result.exit_code == 0, result.output
        first = sync(opened, "gh")
        assert first.commits == 150
        [repo] = list_repositories(opened)
        assert (repo.name, repo.commits) == ("acme/pocket", 150)
        before = len(github.requests)
        again = sync(opened, "gh")
        commit_requests = [s for s in github.requests[before:] if s.path.endswith("/commits")]
        assert again.commits == 0 and len(commit_requests) == 1
        github.commit("Change 151")
        assert sync(opened, "gh").commits == 1
        github.commit("Rewritten", force=True)  # a force-push: the stored history is replaced
        assert sync(opened, "gh").commits == 1
        [repo] = list_repositories(opened)
        assert repo.commits == 1


def test_dropped_connections_and_5xx_are_retried_for_every_kind(opened: Any, env: Any) -> None:
    """The shared client retries a connection dropped without an answer and a 502 with
    back-off, for a POST search (Intercom) and a GET export (App Store) alike."""
    waits: list[float] = []
    with FakeIntercom(token=TOKEN) as ic, FakeAppStore(token=TOKEN) as apple:
        ic.contacts = {"c1": None}
        ic.add(1)
        apple.add(1)
        invoke("connect", "intercom", "inbox", "--api-url", ic.url, "--token-env", "SVC_TOKEN")
        invoke(
            "connect", "app-store", "ios", "--app", apple.app, "--api-url", apple.url,
            "--token-env", "SVC_TOKEN",
        )  # fmt: skip
        ic.fail(0, path="/conversations/search")  # 0: close the connection, no answer
        apple.fail(502)
        assert sync(opened, "inbox", sleep=waits.append).added == 1
        assert sync(opened, "ios", sleep=waits.append).added == 1
    assert waits == [FAST.backoff, FAST.backoff]


# --- Store credentials made from the consoles' keys ---------------------------------------


def test_store_tokens_are_made_from_their_keys(
    opened: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """App Store Connect: each sync signs an ES256 token with the .p8 key; Google Play: the
    service account's key is exchanged for an access token. Neither key is stored."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    def pem(key: Any) -> str:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    apple_key = ec.generate_private_key(ec.SECP256R1())
    play_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with (
        FakeAppStore(public_key=apple_key.public_key()) as apple,
        FakeGooglePlay(token="ya29.short-lived", public_key=play_key.public_key()) as play,
    ):
        apple.add(1)
        play.add(1)
        account = {
            "type": "service_account",
            "client_email": play.client_email,
            "private_key": pem(play_key),
            "token_uri": f"{play.url}/token",
        }
        monkeypatch.setenv("ASC_KEY", pem(apple_key))
        monkeypatch.setenv("PLAY_KEY", json.dumps(account))
        assert invoke(
            "connect", "app-store", "ios", "--app", apple.app, "--api-url", apple.url,
            "--token-env", "ASC_KEY", "--key-id", apple.key_id, "--issuer-id", apple.issuer_id,
        ).exit_code == 0  # fmt: skip
        assert invoke(
            "connect", "google-play", "android", "--package", play.package, "--api-url",
            play.url, "--token-env", "PLAY_KEY", "--service-account",
        ).exit_code == 0  # fmt: skip
        assert sync(opened, "ios").added == 1
        assert sync(opened, "android").added == 1
        assert play.grants == 1
        # A key that is not the registered one: one line naming the source.
        monkeypatch.setenv("ASC_KEY", pem(ec.generate_private_key(ec.SECP256R1())))
        failed = invoke("sync", "ios")
    assert failed.exit_code == 1
    assert "source 'ios'" in failed.stderr and "401" in failed.stderr
    assert "BEGIN" not in failed.stderr
