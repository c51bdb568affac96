"""Tables fit an 80-column terminal: no cell wraps; wider terminals (or --wide) show more."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from productpath.services.workspace import open_workspace
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
