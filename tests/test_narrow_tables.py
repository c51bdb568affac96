"""Tables fit an 80-column terminal: no cell wraps; wider terminals (or --wide) show more."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from productpath.services.workspace import open_workspace
from tracker_fixtures import jira_csv, jira_row
from web_fixtures import seed


@pytest.fixture
def seeded(workspace_dir: Path) -> Path:
    with open_workspace() as handle:
        seed(handle)
    return workspace_dir


def _at(columns: int, *args: str) -> Result:
    from productpath.cli.main import app

    runner = CliRunner(env={"COLUMNS": str(columns)})
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result


def _row(lines: list[str], key: str) -> list[str]:
    """The cells of the table row that starts with ``key``."""
    (line,) = [line for line in lines if line.startswith(f"│ {key} ")]
    return [cell.strip() for cell in line.strip("│").split("│")]


def test_forecast_roadmap_fits_80_columns_and_shows_more_when_wider(seeded: Path) -> None:
    # From early 2030 every date falls in 2030 (the milestones' targets too).
    args = ("forecast", "roadmap", "--trials", "300", "--seed", "1", "--start", "2030-01-07")
    narrow = _at(80, *args).stdout.splitlines()
    assert max(len(line) for line in narrow) <= 80
    # Each row is one line: the keys and dates are whole, nothing wrapped onto a second line.
    cells = _row(narrow, "instant-transfers")
    assert cells[:2] == ["instant-transfers", "payments"] and len(cells) == 5
    assert all(len(date.split()) == 2 for date in cells[2:])  # "Mar 14": the year is the title's
    assert any("Finish dates in 2030, 300 trials" in line for line in narrow)
    assert any("Milestones (dates in 2030)" in line for line in narrow)
    assert "Plan and milestone columns: --wide, or a wider terminal." in narrow
    milestones = _row(narrow, "ga")
    assert len(milestones) == 6 and milestones[2].endswith("%")

    for wide in (_at(160, *args).stdout, _at(80, *args, "--wide").stdout):
        lines = wide.splitlines()
        header = next(line for line in lines if line.startswith("┃ initiative"))
        assert "plan" in header and "milestone" in header
        row = _row(lines, "instant-transfers")
        assert len(row) == 7 and row[-1] == "ga" and len(row[2]) == 10  # ISO dates


def test_feedback_list_keeps_one_line_per_item_in_80_columns(
    workspace_dir: Path, tmp_path: Path
) -> None:
    long = "I have been waiting for my new card for more than two weeks and nobody answers"
    path = tmp_path / "inbox.csv"
    path.write_text(f'id,text,who\nm1,"{long}",acme-corporation\nm2,Short,\n', encoding="utf-8")
    _at(80, "feedback", "import", str(path), "--text-column", "text", "--id-column", "id",
        "--customer-column", "who", "--source", "a-rather-long-source-name")  # fmt: skip
    narrow = _at(80, "feedback", "list").stdout.splitlines()
    assert max(len(line) for line in narrow) <= 80
    first = _row(narrow, "1")
    assert len(first) == 4 and first[3].startswith("I have been waiting") and first[3][-1] == "…"
    assert _row(narrow, "2")[3] == "Short"
    assert "Customer, source and kind: --wide, or a wider terminal." in narrow
    for wide in (_at(160, "feedback", "list").stdout, _at(80, "feedback", "list", "--wide").stdout):
        row = _row(wide.splitlines(), "1")
        assert row[2:4] == ["acme-corporation", "a-rather-long-source-name"] and row[-1] == long


def _table_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line[:1] in "│┃"]


def split_cells(narrow: str, wide: str, *, one_line_rows: bool = True) -> list[str]:
    """What in ``narrow`` (an 80-column run) shows a cell that did not fit, compared with
    ``wide`` (the same command in a 400-column terminal, where nothing needs to wrap): a table
    line past 80 columns, a word or date split over two lines or cut with "…" (a word of the
    narrow tables that is nowhere whole in the wide output) and, for listings whose rows must
    stay one line each (``one_line_rows``), a row spread over more lines than it takes there.
    Prose (titles, key results) may wrap between words when ``one_line_rows`` is off."""
    found = [f"longer than 80: {line}" for line in _table_lines(narrow) if len(line) > 80]
    if one_line_rows:
        extra = len(_table_lines(narrow)) - len(_table_lines(wide))
        if extra > 0:
            found.append(f"{extra} more table lines than at 400 columns (cells wrapped)")
    lines = narrow.splitlines()
    # A header is one line (┃ ... ┃); a second one right under it is a header that wrapped.
    found += [f"header wrapped: {b}" for a, b in itertools.pairwise(lines) if a[:1] == b[:1] == "┃"]
    # Headers may be shortened when narrow ("sent."), so words are checked in the cells.
    whole = set(wide.split())
    for line in (line for line in lines if line.startswith("│")):
        found += [f"split: {word}" for word in line.split() if word not in whole]
    return found


def test_split_cells_sees_a_wrapped_row_and_a_cut_word() -> None:
    wide = "┃ initiative ┃ finish     ┃\n│ topup      │ 2030-03-14 │\n"
    assert split_cells(wide, wide) == []
    wrapped = "┃ initia ┃ finish ┃\n┃ tive   ┃        ┃\n│ topup  │ 2030-  │\n│        │ 03-14  │\n"
    assert "header wrapped: ┃ tive   ┃        ┃" in split_cells(wrapped, wide)
    assert "2 more table lines than at 400 columns (cells wrapped)" in split_cells(wrapped, wide)
    assert split_cells("│ top… │ 2030-03-14 │\n", wide) == ["split: top…"]
    assert "split: 2030-" in split_cells(wrapped, wide, one_line_rows=False)
    assert split_cells("│ " + "x" * 80 + " │\n", wide)[0].startswith("longer than 80")


@pytest.fixture
def demo_sized(seeded: Path) -> Path:
    """The seeded workspace with keys as long as the demo's (``contactless-reliability``,
    ``growth-support``, ``card-everywhere``): short keys would fit even a careless table."""
    from sqlalchemy import select

    from productpath.store.models import Initiative, Milestone, Team

    longer = {
        Initiative: {"onboarding": "guided-onboarding-flow", "card-freeze": "card-freeze-in-app"},
        Team: {"payments": "payments-core", "growth": "growth-support"},
        Milestone: {"beta": "card-everywhere", "ga": "general-availabl"},
    }
    with open_workspace() as handle, handle.store.write() as s:
        for model, keys in longer.items():
            for row in s.scalars(select(model)):
                row.key = keys.get(row.key, row.key)
    return seeded


TABLE_COMMANDS = [
    ("delivery", "status", "--today", "2030-01-07"),
    ("roadmap", "schedule", "--start", "2030-01-07"),
    # From December the dates span two years, so they stay ISO: long keys leave no room for team.
    ("forecast", "roadmap", "--trials", "200", "--seed", "1", "--start", "2029-12-03"),
    ("roadmap", "show"),
    ("delivery", "metrics", "--today", "2030-01-07"),
]


@pytest.mark.parametrize("command", TABLE_COMMANDS, ids=" ".join)
def test_table_commands_split_no_cell_in_80_columns(
    demo_sized: Path, command: tuple[str, ...]
) -> None:
    narrow = _at(80, *command).stdout
    assert split_cells(narrow, _at(400, *command).stdout) == [], narrow
    # --wide shows every column without wrapping, however narrow the terminal.
    wide = _at(80, *command, "--wide").stdout
    assert len(_table_lines(wide)) == len(_table_lines(_at(400, *command).stdout))


def test_themes_list_splits_no_label_in_80_columns(workspace_dir: Path, tmp_path: Path) -> None:
    texts = ["my card was declined at the shop", "the shop declined my card at the till",
             "how do i change my pin number", "change the pin number please",
             "refund my order please", "i want a refund for my order"] * 3  # fmt: skip
    path = tmp_path / "fb.csv"
    rows = [f'{i},"{text}",2026-0{1 + i % 6}-1{i % 9}' for i, text in enumerate(texts)]
    path.write_text("id,text,created\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _at(80, "feedback", "import", str(path), "--text-column", "text", "--id-column", "id",
        "--date-column", "created")  # fmt: skip
    _at(80, "insights", "run", "--embedder", "hashing")
    narrow = _at(80, "themes", "list").stdout
    assert split_cells(narrow, _at(400, "themes", "list").stdout) == [], narrow
    assert "Share, weekly counts, who asks: --wide, or a wider terminal." in narrow
    header = next(line for line in _at(80, "themes", "list", "--wide").stdout.splitlines()
                  if line.startswith("┃ id"))  # fmt: skip
    assert "share" in header and "top customers (revenue)" in header


def test_kpi_list_keeps_one_line_per_kpi_in_80_columns(workspace_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "kpis.csv"
    rows = [f"Payment success rate,2026-07-{day:02},{segment},{96 + day / 10}"
            for day in range(1, 29) for segment in ("", "android", "ios")]  # fmt: skip
    path.write_text("metric,date,segment,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _at(80, "kpi", "import", str(path), "--metric-column", "metric", "--date-column", "date",
        "--value-column", "value", "--segment-column", "segment")  # fmt: skip
    narrow = _at(80, "kpi", "list").stdout
    assert split_cells(narrow, _at(400, "kpi", "list").stdout) == [], narrow
    assert "2026-07-01" in narrow and "2026-07-28" in narrow
    assert "Segments: --wide, or a wider terminal." in narrow or "Segments, name:" in narrow
    wide = _at(80, "kpi", "list", "--wide").stdout
    assert "Payment success rate" in wide and "android, ios" in wide


def test_decision_list_keeps_one_line_per_decision_in_80_columns(workspace_dir: Path) -> None:
    _at(80, "decision", "add", "Ship the clearer fees copy to everyone on Android and iOS",
        "--owner", "Sam (growth product manager)", "--decided-on", "2026-12-01",
        "--review-on", "2027-01-16", "--key", "ship-clearer-fees-copy")  # fmt: skip
    args = ("decision", "list", "--today", "2026-12-07")
    narrow = _at(80, *args).stdout
    assert split_cells(narrow, _at(400, *args).stdout) == [], narrow
    assert _row(narrow.splitlines(), "ship-clearer-fees-copy")[1] == "2027-01-16"
    wide = _at(80, *args, "--wide").stdout
    assert "Ship the clearer fees copy to everyone on Android and iOS" in wide


def test_stakeholders_list_keeps_one_line_per_stakeholder_in_80_columns(
    workspace_dir: Path,
) -> None:
    _at(80, "stakeholders", "add", "Margit Olsen-Lindqvist", "--key", "head-of-support-ops",
        "--audience", "sales_support", "--power", "high", "--interest", "high",
        "--email", "margit@pocket.example", "--role", "Head of support")  # fmt: skip
    narrow = _at(80, "stakeholders", "list").stdout
    assert split_cells(narrow, _at(400, "stakeholders", "list").stdout) == [], narrow
    cells = _row(narrow.splitlines(), "head-of-support-ops")
    assert cells[1:4] == ["Margit Olsen-Lindqvist", "sales_support", "high/high"]
    wide = _at(80, "stakeholders", "list", "--wide").stdout
    assert "margit@pocket.example" in wide and "Head of support" in wide


def test_customers_list_keeps_one_line_per_customer_in_80_columns(
    workspace_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "id,name,segment,annual_revenue\n"
        "northwind-logistics-group,Northwind Logistics Group International,enterprise-emea,"
        "12500000\nglobex-retail-holdings,Globex Retail Holdings and Partners,mid-market,950000\n",
        encoding="utf-8",
    )
    _at(80, "customers", "import", str(path))
    narrow = _at(80, "customers", "list").stdout
    assert split_cells(narrow, _at(400, "customers", "list").stdout) == [], narrow
    cells = _row(narrow.splitlines(), "northwind-logistics-group")
    assert cells[1] == "Northwind Logistics Group International"
    assert "Segment: --wide, or a wider terminal." in narrow or "Segment, " in narrow
    wide = _at(80, "customers", "list", "--wide").stdout
    assert "enterprise-emea" in wide and "12,500,000.00" in wide


def test_code_health_keeps_paths_whole_in_80_columns(tmp_path: Path) -> None:
    repo = tmp_path / "shop-api"
    deep = repo / "src" / "shop_api" / "services" / "forecasting"
    deep.mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.name=Margit Olsen-Lindqvist",
           "-c", "user.email=margit@pocket.example"]  # fmt: skip
    subprocess.run([*git, "init", "-q"], check=True)
    for n in range(3):  # a hotspot is a file changed in two or more commits
        (deep / "planning.py").write_text(f"x = {n}\n" * (n + 2), encoding="utf-8")
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", f"change {n}"], check=True)
    args = ("code", "health", str(repo))
    narrow = _at(80, *args).stdout
    assert split_cells(narrow, _at(400, *args).stdout) == [], narrow
    assert "src/shop_api/services/forecasting/planning.py" in narrow
    assert "Changed, authors: --wide, or a wider terminal." in narrow
    wide = _at(80, *args, "--wide").stdout
    assert "changed" in next(line for line in wide.splitlines() if line.startswith("┃ file"))


@pytest.fixture
def tracked(workspace_dir: Path, tmp_path: Path) -> Path:
    """Tracker items with demo-length keys, statuses, assignees and titles, linked to nothing."""
    rows = [
        jira_row(f"POCKETPAY-{n}", f"Show the card freeze state on the home screen, case {n}",
                 Status="Ready for review", Assignee="Margit Olsen-Lindqvist",
                 **{"Issue Type": "Improvement", "Status Category": "In Progress"})
        for n in range(1001, 1004)
    ]  # fmt: skip
    _at(80, "tracker", "import", str(jira_csv(tmp_path / "jira.csv", rows)), "--format", "jira")
    return workspace_dir


@pytest.mark.parametrize("command", [("tracker", "list"), ("delivery", "unlinked")], ids=" ".join)
def test_tracker_listings_keep_keys_and_dates_whole_in_80_columns(
    tracked: Path, command: tuple[str, ...]
) -> None:
    narrow = _at(80, *command).stdout
    assert split_cells(narrow, _at(400, *command).stdout) == [], narrow
    assert "POCKETPAY-1001" in narrow and "2026-01-05" in narrow
    assert ": --wide, or a wider terminal." in narrow
    wide = _at(80, *command, "--wide").stdout
    assert "Margit Olsen-Lindqvist" in wide and "case 1001" in wide


def test_stakeholders_raci_keeps_initiative_keys_whole_in_80_columns(demo_sized: Path) -> None:
    for key in ("head-of-support-ops", "chief-financial-officer", "android-platform-lead"):
        _at(
            80,
            "stakeholders",
            "add",
            key.replace("-", " ").title(),
            "--key",
            key,
            "--channel",
            "none",
        )
    narrow = _at(80, "stakeholders", "raci").stdout
    assert split_cells(narrow, _at(400, "stakeholders", "raci").stdout) == [], narrow
    assert _row(narrow.splitlines(), "guided-onboarding-flow")[0] == "guided-onboarding-flow"
    assert "Stakeholders: 1 = android-platform-lead, 2 = chief-financial-officer" in narrow
    wide = _at(80, "stakeholders", "raci", "--wide").stdout
    header = next(line for line in wide.splitlines() if line.startswith("┃ initiative"))
    assert "chief-financial-officer" in header and "warnings" in header


def test_stack_radar_keeps_package_names_whole_in_80_columns(tmp_path: Path) -> None:
    radar = tmp_path / "radar.yaml"
    radar.write_text(
        "technologies:\n"
        "  - name: opentelemetry-instrumentation-fastapi\n    ecosystem: PyPI\n    ring: trial\n"
        "    reason: Traces for every request; judge it once the dashboards exist.\n"
        "    matches: [opentelemetry-exporter-otlp-proto-http, opentelemetry-sdk-extension]\n"
        "  - name: '@tanstack/react-query-devtools'\n    ecosystem: npm\n    ring: hold\n"
        "    reason: Fetching lives in one client module; no second cache.\n",
        encoding="utf-8",
    )
    args = ("stack", "radar", "--radar", str(radar))
    narrow = _at(80, *args).stdout
    assert split_cells(narrow, _at(400, *args).stdout, one_line_rows=False) == [], narrow
    assert "opentelemetry-instrumentation-fastapi" in narrow
    assert "Also matches: --wide, or a wider terminal." in narrow
    wide = _at(80, *args, "--wide").stdout
    assert "opentelemetry-exporter-otlp-proto-http, opentelemetry-sdk-extension" in wide


def _retro_output(columns: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                  *, wide: bool = False) -> str:  # fmt: skip
    """``retro`` as printed for demo-length teams and keys (a stored history takes weeks)."""
    import datetime as dt

    from productpath.cli.retro_print import print_retro
    from productpath.learning.retro import (
        Calibration,
        EstimateRetro,
        EstimateRow,
        ForecastRetro,
        HitRates,
    )
    from productpath.services.forecasting.retro import Retro

    rates = [HitRates(group=g, n=12, initiatives=4, p50=0.5, p85=0.83, p95=0.92)
             for g in ("payments-core", "growth-support")]  # fmt: skip
    forecasts = ForecastRetro(snapshots=12, scored=(), overall=rates[0], by_team=tuple(rates),
                              by_month=(), skipped_after_finish=0, caveats=())  # fmt: skip
    row = EstimateRow(key="contactless-reliability", team="growth-support",
                      started=dt.date(2026, 3, 2), finished=dt.date(2026, 6, 19),
                      calendar_weeks=15.6, actual_ideal_weeks=11.4, likely=8.0, pert_mean=8.8,
                      ratio=1.3)  # fmt: skip
    team = Calibration(team="growth-support", n=1, factor=1.3, likely_factor=1.43, enough=False)
    estimates = EstimateRetro(rows=(row,), teams=(team,), caveats=())
    monkeypatch.setenv("COLUMNS", str(columns))
    capsys.readouterr()
    print_retro(Retro(product="pocket", forecasts=forecasts, estimates=estimates), [], wide=wide)
    return capsys.readouterr().out


def test_retro_keeps_keys_and_dates_whole_in_80_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    narrow = _retro_output(80, monkeypatch, capsys)
    assert split_cells(narrow, _retro_output(400, monkeypatch, capsys)) == [], narrow
    cells = _row(narrow.splitlines(), "contactless-reliability")
    assert cells[1:3] == ["2026-03-02", "2026-06-19"]
    assert "Likely, team: --wide, or a wider terminal." in narrow
    wide = _retro_output(80, monkeypatch, capsys, wide=True)
    assert len(_row(wide.splitlines(), "contactless-reliability")) == 8


def test_roadmap_show_keeps_stakeholders_one_line_in_80_columns(
    demo_sized: Path, tmp_path: Path
) -> None:
    path = tmp_path / "roadmap.yaml"
    _at(80, "roadmap", "export", "--out", str(path))
    text = path.read_text(encoding="utf-8").replace("stakeholders: []\n", "")
    path.write_text(text + """stakeholders:
  - id: head-of-platform-eng
    name: Margit Olsen-Lindqvist
    role: Head of platform engineering
    organisation: Pocket
    email: margit@pocket.example
    audience: engineering
    power: high
    interest: high
    channel: email
    cadence: weekly
""", encoding="utf-8")  # fmt: skip
    _at(80, "roadmap", "apply", str(path))
    narrow = _at(80, "roadmap", "show").stdout
    assert split_cells(narrow, _at(400, "roadmap", "show").stdout) == [], narrow
    assert _row(narrow.splitlines(), "head-of-platform-eng")[1] == "Margit Olsen-Lindqvist"
    assert "Head of platform engineering, Pocket" in _at(80, "roadmap", "show", "--wide").stdout
