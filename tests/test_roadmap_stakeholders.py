"""roadmap.yaml's stakeholders, RACI, ``public`` and key results' KPIs in a real store
(SQLite and PostgreSQL), through apply, export, show, kpi import and the dashboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from helpers import invoke
from productpath.services.pages.key_results import progress_by_key
from productpath.services.roadmap import apply_roadmap, export_roadmap
from productpath.store import product_repo
from productpath.store.models import Initiative, Kpi, RaciAssignment, Stakeholder

ROADMAP = """\
version: 1
product: {id: pocket, name: Pocket}
objectives:
  - id: growth
    title: Grow
    key_results:
      - {id: wau, title: Weekly actives, target: 200, kpi: weekly-active-users}
      - {id: nps, title: NPS, target: 50}
stakeholders:
  - {id: cfo, name: Dana, email: dana@pocket.example, audience: executive, channel: email}
  - {id: vp-eng, name: Tomas, audience: engineering, power: high}
initiatives:
  - id: kyc
    title: KYC
    public: true
    raci: {responsible: [vp-eng], accountable: [cfo]}
  - {id: cards, title: Cards}
"""


def _apply(handle: Any, tmp_path: Path, text: str) -> Any:
    path = tmp_path / "roadmap.yaml"
    path.write_text(text, encoding="utf-8")
    return apply_roadmap(handle, path)


def _rows(handle: Any) -> tuple[dict[str, int | None], set[tuple[str, str, str]]]:
    """Stakeholder key -> roadmap_position, and every (initiative, stakeholder, role)."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, "pocket")
        people = session.scalars(select(Stakeholder).where(Stakeholder.product_id == product_id))
        positions = {s.key: s.roadmap_position for s in people}
        raci = session.execute(
            select(Initiative.key, Stakeholder.key, RaciAssignment.role)
            .join(Initiative, Initiative.id == RaciAssignment.initiative_id)
            .join(Stakeholder, Stakeholder.id == RaciAssignment.stakeholder_id)
        )
        return positions, {(i, s, r) for i, s, r in raci}


def _cli_stakeholder(handle: Any, key: str, initiative: str, role: str) -> None:
    """What ``productpath stakeholders add`` and ``map`` write: a row with no roadmap place."""
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, "pocket")
        assert product_id is not None
        row = Stakeholder(product_id=product_id, key=key, name=key.title(), audience="customer")
        session.add(row)
        session.flush()
        initiative_id = session.scalar(select(Initiative.id).where(Initiative.key == initiative))
        assert initiative_id is not None
        session.add(RaciAssignment(initiative_id=initiative_id, stakeholder_id=row.id, role=role))


def test_apply_stores_stakeholders_raci_and_public_and_export_round_trips(
    opened: Any, tmp_path: Path
) -> None:
    changes = _apply(opened, tmp_path, ROADMAP)
    assert {(c.kind, c.key) for c in changes.changes} >= {
        ("stakeholder", "cfo"),
        ("stakeholder", "vp-eng"),
    }
    positions, raci = _rows(opened)
    assert positions == {"cfo": 0, "vp-eng": 1}
    assert raci == {("kyc", "vp-eng", "R"), ("kyc", "cfo", "A")}
    with opened.store.read() as session:
        public = {
            key: flag for key, flag in session.execute(select(Initiative.key, Initiative.public))
        }
    assert public == {"kyc": True, "cards": False}
    exported = export_roadmap(opened)
    assert "raci: {responsible: [vp-eng], accountable: [cfo]}" in exported
    assert _apply(opened, tmp_path, exported).is_empty
    # A field change of an initiative's RACI reads as one line of the diff.
    changed = _apply(
        opened, tmp_path, ROADMAP.replace("accountable: [cfo]", "informed: [cfo]")
    ).changes
    (initiative,) = [c for c in changed if c.kind == "initiative"]
    assert [(f.field, f.old, f.new) for f in initiative.fields] == [
        ("raci.accountable", ["cfo"], []),
        ("raci.informed", [], ["cfo"]),
    ]
    assert _rows(opened)[1] == {("kyc", "vp-eng", "R"), ("kyc", "cfo", "I")}


