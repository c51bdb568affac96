"""Issue exports as feedback, and feedback text from several columns (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import invoke
from productpath.errors import InputError
from productpath.ingest.issue_feedback import kind_of, strip_template
from productpath.insights.embed import HashingEmbedder
from productpath.services.feedback import import_feedback
from productpath.services.insights import run_insights
from productpath.services.workspace import OpenWorkspace
from productpath.store.models import FeedbackInsight, FeedbackItem, FeedbackLabel

TEMPLATE_BODY = """\
<!-- Thanks for filing! Please fill in every section below. -->
### Describe the bug

`pytest -x` stops at the first failure but the summary says 0 failed.

### Expected behavior

_No response_

### Checklist

- [ ] I searched for existing issues
- [x] I ran the latest release
"""


def issue(number: int, title: str, body: str | None, labels: list[str], **more: object) -> dict:
    return {
        "number": number,
        "title": title,
        "body": body,
        "labels": [{"name": name} for name in labels],
        "state": "open",
        "created_at": f"2026-08-{number:02d}T10:00:00Z",
        "updated_at": f"2026-08-{number:02d}T10:00:00Z",
        "html_url": f"https://github.com/acme/widget/issues/{number}",
        "repository_url": "https://api.github.com/repos/acme/widget",
        **more,
    }


def stored(handle: OpenWorkspace) -> dict[str, tuple[str, str | None]]:
    with handle.store.read() as session:
        rows = session.execute(
            select(FeedbackItem.external_id, FeedbackItem.text, FeedbackLabel.kind).outerjoin(
                FeedbackLabel, FeedbackLabel.feedback_id == FeedbackItem.id
            )
        )
        return {external_id: (text, kind) for external_id, text, kind in rows}


def test_a_template_is_stripped_and_the_answers_stay() -> None:
    assert strip_template(TEMPLATE_BODY) == (
        "`pytest -x` stops at the first failure but the summary says 0 failed.\n\n"
        "- [x] I ran the latest release"
    )


@pytest.mark.parametrize(
    ("labels", "item_type", "kind"),
    [
        (["type: bug"], "issue", "bug"),
        (["kind/feature", "good first issue"], "issue", "feature_request"),
        (["enhancement"], "issue", "feature_request"),
        (["question"], "issue", "question"),
        (["docs"], "issue", None),
        ([], "bug", "bug"),  # Jira's issue type
        ([], "new_feature", "feature_request"),
    ],
)
def test_kind_from_labels(labels: list[str], item_type: str, kind: str | None) -> None:
    assert kind_of(labels, item_type) == kind


def test_github_issues_import_as_feedback(opened: OpenWorkspace, tmp_path: Path) -> None:
    path = tmp_path / "issues.json"
    pages = [
        issue(1, "Summary says 0 failed", TEMPLATE_BODY, ["type: bug"]),
        issue(2, "Allow a --retry option", "Mail me at ann@shop.example", ["enhancement"]),
        issue(3, "Fix the summary", "closes #1", [], pull_request={"merged_at": None}),
        issue(4, "How do I skip a module?", None, ["question"]),
    ]
    path.write_text(json.dumps(pages), encoding="utf-8")
    report = import_feedback(opened, path, file_format="github-issues")
    assert (report.added, report.redacted_items) == (3, 1)
    assert stored(opened) == {
        "github:acme/widget#1": (
            "Summary says 0 failed\n\n`pytest -x` stops at the first failure but the summary "
            "says 0 failed.\n\n- [x] I ran the latest release",
            "bug",
        ),
        "github:acme/widget#2": ("Allow a --retry option\n\nMail me at [EMAIL]", "feature_request"),
        "github:acme/widget#4": ("How do I skip a module?", "question"),
    }
    assert import_feedback(opened, path, file_format="github-issues").added == 0
    # The label's kind is kept by the insight engine, whatever its classifier reads.
    run_insights(opened, embedder=HashingEmbedder(), seed=1)
    with opened.store.read() as session:
        kinds = dict(
            session.execute(
                select(FeedbackItem.external_id, FeedbackInsight.kind).join(
                    FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id
                )
            ).all()
        )
    assert kinds["github:acme/widget#4"] == "question"
    assert kinds["github:acme/widget#2"] == "feature_request"


def test_jira_issues_import_as_feedback(opened: OpenWorkspace, tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Issue key", "Summary", "Status", "Created", "Issue Type", "Description"])
        writer.writerow(["SHOP-7", "Checkout crashes", "Open", "2026-08-01 10:00", "Bug", "On iOS"])
        writer.writerow(["SHOP-8", "Gift cards", "Open", "2026-08-02 10:00", "Story", ""])
        writer.writerow(["SHOP-9", "Payments", "Open", "2026-08-02 10:00", "Epic", "All of it"])
    import_feedback(opened, path, file_format="jira")
    assert stored(opened) == {
        "jira:SHOP-7": ("Checkout crashes\n\nOn iOS", "bug"),
        "jira:SHOP-8": ("Gift cards", "feature_request"),
    }


def test_column_options_do_not_apply_to_issue_exports(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "issues.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="leave out the column options"):
        import_feedback(opened, path, file_format="github-issues", text_column="body")


def test_several_text_columns_are_joined_by_a_blank_line(
    workspace_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "issues.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "body"])
        writer.writerow(["1", "Crash on start", "Since 2.1, every time"])
        writer.writerow(["2", "Dark mode", ""])
        writer.writerow(["3", "", ""])
    result = invoke(
        "feedback", "import", str(path), "--text-column", "title", "--text-column", "body",
        "--id-column", "id", "--skip-invalid",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "issues.csv:4, field 'title, body': the text is missing or empty" in result.stderr
    listed = json.loads(invoke("feedback", "list", "--json").stdout)
    assert sorted(row["text"] for row in listed) == [
        "Crash on start\n\nSince 2.1, every time",
        "Dark mode",
    ]
    missing = invoke("feedback", "import", str(path), "--id-column", "id")
    assert missing.exit_code == 1 and "--text-column" in missing.stderr
