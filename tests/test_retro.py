"""The retrospective: forecast hit rates, estimate calibration, and ``productpath retro``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from delivery_fixtures import Seeder, apply, at
from helpers import invoke, page_code
from productpath.learning.retro import (
    EstimateInput,
    Prediction,
    estimate_retro,
    forecast_retro,
)
from productpath.services.delivery import relink
from productpath.services.forecasting.retro import outcome_review, retrospective
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
    start: 2026-01-05  # the commit's key links it only from here (else from its creation)
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
    from productpath.services.learning.kpis import import_kpis

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
        assert "style=" not in html.text and "<script" not in page_code(html.text)
        assert 'href="/retro.json' in html.text
        assert '<svg class="chart" id="retro-hits"' in html.text
        assert html.text.count("<rect ") == 3
        data = client.get("/retro.json").json()
        assert data["forecasts"]["overall"]["p85"] == 0.5
        assert data["outcomes"][0]["outcome"]["verdict"] == "moved"


CALIBRATION_ROADMAP = """\
version: 1
product: {id: pocket, name: Pocket}
teams:
  - {id: core, name: Core, capacity_per_week: 2}
  - {id: growth, name: Growth, capacity_per_week: 1}
initiatives:
  - {id: d1, title: D1, team: core, status: done, work: {epics: [POCKET-1]},
     estimate: {optimistic: 1, likely: 2, pessimistic: 3}}
  - {id: d2, title: D2, team: core, status: done, work: {epics: [POCKET-2]},
     estimate: {optimistic: 1, likely: 2, pessimistic: 3}}
  - {id: d3, title: D3, team: core, status: done, work: {epics: [POCKET-3]},
     estimate: {optimistic: 1, likely: 2, pessimistic: 3}}
  - {id: g1, title: G1, team: growth, status: done, work: {epics: [POCKET-4]},
     estimate: {optimistic: 1, likely: 2, pessimistic: 3}}
  - {id: next, title: Next, team: core, status: planned,
     estimate: {optimistic: 1, likely: 2, pessimistic: 3}}
  - {id: later, title: Later, team: growth, status: planned,
     estimate: {optimistic: 1, likely: 2, pessimistic: 3}}
"""


def _seed_shipped(handle: Any, tmp_path: Path) -> None:
    """Three done initiatives for core and one for growth, each two calendar weeks long:
    core's factor is 2 weeks x 2 ideal weeks per week / PERT mean 2 = 2.0."""
    apply(handle, tmp_path, CALIBRATION_ROADMAP)
    with handle.store.write() as session:
        seed = Seeder(session)
        for n in range(1, 5):
            seed.item(f"POCKET-{n}", f"Epic {n}", "2026-01-05", item_type="epic")
            seed.item(
                f"POCKET-{n}0",
                f"Story {n}",
                "2026-01-05",
                done="2026-01-19",
                parent_key=f"POCKET-{n}",
            )
    relink(handle)


def _p50_days(result: Any, key: str) -> int:
    item = next(i for i in result.initiatives if i.key == key)
    return int((item.finish.p50 - result.start).days)


def test_calibrate_rescales_each_teams_estimates() -> None:
    from productpath.domain.plan_inputs import InitiativeInput, PlanInputs, TeamInput, ThreePoint
    from productpath.planning.roadmap_sim import calibrate

    inputs = PlanInputs(
        start=D("2026-03-02"),
        teams=(TeamInput("a", "A", 1.0), TeamInput("b", "B", 1.0)),
        milestones=(),
        initiatives=(
            InitiativeInput("x", team="a", estimate=ThreePoint(1, 2, 4)),
            InitiativeInput("y", team="b", estimate=ThreePoint(1, 2, 4)),
            InitiativeInput("z", team="a"),
        ),
    )
    scaled = calibrate(inputs, {"a": 1.5})
    x, y, z = scaled.initiatives
    assert x.estimate == ThreePoint(1.5, 3.0, 6.0)
    assert y.estimate == ThreePoint(1, 2, 4) and z.estimate is None


def test_forecast_roadmap_calibrate_uses_the_teams_retro_factor(
    opened: Any, tmp_path: Path
) -> None:
    from productpath.services.forecasting.planning import roadmap_forecast

    _seed_shipped(opened, tmp_path)
    start = D("2026-03-02")
    plain = roadmap_forecast(opened, trials=400, seed=3, start=start, today=start, save=False)
    calibrated = roadmap_forecast(
        opened, trials=400, seed=3, start=start, today=start, save=False, calibrate=True
    )
    assert plain.calibration is None
    info = calibrated.calibration
    assert info is not None and info.applied
    core, growth = info.teams
    assert (core.team, core.factor, core.shipped, core.applied) == ("core", 2.0, 3, True)
    assert core.note == "calibrated: x2.00 from 3 shipped"
    # Growth has one shipped initiative: too few, so its estimates stay as written.
    assert (growth.factor, growth.measured, growth.applied) == (1.0, 1.0, False)
    assert growth.note == "not calibrated: only 1 shipped"
    # Same draws (same seed): core's work takes twice as long, growth's is unchanged.
    assert _p50_days(calibrated, "next") == pytest.approx(2 * _p50_days(plain, "next"), abs=1)
    assert _p50_days(calibrated, "later") == _p50_days(plain, "later")


def test_too_few_shipped_is_not_calibrated(opened: Any, tmp_path: Path) -> None:
    from productpath.services.forecasting.planning import roadmap_forecast

    _seed(opened, tmp_path)
    start = D("2026-03-02")
    plain = roadmap_forecast(opened, trials=200, seed=1, start=start, today=start, save=False)
    result = roadmap_forecast(
        opened, trials=200, seed=1, start=start, today=start, save=False, calibrate=True
    )
    assert result.calibration is not None and not result.calibration.applied
    (core,) = result.calibration.teams
    assert core.note == "not calibrated: only 1 shipped" and core.factor == 1.0
    assert result.initiatives == plain.initiatives


@pytest.mark.usefixtures("workspace_dir")
def test_cli_and_web_say_whether_calibration_is_applied(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from productpath.services.workspace import open_workspace
    from productpath.web import create_app

    with open_workspace() as handle:
        _seed_shipped(handle, tmp_path)
    result = invoke(
        "forecast", "roadmap", "--calibrate", "--trials", "300", "--seed", "2", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["calibration"]["applied"] is True
    assert [t["note"] for t in data["calibration"]["teams"]] == [
        "calibrated: x2.00 from 3 shipped",
        "not calibrated: only 1 shipped",
    ]
    table = invoke("forecast", "roadmap", "--calibrate", "--trials", "300", "--seed", "2")
    assert "calibration: growth: not calibrated: only 1 shipped" in table.stdout
    plain = invoke("forecast", "roadmap", "--trials", "300", "--seed", "2", "--json")
    assert json.loads(plain.stdout)["calibration"] is None
    with TestClient(create_app()) as client:
        page = client.get("/forecast")
        assert page.status_code == 200
        assert "Not calibrated: the estimates are used as written" in page.text
        assert 'href="/forecast?calibrate=true"' in page.text
        calibrated = client.get("/forecast?calibrate=true")
        assert "Calibrated: estimates are multiplied by their team" in calibrated.text
        assert "calibrated: x2.00 from 3 shipped" in calibrated.text
        assert 'href="/forecast.json?calibrate=true"' in calibrated.text
        twin = client.get("/forecast.json?calibrate=true").json()
        assert twin["plan"]["forecast"]["calibration"]["applied"] is True
        assert client.get("/forecast.json").json()["plan"]["forecast"]["calibration"] is None
