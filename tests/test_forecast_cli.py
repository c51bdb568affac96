"""`productpath forecast when|how-many|backtest` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from helpers import invoke
from productpath.store.models import Commit, ForecastRun, Repository, TrackerItem


def write_history(path: Path, days: int = 500, per_day: float = 2.0) -> Path:
    counts = np.random.default_rng(1).poisson(per_day, days)
    first = dt.date(2024, 1, 1)
    rows = ["closed_at"]
    for day, n in enumerate(counts):
        rows += [(first + dt.timedelta(days=day)).isoformat() + "T12:00:00Z"] * int(n)
    path.write_text("\n".join(rows) + "\n")
    return path


def test_when_prints_sentences_and_stores_a_snapshot(workspace_dir: Path, tmp_path: Path) -> None:
    csv = write_history(tmp_path / "done.csv")
    args = ["forecast", "when", "--items", "100", "--from-csv", str(csv), "--date-column"]
    result = invoke(*args, "closed_at", "--seed", "3", "--trials", "2000")
    assert result.exit_code == 0, result.output
    assert "85% chance all 100 items are done on or before 2025-" in result.stdout
    assert "Method calibrated" in result.stdout
    assert "in the past" in result.stdout  # the history ends in 2025
    data = json.loads(
        invoke(*args, "closed_at", "--seed", "3", "--trials", "2000", "--json").stdout
    )
    p50, p95 = (dt.date.fromisoformat(data["percentiles"][k]) for k in ("p50", "p95"))
    assert dt.date(2025, 6, 1) <= p50 <= p95 and data["method"] == "calibrated"

    from productpath.services.workspace import open_workspace

    with open_workspace() as handle, handle.store.read() as session:
        runs = session.query(ForecastRun).filter_by(kind="when").all()
        assert len(runs) == 2
        assert json.loads(runs[-1].result)["percentiles"] == data["percentiles"]
    # A look with --no-save is printed, not stored.
    look = invoke(*args, "closed_at", "--seed", "3", "--trials", "500", "--no-save")
    assert look.exit_code == 0, look.output
    assert "Not saved." in " ".join(look.stdout.split())
    with open_workspace() as handle, handle.store.read() as session:
        assert session.query(ForecastRun).filter_by(kind="when").count() == 2


def test_how_many_and_backtest_json(workspace_dir: Path, tmp_path: Path) -> None:
    csv = write_history(tmp_path / "done.csv")
    source = ["--from-csv", str(csv), "--date-column", "closed_at", "--seed", "1", "--json"]
    result = invoke("forecast", "how-many", "--by", "2025-06-13", "--start", "2025-05-15", *source)
    counts = json.loads(result.stdout)["percentiles"]
    assert 40 <= counts["p95"] <= counts["p85"] <= counts["p50"] <= 75  # 30 days at 2 a day
    back = json.loads(
        invoke("forecast", "backtest", "--cutoffs", "10", "--trials", "500", *source).stdout
    )
    assert set(back["coverage"]) == {"p50", "p85", "p95"} and back["cutoffs"] == 10
    assert all(0.0 <= v <= 1.0 for v in back["coverage"].values())


def test_bad_input_is_one_line(workspace_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("closed_at\n2024-01-02\nlast tuesday\n")
    result = invoke(
        "forecast", "when", "--items", "5", "--from-csv", str(bad), "--date-column", "closed_at"
    )
    assert result.exit_code == 1
    assert f"{bad}:3, field 'closed_at': not a date" in result.stderr
    csv = write_history(tmp_path / "done.csv")
    zero = invoke(
        "forecast", "when", "--items", "0", "--from-csv", str(csv), "--date-column", "closed_at"
    )
    assert zero.exit_code == 1 and "--items must be at least 1" in zero.stderr
    gap = invoke(
        "forecast", "when", "--items", "5", "--from-csv", str(csv), "--date-column", "closed_at",
        "--start", "2026-01-01",
    )  # fmt: skip
    assert gap.exit_code == 1 and "throughput is zero" in gap.stderr
    short = invoke(
        "forecast",
        "backtest",
        "--from-csv",
        str(write_history(tmp_path / "s.csv", 200)),
        "--date-column",
        "closed_at",
    )
    assert short.exit_code == 1 and "needs more than" in short.stderr
    empty = invoke("forecast", "when", "--items", "5", "--from-history")
    assert empty.exit_code == 1 and "no finished tracker items and no commits" in empty.stderr


def test_from_history_prefers_tracker_items_then_main_line_commits(workspace_dir: Path) -> None:
    from productpath.services.workspace import open_workspace
    from productpath.store import product_repo

    first = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    with open_workspace() as handle, handle.store.write() as session:
        pid = product_repo.ensure(session, handle.workspace.product, handle.workspace.name).id
        repo = Repository(product_id=pid, name="app", path="/x", branch="main", head_sha="c199")
        session.add(repo)
        session.flush()
        for i in range(200):
            # c0..c199 on the main line, plus one side-branch commit per day that must not count
            parents = f"c{i - 1} s{i}" if i else ""
            at = first + dt.timedelta(days=i)
            session.add(
                Commit(
                    repository_id=repo.id,
                    sha=f"c{i}",
                    authored_at=at,
                    committed_at=at,
                    subject="m",
                    parent_shas=parents,
                )
            )
            session.add(
                Commit(
                    repository_id=repo.id,
                    sha=f"s{i}",
                    authored_at=at,
                    committed_at=at,
                    subject="s",
                    parent_shas="",
                )
            )
    result = invoke("forecast", "when", "--items", "10", "--from-history", "--json", "--seed", "1")
    data = json.loads(result.stdout)
    assert data["source"].startswith("200 commits on the main line")
    assert data["percentiles"]["p50"] == "2025-07-29"  # one a day from 2025-07-20
    with open_workspace() as handle, handle.store.write() as session:
        pid = product_repo.ensure(session, handle.workspace.product, handle.workspace.name).id
        for i in range(150):
            at = first + dt.timedelta(days=i)
            session.add(
                TrackerItem(
                    product_id=pid,
                    source="jira",
                    key=f"K-{i}",
                    title="t",
                    item_type="story",
                    status="Done",
                    status_category="done",
                    opened_at=at,
                    resolved_at=at,
                )
            )
    data = json.loads(invoke("forecast", "when", "--items", "10", "--json", "--seed", "1").stdout)
    assert data["source"].startswith("150 finished tracker items")


def test_calibrated_forecasts_say_how_their_levels_were_read(
    workspace_dir: Path, tmp_path: Path
) -> None:
    csv = write_history(tmp_path / "done.csv", days=1200)
    source = ["--from-csv", str(csv), "--date-column", "closed_at", "--seed", "2"]
    start = ["--start", "2027-04-15"]  # the day after the history ends
    short = json.loads(
        invoke("forecast", "how-many", "--by", "2027-04-28", *start, *source, "--json").stdout
    )
    calibration = short["calibration"]
    assert calibration["applied"] and calibration["past_forecasts"] >= 30
    assert set(calibration["levels"]) == {"p50", "p85", "p95"}
    assert all(0.0 < v <= 1.0 for v in calibration["levels"].values())
    replay = invoke("forecast", "how-many", "--by", "2027-04-28", *start, *source, "--json",
                    "--method", "replay")  # fmt: skip
    assert json.loads(replay.stdout)["calibration"] is None
    # 800 items take about 400 days: two years hold too few separate outcomes to learn from.
    long = invoke("forecast", "when", "--items", "800", *start, *source)
    assert long.exit_code == 0, long.output
    assert "Levels not corrected" in long.stdout
    applied = invoke("forecast", "when", "--items", "20", *start, *source)
    assert "Levels corrected by" in applied.stdout


def test_a_jira_export_reads_as_it_is(workspace_dir: Path, tmp_path: Path) -> None:
    """Jira repeats "Labels", writes 06/Aug/26 3:49 PM, and leaves Resolved empty on open
    issues: none of that stops a forecast from its Resolved column."""
    first = dt.date(2025, 1, 6)
    lines = ["Summary,Issue key,Labels,Labels,Resolved"]
    for i in range(120):
        resolved = (first + dt.timedelta(days=i // 2)).strftime("%d/%b/%y") + " 3:49 PM"
        lines.append(f"Done {i},P-{i},ux,,{resolved}")
    lines += [f"Open {i},Q-{i},,," for i in range(5)]
    export = tmp_path / "jira.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["forecast", "when", "--items", "10", "--from-csv", str(export), "--method", "plain"]

    result = invoke(*args, "--date-column", "Resolved", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == (
        f"120 completion dates from {export} (column 'Resolved'; 5 rows without a date left out)"
    )
    labels = invoke(*args, "--date-column", "labels")
    assert labels.exit_code == 1
    assert labels.stderr == (
        f"error: {export}:1, field 'Labels': column appears twice in the header\n"
    )


def test_a_file_with_no_completions_is_one_line(workspace_dir: Path, tmp_path: Path) -> None:
    args = ["forecast", "when", "--items", "5", "--date-column", "closed_at", "--from-csv"]
    header_only = tmp_path / "none.csv"
    header_only.write_text("closed_at\n", encoding="utf-8")
    undated = tmp_path / "open.csv"
    undated.write_text("key,closed_at\nA-1,\nA-2,\n", encoding="utf-8")
    for path, reason in (
        (header_only, ":1: no rows: the file has a header and nothing under it"),
        (undated, ", field 'closed_at': every row's date is empty: nothing to forecast from"),
    ):
        result = invoke(*args, str(path))
        assert (result.exit_code, result.stderr) == (1, f"error: {path}{reason}\n")
