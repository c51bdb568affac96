"""kpi import / list / show through the CLI on a real workspace (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from helpers import invoke
from productpath.services.learning.kpis import (
    key_result_progress,
    link_key_result,
    progress_towards,
)

START = dt.date(2026, 3, 2)


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("metric,date,segment,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _daily(n: int, metric: str = "Payment success rate") -> list[str]:
    rows = []
    for i in range(n):
        day = START + dt.timedelta(days=i)
        value = 97.0 - (0.8 if day.weekday() >= 5 else 0.0) + (0.05 * (i % 3))
        if i == 30:
            value = 90.0
        rows.append(f"{metric},{day},,{value:.2f}")
    return rows


IMPORT = ("--metric-column", "metric", "--date-column", "date", "--value-column", "value")


def test_import_is_idempotent_and_show_reads_the_series(
    workspace_dir: Path, tmp_path: Path
) -> None:
    rows = _daily(56) + [
        f"Weekly active users,{START + dt.timedelta(weeks=i)},ios,{100 + i}" for i in range(8)
    ]
    path = _write(tmp_path / "kpis.csv", rows)
    first = invoke("kpi", "import", str(path), *IMPORT, "--segment-column", "segment")
    assert first.exit_code == 0, first.output
    assert "Imported 64 new values" in first.stdout
    again = invoke("kpi", "import", str(path), *IMPORT, "--segment-column", "segment")
    assert "Imported 0 new values" in again.stdout and "64 already present" in again.stdout

    listed = json.loads(invoke("kpi", "list", "--json").stdout)
    assert {k["key"]: k["points"] for k in listed} == {
        "payment-success-rate": 56,
        "weekly-active-users": 8,
    }
    shown = json.loads(invoke("kpi", "show", "Payment success rate", "--json").stdout)
    assert shown["cadence"] == "daily" and shown["seasonal"] is True
    assert [a["day"] for a in shown["anomalies"]] == [str(START + dt.timedelta(days=30))]
    assert shown["anomalies"][0]["size"] < -5
    assert "Theil-Sen" in shown["methods"]["trend"]
    ranged = json.loads(
        invoke(
            "kpi",
            "show",
            "payment-success-rate",
            "--json",
            "--from",
            "2026-03-10",
            "--to",
            "2026-03-20",
        ).stdout
    )
    assert len(ranged["points"]) == 11
    ios = json.loads(
        invoke("kpi", "show", "weekly-active-users", "--segment", "ios", "--json").stdout
    )
    assert ios["cadence"] == "weekly" and len(ios["points"]) == 8


def test_a_restated_value_is_updated_and_reported(workspace_dir: Path, tmp_path: Path) -> None:
    invoke("kpi", "import", str(_write(tmp_path / "a.csv", _daily(10))), *IMPORT)
    changed = _daily(10)
    changed[0] = f"Payment success rate,{START},,50"
    result = invoke("kpi", "import", str(_write(tmp_path / "b.csv", changed)), *IMPORT)
    assert "1 restated" in result.stdout
    shown = json.loads(invoke("kpi", "show", "payment-success-rate", "--json").stdout)
    assert shown["points"][0]["value"] == 50


def test_duplicate_dates_are_an_error_naming_both_lines(
    workspace_dir: Path, tmp_path: Path
) -> None:
    rows = [*_daily(5), f"Payment success rate,{START + dt.timedelta(days=1)},,12"]
    result = invoke("kpi", "import", str(_write(tmp_path / "dup.csv", rows)), *IMPORT)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "dup.csv:7" in result.stderr and "line 3" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(invoke("kpi", "list", "--json").stdout) == []  # nothing half-written


def test_bad_values_and_out_of_order_rows(workspace_dir: Path, tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", ["Payment success rate,2026-03-02,,97%"])
    result = invoke("kpi", "import", str(bad), *IMPORT)
    assert result.exit_code == 1 and "bad.csv:2, field 'value': not a number" in result.stderr
    rows = list(reversed(_daily(6)))
    result = invoke("kpi", "import", str(_write(tmp_path / "rev.csv", rows)), *IMPORT)
    assert result.exit_code == 0 and "5 rows were not in date order" in result.stderr
    neither = invoke("kpi", "import", str(bad), "--date-column", "date", "--value-column", "value")
    assert neither.exit_code == 1 and "--metric-column" in neither.stderr


def test_one_metric_file_and_unknown_kpi(workspace_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "wau.csv"
    path.write_text("week,users\n2026-03-02,100\n2026-03-16,120\n", encoding="utf-8")
    result = invoke(
        "kpi",
        "import",
        str(path),
        "--metric",
        "Weekly active users",
        "--date-column",
        "week",
        "--value-column",
        "users",
    )
    assert result.exit_code == 0, result.output
    missing = invoke("kpi", "show", "nope")
    assert missing.exit_code == 1 and "no KPI 'nope'" in missing.stderr


def test_key_result_progress_comes_from_its_kpi(opened: object, tmp_path: Path) -> None:
    from productpath.services.learning.kpis import import_kpis
    from web_fixtures import seed

    seed(opened)  # type: ignore[arg-type]
    path = tmp_path / "act.csv"
    path.write_text("date,value\n2026-01-05,30\n2026-02-02,36\n2026-03-02,39\n", encoding="utf-8")
    import_kpis(opened, path, metric="Activation rate", date_column="date", value_column="value")  # type: ignore[arg-type]
    assert key_result_progress(opened, "O1", "KR1") is None  # type: ignore[arg-type]
    link_key_result(opened, "O1", "KR1", "activation-rate")  # type: ignore[arg-type]
    progress = key_result_progress(opened, "O1", "KR1")  # type: ignore[arg-type]
    assert progress is not None
    assert (progress.baseline, progress.latest, progress.target) == (30, 39, 45)
    assert progress.progress == pytest.approx(9 / 15)


def test_progress_towards_clips_and_handles_no_data() -> None:
    series = [(START, 10.0), (START + dt.timedelta(days=7), 5.0)]
    assert progress_towards(20, series) == (10.0, 5.0, START + dt.timedelta(days=7), 0.0)
    assert progress_towards(20, []) is None


def test_kpi_show_names_the_gaps_in_a_caveat(workspace_dir: Path, tmp_path: Path) -> None:
    days = [START + dt.timedelta(days=i) for i in (0, 1, 2, 3, 10, 11, 12, 13)]
    path = _write(
        tmp_path / "gappy.csv", [f"Signups,{day},,{40 + i}" for i, day in enumerate(days)]
    )
    assert invoke("kpi", "import", str(path), *IMPORT).exit_code == 0
    shown = invoke("kpi", "show", "signups")
    assert shown.exit_code == 0, shown.output
    assert "caveat: 6 daily values missing between 2026-03-02 and 2026-03-15" in shown.stdout
    data = json.loads(invoke("kpi", "show", "signups", "--json").stdout)
    assert data["gaps"] == 6 and any("6 daily values missing" in c for c in data["caveats"])


def test_a_header_without_rows_is_refused_and_an_unread_repeated_column_is_not(
    workspace_dir: Path, tmp_path: Path
) -> None:
    header_only = _write(tmp_path / "none.csv", [])
    refused = invoke("kpi", "import", str(header_only), *IMPORT)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: {header_only}:1: no rows: the file has a header and nothing under it\n"
    )
    repeated = tmp_path / "tagged.csv"
    repeated.write_text("metric,date,tag,value,tag\nSignups,2026-03-02,a,40,b\n", encoding="utf-8")
    result = invoke("kpi", "import", str(repeated), *IMPORT)
    assert result.exit_code == 0, result.output
    assert "Imported 1 new value" in result.stdout
    reading_it = invoke("kpi", "import", str(repeated), *IMPORT, "--segment-column", "tag")
    assert reading_it.exit_code == 1
    assert "field 'tag': column appears twice in the header" in reading_it.stderr
