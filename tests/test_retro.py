"""The retrospective: forecast hit rates, estimate calibration, and ``productpath retro``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from delivery_fixtures import Seeder, apply, at
from helpers import invoke
from productpath.learning.retro import (
    EstimateInput,
    Prediction,
    estimate_retro,
    forecast_retro,
)
from productpath.services.delivery import relink
from productpath.services.retro import outcome_review, retrospective
from productpath.store import forecast_repo, product_repo

D = dt.date.fromisoformat


def _prediction(
    key: str, made_on: str, p50: str, p85: str, p95: str, team: str = "a"
) -> Prediction:
    return Prediction(1, D(made_on), key, team, D(p50), D(p85), D(p95))


def test_hits_count_on_or_before_each_level() -> None:
    predictions = [
        _prediction("x", "2026-01-01", "2026-02-01", "2026-02-10", "2026-02-20"),
        _prediction("y", "2026-01-01", "2026-02-01", "2026-02-10", "2026-02-20", team="b"),
        _prediction("z", "2026-02-03", "2026-03-01", "2026-03-10", "2026-03-20"),
        _prediction("open", "2026-01-01", "2026-02-01", "2026-02-10", "2026-02-20"),
    ]
    finished = {"x": D("2026-02-01"), "y": D("2026-02-15"), "z": D("2026-04-01")}
    result = forecast_retro(predictions, finished, snapshots=2)
    assert [(r.key, r.hit50, r.hit85, r.hit95) for r in result.scored] == [
        ("x", True, True, True),
        ("y", False, False, True),
        ("z", False, False, False),
    ]
    assert result.overall is not None
    assert (result.overall.n, result.overall.p50, result.overall.p95) == (3, 1 / 3, 2 / 3)
    assert [(t.group, t.n) for t in result.by_team] == [("a", 2), ("b", 1)]
    assert [(m.group, m.n) for m in result.by_month] == [("2026-01", 2), ("2026-02", 1)]
    assert any("only 3 finished" in c for c in result.caveats)


def test_a_forecast_made_after_the_finish_is_left_out() -> None:
    late = _prediction("x", "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04")
    result = forecast_retro([late], {"x": D("2026-02-01")}, snapshots=1)
    assert result.scored == () and result.skipped_after_finish == 1
    assert "no stored roadmap forecast has a finished initiative yet" in result.caveats


def test_no_snapshots_says_how_to_get_one() -> None:
    result = forecast_retro([], {}, snapshots=0)
    assert result.overall is None
    assert "forecast roadmap" in result.caveats[0]


def test_calibration_is_the_median_ratio_per_team() -> None:
    def done(key: str, weeks: int, team: str = "a") -> EstimateInput:
        start = D("2026-01-05")
        return EstimateInput(key, team, 2.0, 1, 2, 3, start, start + dt.timedelta(weeks=weeks))

    # PERT mean 2; actual = weeks x 2 ideal weeks per week.
    result = estimate_retro([done("x", 1), done("y", 2), done("z", 10), done("w", 3, "b")])
    assert [r.ratio for r in result.rows if r.team == "a"] == [1.0, 2.0, 10.0]
    team_a, team_b = result.teams
    assert (team_a.team, team_a.n, team_a.factor, team_a.enough) == ("a", 3, 2.0, True)
    assert (team_b.n, team_b.factor, team_b.enough) == (1, 3.0, False)
    assert any("fewer than 3" in c and "b" in c for c in result.caveats)


def test_no_done_initiatives_is_a_caveat_not_an_error() -> None:
    result = estimate_retro([])
    assert result.rows == () and result.teams == ()
    assert "no done initiative" in result.caveats[0]


ROADMAP = """\
version: 1
product: {id: pocket, name: Pocket}
teams:
  - {id: core, name: Core, capacity_per_week: 2}
initiatives:
  - id: ledger
    title: Ledger
    team: core
    status: done
    estimate: {optimistic: 1, likely: 2, pessimistic: 3}
    work: {epics: [POCKET-1]}
    target_kpi: payment-success-rate
  - id: cards
    title: Cards
    team: core
    status: planned
    estimate: {optimistic: 1, likely: 2, pessimistic: 3}