def test_cli_stakeholders_are_left_alone_and_unlisted_ones_are_released(
    opened: Any, tmp_path: Path
) -> None:
    _apply(opened, tmp_path, ROADMAP)
    _cli_stakeholder(opened, "board", "kyc", "I")
    # Dropping vp-eng from the file releases it (kept, with no roadmap place); the CLI's
    # stakeholder and its assignment stay as they are, and so does the export.
    text = ROADMAP.replace(
        "  - {id: vp-eng, name: Tomas, audience: engineering, power: high}\n", ""
    ).replace("responsible: [vp-eng], ", "")
    changes = _apply(opened, tmp_path, text)
    assert ("stakeholder", "vp-eng", "removed") in {
        (c.kind, c.key, c.action.value) for c in changes.changes
    }
    positions, raci = _rows(opened)
    assert positions == {"cfo": 0, "vp-eng": None, "board": None}
    assert raci == {("kyc", "cfo", "A"), ("kyc", "board", "I"), ("kyc", "vp-eng", "R")}
    assert "board" not in export_roadmap(opened)
    # Listing the CLI's stakeholder adopts it: the file now decides its assignments.
    adopted = text.replace(
        "initiatives:",
        "  - {id: board, name: Board, audience: customer}\ninitiatives:",
    )
    _apply(opened, tmp_path, adopted)
    positions, raci = _rows(opened)
    assert positions["board"] == 1
    assert ("kyc", "board", "I") not in raci and ("kyc", "cfo", "A") in raci


def test_a_key_results_kpi_is_declared_then_filled_by_kpi_import(
    workspace_dir: Path, tmp_path: Path
) -> None:
    from productpath.services.workspace import open_workspace

    path = tmp_path / "roadmap.yaml"
    path.write_text(ROADMAP, encoding="utf-8")
    dry = invoke("roadmap", "apply", str(path), "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    (warning,) = json.loads(dry.stdout)["warnings"]
    assert "no KPI 'weekly-active-users' is stored yet, so it would be created empty" in warning
    applied = invoke("roadmap", "apply", str(path))
    assert applied.exit_code == 0, applied.output
    assert "warning: key result 'growth/wau'" in applied.stderr
    listed = json.loads(invoke("kpi", "list", "--json").stdout)
    assert [(k["key"], k["name"], k["points"]) for k in listed] == [
        ("weekly-active-users", "weekly-active-users", 0)
    ]
    shown = json.loads(invoke("roadmap", "show", "--json").stdout)
    wau, nps = shown["objectives"][0]["key_results"]
    assert (wau["kpi"], wau["progress"], nps["progress"]) == ("weekly-active-users", None, None)
    again = invoke("roadmap", "apply", str(path))
    assert "its KPI 'weekly-active-users' has no values yet" in again.stderr

    values = tmp_path / "wau.csv"
    values.write_text(
        "metric,date,value\n"
        "Weekly active users,2026-01-05,100\n"
        "Weekly active users,2026-01-12,150\n",
        encoding="utf-8",
    )
    imported = invoke(
        "kpi", "import", str(values), "--metric-column", "metric",
        "--date-column", "date", "--value-column", "value",
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    kpis = json.loads(invoke("kpi", "list", "--json").stdout)
    assert [(k["key"], k["name"], k["points"]) for k in kpis] == [
        ("weekly-active-users", "Weekly active users", 2)
    ]
    shown = json.loads(invoke("roadmap", "show", "--json").stdout)
    progress = shown["objectives"][0]["key_results"][0]["progress"]
    assert (progress["baseline"], progress["latest"], progress["progress"]) == (100, 150, 0.5)
    table = invoke("roadmap", "show").stdout
    assert "[50%: 150" in table  # the cell may wrap on a narrow terminal
    assert invoke("roadmap", "apply", str(path)).stderr == ""
    with open_workspace() as handle:
        assert progress_by_key(handle)[("growth", "wau")].progress == 0.5


def test_an_empty_kpi_no_longer_named_is_removed(opened: Any, tmp_path: Path) -> None:
    _apply(opened, tmp_path, ROADMAP.replace("weekly-active-users", "weekly-actve-users"))
    _apply(opened, tmp_path, ROADMAP)  # the typo fixed
    with opened.store.read() as session:
        assert list(session.scalars(select(Kpi.key))) == ["weekly-active-users"]


def test_the_dashboard_shows_key_result_progress(workspace_dir: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from productpath.services.learning.kpis import import_kpis
    from productpath.services.workspace import open_workspace
    from productpath.web import create_app

    values = tmp_path / "wau.csv"
    values.write_text("date,value\n2026-01-05,100\n2026-01-12,175\n", encoding="utf-8")
    with open_workspace() as handle:
        _apply(handle, tmp_path, ROADMAP)
        import_kpis(
            handle, values, date_column="date", value_column="value", metric="Weekly active users"
        )
    with TestClient(create_app()) as client:
        data = client.get("/dashboard.json").json()
        wau, nps = data["objectives"][0]["key_results"]
        assert wau["kpi"] == "weekly-active-users" and wau["progress"]["progress"] == 0.75
        assert nps["kpi"] is None and nps["progress"] is None
        html = client.get("/").text
        assert '75%: <a href="/kpis/weekly-active-users">175</a>' in html
        assert "style=" not in html
