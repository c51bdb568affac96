"""A workspace built from zero on its own small data, not the demo's (issue 23).

Multi-column issue feedback (title and body, with code, versions and an exit code in it), a git
repository with merge, squash, rebase and bot pull requests that ended years ago, a roadmap
written by hand, no customers and no tracker. Everything goes through the CLI a new user types,
except the insight run, which uses the light hashing embedder to keep the test quick.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest

from helpers import invoke
from test_git_pull_requests import build

TOPICS = {
    "collection": (
        "Slow test collection",
        "Collection of {n} test files takes minutes; `pytest --collect-only` spends it in "
        "conftest imports with pluggy 1.0.0.1 and Python 3.12.1.",
    ),
    "diff": (
        "Assertion diff unreadable",
        "The assertion diff for dict number {n} is truncated, so the failing key is hidden; "
        "the run exited with code 2147483648.",
    ),
    "windows": (
        "Windows temp path error",
        "tmp_path fails on Windows for case {n}: the temporary folder path is too long, see "
        "``@pytest.fixture(scope='session')`` in conftest.py.",
    ),
}
ROADMAP = """\
version: 1
product: {id: widget, name: Widget}
milestones:
  - {id: next, name: Next release, target_date: 2099-06-30}
initiatives:
  - id: faster-collection
    title: Faster test collection
    milestone: next
    status: in_progress
    start: 2023-01-01
    estimate: {optimistic: 1, likely: 2, pessimistic: 3}
  - id: clearer-diffs
    title: Readable assertion diffs
    milestone: next
    status: planned
    start: 2023-01-01
    estimate: {optimistic: 1, likely: 2, pessimistic: 4}
"""


def write_feedback(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["number", "title", "body", "opened"])
        for t, (title, body) in enumerate(TOPICS.values()):
            for n in range(12):
                number = t * 100 + n
                writer.writerow([number, f"{title} #{n}", body.format(n=n), "2023-10-02"])


def test_from_an_empty_folder_to_an_exec_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One database is enough for the walk-through: it runs on the SQLite a new user starts with.
    root = tmp_path / "widget"
    monkeypatch.setenv("PRODUCTPATH_WORKSPACE", str(root))
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    repo = build(tmp_path / "widget-repo")
    feedback = tmp_path / "issues.csv"
    write_feedback(feedback)
    (tmp_path / "roadmap.yaml").write_text(ROADMAP, encoding="utf-8")
    started = time.perf_counter()

    def run(*args: str) -> str:
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    assert "Next steps:" in run("init", "--name", "Widget")
    (root / "productpath.toml").write_text(
        (root / "productpath.toml").read_text(encoding="utf-8")
        + '\n[delivery]\nbots = ["Renovate Bot"]\n',
        encoding="utf-8",
    )
    run("roadmap", "apply", str(tmp_path / "roadmap.yaml"))
    run(
        "feedback", "import", str(feedback), "--text-column", "title", "--text-column", "body",
        "--id-column", "number", "--date-column", "opened", "--source", "issues",
    )  # fmt: skip
    from productpath.insights.embed import HashingEmbedder
    from productpath.services.insights import run_insights
    from productpath.services.workspace import open_workspace

    with open_workspace() as handle:
        assert run_insights(handle, embedder=HashingEmbedder(), seed=1).themes >= 2
    run("git", "ingest", str(repo.root))
    pdf = tmp_path / "exec.pdf"
    run("report", "exec", "--format", "pdf", "--out", str(pdf))
    elapsed = time.perf_counter() - started
    assert pdf.read_bytes().startswith(b"%PDF")
    print(f"init to the first exec PDF: {elapsed:.1f} s")  # docs/development.md quotes it

    # Every merged pull request counts, bots apart, in a window anchored on the data.
    metrics = json.loads(run("delivery", "metrics", "--json"))
    assert (metrics["throughput"]["total"], metrics["throughput"]["bots"]) == (4, 3)
    assert metrics["throughput"]["source"] == "git_pull_requests"
    assert metrics["anchor_note"].startswith("the data ends on 2023-")
    # Bots own nothing.
    health = json.loads(run("code", "health", str(repo.root), "--json"))
    owners = {name for o in health["ownership"] for name in o["main_authors"]}
    assert owners and not any("bot" in name.casefold() for name in owners)
    # Code spans, versions and exit codes survive redaction; the title and body are joined.
    texts = [row["text"] for row in json.loads(run("feedback", "list", "--json", "--limit", "100"))]
    joined = "\n".join(texts)
    assert "pluggy 1.0.0.1" in joined and "code 2147483648" in joined
    assert "``@pytest.fixture(scope='session')``" in joined
    assert "[IP]" not in joined and "[PHONE]" not in joined and "[EMAIL]" not in joined
    assert any(t.startswith("Slow test collection #0\n\nCollection of 0 test files") for t in texts)
    # The exec report: no empty customer columns, nothing certain beside stalled work.
    text = run("report", "exec", "--format", "md")
    assert "Their annual revenue" not in text and "| Customers" not in text
    assert "100%" not in text
    assert "Next release (at risk)" in text and "has stalled" in text
    assert "named by the machine" in text
