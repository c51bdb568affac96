"""feedback label: a person's kind and sentiment stay through every run, show as set by a
person, and teach the next run's kind classifier (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from helpers import invoke
from productpath.cli.main import app
from productpath.web.app import create_app

# Without labels the shipped classifier reads "card declined" as other, not bug.
TEXTS = ["my card was declined at the shop", "the shop declined my card",
         "how do i change my pin number", "change the pin number please",
         "refund my order please", "i want a refund for my order"] * 3  # fmt: skip


def _import(tmp_path: Path) -> None:
    path = tmp_path / "fb.csv"
    rows = [f'c{i},"{t}",2026-0{1 + i % 6}-1{i % 9}' for i, t in enumerate(TEXTS)]
    path.write_text("id,text,created\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("feedback", "import", str(path), "--text-column", "text", "--id-column",
                    "id", "--date-column", "created")  # fmt: skip
    assert result.exit_code == 0, result.output


def _items() -> dict[str, dict[str, Any]]:
    result = invoke("feedback", "list", "--json")
    assert result.exit_code == 0, result.output
    return {row["external_id"]: row for row in json.loads(result.stdout)}


def _run(*extra: str) -> None:
    result = invoke("insights", "run", "--embedder", "hashing", *extra)
    assert result.exit_code == 0, result.output


def test_a_label_survives_incremental_and_full_runs(workspace_dir: Path, tmp_path: Path) -> None:
    _import(tmp_path)
    _run()
    before = _items()
    assert before["c2"]["kind"] == "question" and before["c2"]["kind_set_by"] is None
    number = before["c3"]["id"]
    result = invoke("feedback", "label", "c2", str(number), "--kind", "feature_request",
                    "--sentiment", "negative")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Labelled 2 items: kind feature_request, sentiment -0.50")
    for extra in ((), ("--full",), ()):
        _run(*extra)
        items = _items()
        for key in ("c2", "c3"):
            assert items[key]["kind"] == "feature_request", (extra, items[key])
            assert items[key]["kind_set_by"] == "person"
            assert items[key]["sentiment"] == -0.5 and items[key]["sentiment_set_by"] == "person"
        # The same text unlabelled keeps the engine's reading and says so.
        assert items["c8"]["kind_set_by"] is None
    # The filters, the explorer and the theme pages read the person's kind too, and say so.
    filtered = json.loads(invoke("feedback", "list", "--kind", "feature_request", "--json").stdout)
    assert {"c2", "c3"} <= {row["external_id"] for row in filtered}
    with TestClient(create_app()) as client:
        page = client.get("/feedback", params={"q": "how do i change my pin"})
        assert page.status_code == 200 and page.text.count("(set by a person)") == 2
        shown = client.get("/feedback.json", params={"q": "how do i change my pin"}).json()
        marks = {i["external_id"]: i["kind_by_person"] for i in shown["items"]}
        assert marks == {"c2": True, "c8": False, "c14": False}
        theme = items["c2"]["theme_id"]
        quotes = client.get(f"/themes/{theme}.json").json()["quotes"]
        labelled = [q for q in quotes if q["feedback_id"] in (before["c2"]["id"], number)]
        assert labelled and all(q["kind_by_person"] for q in labelled)
        assert not any(q["kind_by_person"] for q in quotes if q not in labelled)
        assert "(set by a person)" in client.get(f"/themes/{theme}").text
    # Only the sentiment changes when only it is given; the kind label stays.
    invoke("feedback", "label", "c2", "--sentiment", "0.8")
    after = _items()["c2"]
    assert after["kind"] == "feature_request" and after["sentiment"] == 0.8


def test_a_label_before_any_run_shows_at_once(workspace_dir: Path, tmp_path: Path) -> None:
    _import(tmp_path)
    assert invoke("feedback", "label", "c0", "--kind", "bug").exit_code == 0
    row = _items()["c0"]
    assert row["kind"] == "bug" and row["kind_set_by"] == "person" and row["sentiment"] is None
    _run()
    assert _items()["c0"]["kind"] == "bug"


def test_the_next_run_learns_from_labels(workspace_dir: Path, tmp_path: Path) -> None:
    _import(tmp_path)
    _run()
    # c6 and c12 repeat c0's text, c1/c7/c13 say the same in other words: none is labelled.
    assert {_items()[key]["kind"] for key in ("c0", "c6", "c1")} == {"other"}
    assert invoke("feedback", "label", "c0", "--kind", "bug").exit_code == 0
    # An incremental run with nothing new to analyse still re-reads kinds after a label.
    _run()
    items = _items()
    for key in ("c6", "c12", "c1", "c7"):
        assert items[key]["kind"] == "bug" and items[key]["kind_set_by"] is None, items[key]
    assert items["c2"]["kind"] == "question"
    _run("--full")
    assert _items()["c6"]["kind"] == "bug"


def test_bad_labels_are_one_line_and_change_nothing(workspace_dir: Path, tmp_path: Path) -> None:
    _import(tmp_path)
    _run()
    before = _items()
    cases = [
        (("c0", "--kind", "complaint"), "unknown kind 'complaint'"),
        (("c0", "nope", "--kind", "bug"), "no feedback item 'nope'"),
        (("c0", "--sentiment", "2"), "sentiment '2' must be a number from -1 to 1"),
        (("c0", "--sentiment", "happy"), "sentiment 'happy' must be a number from -1 to 1"),
        (("c0",), "give --kind or --sentiment"),
    ]
    for args, message in cases:
        result = invoke("feedback", "label", *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _items() == before


def test_review_queue_is_least_certain_first_and_labels_in_a_loop(
    workspace_dir: Path, tmp_path: Path
) -> None:
    _import(tmp_path)
    assert json.loads(invoke("feedback", "review", "--json").stdout) == []
    _run()
    queue = json.loads(invoke("feedback", "review", "--json", "--limit", "18").stdout)
    assert len(queue) == 18
    confidences = [item["confidence"] for item in queue]
    assert confidences == sorted(confidences) and confidences[0] < confidences[-1]
    first, second = queue[0], queue[1]
    # b labels the first as a bug, Enter skips the second, a stray key skips too, x stops.
    answers = "b\n\nzz\nx\n"
    result = CliRunner().invoke(app, ["feedback", "review", "--limit", "5"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Labelled 1 item;" in result.stdout and "'zz' is not one of" in result.stderr
    items = {row["id"]: row for row in json.loads(invoke("feedback", "list", "--json").stdout)}
    assert (items[first["id"]]["kind"], items[first["id"]]["kind_set_by"]) == ("bug", "person")
    assert items[second["id"]]["kind_set_by"] is None
    # A labelled item leaves the queue.
    after = json.loads(invoke("feedback", "review", "--json", "--limit", "18").stdout)
    assert first["id"] not in {item["id"] for item in after} and len(after) == 17
