"""Delivery on a real store (SQLite and PostgreSQL): relink, manual links, unlinked work,
status and metrics, and the ``productpath delivery`` commands."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from delivery_fixtures import ROADMAP, TODAY, Seeder, apply, seed_history
from helpers import invoke
from productpath.errors import InputError, NotFoundError
from productpath.services.delivery import (
    delivery_metrics,
    delivery_status,
    link_manually,
    relink,
    unlink_manually,
    unlinked_work,
)
from productpath.services.roadmap import apply_roadmap
from productpath.store.models import WorkLink


def seeded(handle: Any, tmp_path: Path) -> None:
    apply(handle, tmp_path)
    with handle.store.write() as session:
        seed_history(session)


def test_relink_links_by_each_rule_and_is_idempotent(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    report = relink(opened)
    assert report.as_dict() == {
        "by_rule": {
            "manual": 0,
            "trailer": 1,
            "message_key": 1,
            "pr_title": 0,
            "branch": 1,
            "epic": 2,
            "label": 1,
        },
        "added": 6,
        "removed": 0,
        "unlinked": {"commits": 2, "items": 1},
    }
    again = relink(opened)
    assert (again.added, again.removed, again.by_rule) == (0, 0, report.by_rule)


def test_applying_the_roadmap_relinks(opened: Any, tmp_path: Path) -> None:
    with opened.store.write() as session:
        seed_history(session)
    apply(opened, tmp_path)  # the history was there first
    with opened.store.read() as session:
        assert session.scalar(select(func.count(WorkLink.id))) == 6
    # A new label mapping links more work on the next apply.
    apply(opened, tmp_path, ROADMAP + "    work: {labels: [nfc]}\n")
    assert relink(opened).added == 0
    assert [row.ref for row in unlinked_work(opened) if row.kind == "item"] == []


def test_manual_links_survive_relink(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    relink(opened)
    assert link_manually(opened, "kyc", ["ddddddd", "POCKET-4"]) == 2
    assert link_manually(opened, "kyc", ["dddddddd"]) == 0  # already there
    # An automatic link made manual is kept even when its rule stops matching.
    assert link_manually(opened, "kyc", ["a" * 40]) == 1
    report = relink(opened)
    assert (report.by_rule["manual"], report.by_rule["message_key"]) == (3, 0)
    assert (report.unlinked_commits, report.unlinked_items) == (1, 0)
    assert unlink_manually(opened, "kyc", ["aaaaaaaa", "pocket-4"]) == 2
    report = relink(opened)
    assert (report.by_rule["manual"], report.by_rule["message_key"]) == (1, 1)


def test_link_errors_name_what_is_wrong(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    with opened.store.write() as session:
        seed = Seeder(session)
        seed.commit("abcdef01" + "0" * 32, "one", "2026-02-01")
        seed.commit("abcdef02" + "0" * 32, "two", "2026-02-01")
    with pytest.raises(NotFoundError, match="no initiative 'nope'"):
        link_manually(opened, "nope", ["POCKET-4"])
    with pytest.raises(NotFoundError, match="no commit or tracker item 'POCKET-404'"):
        link_manually(opened, "kyc", ["POCKET-4", "POCKET-404"])
    with pytest.raises(NotFoundError, match="at least 7 characters"):
        link_manually(opened, "kyc", ["abcdef"])
    with pytest.raises(InputError, match="start of 2 commits"):
        link_manually(opened, "kyc", ["abcdef0"])
    assert link_manually(opened, "kyc", ["ABCDEF01"]) == 1
    with opened.store.read() as session:
        manual = select(func.count(WorkLink.id)).where(WorkLink.rule == "manual")
        assert session.scalar(manual) == 1  # the failed calls wrote nothing


def test_unlinked_work_is_listed_newest_first(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    relink(opened)
    rows = unlinked_work(opened)
    assert [(r.kind, r.ref[:8]) for r in rows] == [
        ("commit", "eeeeeeee"),
        ("commit", "dddddddd"),
        ("item", "POCKET-4"),
    ]
    assert rows[0].as_dict()["where"] == "app"
    assert rows[2].as_dict() == {
        "kind": "item",
        "ref": "POCKET-4",
        "title": "Card reader",
        "at": "2026-01-08T12:00:00+00:00",
        "who": None,
        "where": "jira",
    }
    assert len(unlinked_work(opened, limit=2)) == 2


def test_status_of_a_seeded_history(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    relink(opened)
    status = delivery_status(opened, today=TODAY)
    kyc, tap = status.initiatives
    assert (kyc.key, kyc.progress.items_total, kyc.progress.items_done) == ("kyc", 2, 1)
    assert kyc.progress.commits == 2
    # One item done in the last 4 weeks: 0.25 a week, so the one left takes 28 days.
    assert kyc.progress.projection.projected_date == dt.date(2026, 3, 30)
    assert [r.kind for r in kyc.risks] == ["stale"]  # last activity 2026-02-15, 15 days ago
    assert (tap.progress.commits, tap.risks) == (1, ())
    [beta] = status.milestones
    assert (beta.projected_date, beta.on_track) == (dt.date(2026, 3, 30), True)
    assert beta.worst_risk is not None and beta.worst_risk.kind == "stale"
    assert (status.unlinked.commits, status.unlinked.items) == (2, 1)
    assert delivery_status(opened, stale_days=20, today=TODAY).initiatives[0].risks == ()


def test_status_needs_a_roadmap(opened: Any) -> None:
    with pytest.raises(NotFoundError, match="has no roadmap"):
        delivery_status(opened)


def test_metrics_of_a_seeded_history(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    result = delivery_metrics(opened, since=dt.date(2026, 2, 2), today=TODAY)
    assert (result.throughput.source, result.throughput.total) == ("tracker_items", 1)
    assert (result.cycle_time.p50, result.lead_time.p50) == (6.0, 40.0)
    deployments = result.deployment_frequency
    assert (deployments.source, deployments.count) == ("release_tags", 2)  # one by its commit
    failure = result.change_failure
    assert (failure.reverts, failure.hotfixes, failure.rate) == (1, 0, 0.5)
    default = delivery_metrics(opened, today=TODAY)
    assert default.since == dt.date(2025, 12, 9)  # 12 weeks, today included
    with pytest.raises(InputError, match="after today"):
        delivery_metrics(opened, since=dt.date(2026, 3, 3), today=TODAY)


def test_cli_commands(workspace_dir: Path, tmp_path: Path) -> None:
    from productpath.services.workspace import open_workspace

    with open_workspace() as handle:
        seeded(handle, tmp_path)
    result = invoke("delivery", "relink")
    assert result.exit_code == 0, result.output
    assert "message_key" in result.stdout and "6 links added" in result.stdout
    assert json.loads(invoke("delivery", "relink", "--json").stdout)["added"] == 0

    result = invoke("delivery", "status", "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert "stale" in result.stdout and "no activity for 15 days" in result.stdout
    assert "the roadmap forecast finishes no work" in " ".join(result.stdout.split())
    data = json.loads(invoke("delivery", "status", "--json", "--today", "2026-03-02").stdout)
    assert set(data) == {
        "today",
        "stale_days",
        "forecast",
        "projection_method",
        "milestones",
        "initiatives",
        "unlinked",
    }
    kyc = data["initiatives"][0]
    assert kyc["progress"]["projection"]["projected_date"] == "2026-03-30"
    assert kyc["risks"][0]["kind"] == "stale"
    assert kyc["risks"][0]["evidence"]["idle_days"] == 15
    assert data["milestones"][0]["worst_risk"]["initiative"] == "kyc"

    result = invoke("delivery", "metrics", "--since", "2026-02-02", "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert "change failure" in result.stdout and "Definitions" in result.stdout
    metrics = json.loads(
        invoke(
            "delivery", "metrics", "--json", "--since", "2026-02-02", "--today", "2026-03-02"
        ).stdout
    )
    assert metrics["change_failure"]["rate"] == 0.5
    assert "definition" in metrics["lead_time"]

    result = invoke("delivery", "unlinked", "--limit", "1")
    assert "eeeeeeeeeeee" in result.stdout and "Revert" in result.stdout
    assert len(json.loads(invoke("delivery", "unlinked", "--json").stdout)) == 3

    result = invoke("delivery", "link", "tap-to-pay", "POCKET-4", "ddddddd")
    assert result.exit_code == 0, result.output
    assert "2 new manual links" in result.stdout
    assert json.loads(invoke("delivery", "unlinked", "--json").stdout)[0]["ref"] == "e" * 40
    result = invoke("delivery", "link", "tap-to-pay", "POCKET-999")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no commit or tracker item 'POCKET-999'"
    assert invoke("delivery", "unlink", "tap-to-pay", "POCKET-4").exit_code == 0


def git(repo: Path, *args: str, when: int = 0) -> None:
    stamp = f"{1_770_000_000 + when * 3600} +0000"
    env = {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_end_to_end_with_a_real_repository_and_a_jira_export(opened: Any, tmp_path: Path) -> None:
    from productpath.services.work.git import ingest_repository
    from productpath.services.work.tracker import import_tracker
    from tracker_fixtures import jira_csv, jira_row

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Ana")
    git(repo, "config", "user.email", "ana@example.com")
    git(repo, "commit", "-q", "--allow-empty", "-m", "[kyc] ask for the tax id", when=1)
    git(repo, "checkout", "-q", "-b", "feature/tap-to-pay-reader")
    git(repo, "commit", "-q", "--allow-empty", "-m", "reader", when=2)
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "feature/tap-to-pay-reader", when=3)
    git(repo, "commit", "-q", "--allow-empty", "-m", "Add form\n\nInitiative: kyc", when=4)
    git(repo, "tag", "v1.0.0", when=4)
    export = jira_csv(
        tmp_path / "jira.csv",
        [
            jira_row("POCKET-1", "Identity checks", **{"Issue Type": "Epic"}),
            jira_row("POCKET-2", "Tax id", **{"Custom field (Epic Link)": "POCKET-1"}),
            jira_row("POCKET-3", "Selfie", Labels=["identity"]),
            jira_row("POCKET-4", "Card reader", Labels=["nfc"]),
        ],
    )
    apply(opened, tmp_path)
    ingest_repository(opened, repo)
    import_tracker(opened, [export], fmt="jira")
    report = relink(opened)
    assert report.added == 0  # the ingest and the import linked it all already
    assert {rule: n for rule, n in report.by_rule.items() if n} == {
        "message_key": 1,
        "trailer": 1,
        "branch": 2,  # the merge, and "reader" on the branch it merged
        "epic": 2,
        "label": 1,
    }
    assert (report.unlinked_commits, report.unlinked_items) == (0, 1)  # POCKET-4 (label nfc)


def test_the_roadmap_diff_reports_a_changed_work_mapping(opened: Any, tmp_path: Path) -> None:
    apply(opened, tmp_path)
    path = tmp_path / "changed.yaml"
    path.write_text(ROADMAP.replace("labels: [identity]", "labels: [identity, kyc]"))
    changes = apply_roadmap(opened, path, dry_run=True)
    [change] = changes.changes
    assert (change.kind, change.key) == ("initiative", "kyc")
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("work.labels", ["identity"], ["identity", "kyc"])
    ]


def test_status_and_relink_take_the_same_number_of_queries_whatever_the_size(
    opened: Any, tmp_path: Path
) -> None:
    from sqlalchemy import event

    seeded(opened, tmp_path)

    def statements(run: Any) -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(opened.store.engine, "before_cursor_execute", count)
        try:
            run()
        finally:
            event.remove(opened.store.engine, "before_cursor_execute", count)
        return len(seen)

    def run_all() -> None:
        relink(opened)
        delivery_status(opened, today=TODAY)
        delivery_metrics(opened, today=TODAY)

    before = statements(run_all)
    with opened.store.write() as session:
        seed = Seeder(session)
        for n in range(20):
            seed.commit(f"{n:040x}", f"[kyc] more {n}", "2026-02-20", author=f"P{n}")
            seed.item(
                f"POCKET-{100 + n}",
                "more",
                "2026-02-01",
                labels=["identity"],
                history=[("2026-02-03", "In Progress")],
            )
    # Both runs insert their new links (6, then 40) in one statement.
    assert statements(run_all) == before