"""


def _seed(handle: Any, tmp_path: Path) -> None:
    apply(handle, tmp_path, ROADMAP)
    with handle.store.write() as session:
        seed = Seeder(session)
        seed.commit("a" * 40, "[ledger] first posting", "2026-02-02")
        seed.item("POCKET-1", "Ledger", "2026-01-20", item_type="epic", done="2026-04-01")
        seed.item("POCKET-2", "Postings", "2026-01-21", done="2026-02-20", parent_key="POCKET-1")
        seed.item("POCKET-3", "Refunds", "2026-01-22", done="2026-03-02", parent_key="POCKET-1")
        product_id = product_repo.find_id(session, "pocket")
        assert product_id is not None
        for made_on, p85 in (("2026-01-15", "2026-03-10"), ("2026-02-10", "2026-02-25")):
            forecast_repo.save_run(
                session,
                product_id,
                kind="roadmap",
                trials=100,
                seed=1,
                inputs={},
                result={
                    "initiatives": [
                        {
                            "key": "ledger",
                            "team": "core",
                            "finish": {"p50": "2026-02-25", "p85": p85, "p95": "2026-03-20"},
                        }
                    ]
                },
                created_at=at(made_on),
            )
    relink(handle)
    kpi = tmp_path / "kpi.csv"
    rows = ["date,value"]
    for offset in range(-56, 57):
        day = D("2026-03-02") + dt.timedelta(days=offset)
        rows.append(f"{day},{95 + (2 if offset > 0 else 0) + 0.1 * (offset % 3)}")
    kpi.write_text("\n".join(rows) + "\n", encoding="utf-8")
    from productpath.services.kpis import import_kpis

    import_kpis(
        handle, kpi, date_column="date", value_column="value", metric="Payment success rate"
    )


def test_the_service_scores_stored_snapshots_against_linked_work(
    opened: Any, tmp_path: Path
) -> None:
    _seed(opened, tmp_path)
    result = retrospective(opened)
    # Shipped on the last resolved story (the epic's later close is housekeeping).
    assert [(r.made_on, r.actual, r.hit85) for r in result.forecasts.scored] == [
        (D("2026-01-15"), D("2026-03-02"), True),
        (D("2026-02-10"), D("2026-03-02"), False),
    ]
    (row,) = result.estimates.rows
    # Started with the first commit; 28 days x 2 ideal weeks per week over a PERT mean of 2.
    assert (row.started, row.finished, row.ratio) == (D("2026-02-02"), D("2026-03-02"), 4.0)
    (outcome,) = outcome_review(opened)
    assert outcome.outcome is not None
    assert (outcome.outcome.ship_day, outcome.outcome.verdict) == (D("2026-03-02"), "moved")


def test_an_unknown_target_kpi_is_named(opened: Any, tmp_path: Path) -> None:
    apply(opened, tmp_path, ROADMAP)
    (row,) = outcome_review(opened)
    assert row.outcome is None and "no KPI 'payment-success-rate'" in row.note


@pytest.mark.usefixtures("workspace_dir")
def test_cli_prints_json_and_tables(tmp_path: Path) -> None:
    from productpath.services.workspace import open_workspace

    with open_workspace() as handle:
        _seed(handle, tmp_path)
    result = invoke("retro", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["forecasts"]["overall"]["n"] == 2
    assert data["forecasts"]["overall"]["p85"] == 0.5
    assert data["estimates"]["teams"][0]["team"] == "core"
    assert data["outcomes"][0]["outcome"]["verdict"] == "moved"
    table = invoke("retro")
    assert table.exit_code == 0
    assert "Forecast retrospective" in table.stdout and "moved" in table.stdout


@pytest.mark.usefixtures("workspace_dir")
def test_cli_on_an_empty_workspace_explains_instead_of_failing() -> None:
    result = invoke("retro")
    assert result.exit_code == 0, result.output
    assert "no roadmap forecast is stored yet" in result.stdout
    assert "No done initiative names a target_kpi" in result.stdout


@pytest.mark.usefixtures("workspace_dir")
def test_the_web_page_and_its_twin(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from productpath.services.workspace import open_workspace
    from productpath.web import create_app

    with TestClient(create_app()) as client:
        empty = client.get("/retro")
        assert empty.status_code == 200
        assert "No target KPIs yet" in empty.text
        with open_workspace() as handle:
            _seed(handle, tmp_path)
        html = client.get("/retro")
        assert html.status_code == 200
        assert "style=" not in html.text and "<script" not in html.text
        assert 'href="/retro.json' in html.text
        assert '<svg class="chart" id="retro-hits"' in html.text
        assert html.text.count("<rect ") == 3
        data = client.get("/retro.json").json()
        assert data["forecasts"]["overall"]["p85"] == 0.5
        assert data["outcomes"][0]["outcome"]["verdict"] == "moved"
