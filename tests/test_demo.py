"""The Pocket demo workspace: contents, determinism, safe rebuilds, and the CLI command."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import importlib.util
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from sqlalchemy import select

from helpers import free_port, invoke
from productpath.demo import MARKER, DemoSummary, build_demo
from productpath.domain import roadmap_rules
from productpath.domain.roadmap import RoadmapDoc
from productpath.errors import WorkspaceError
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.settings import Settings
from productpath.store.models import Customer, FeedbackItem, ForecastRun

TODAY = dt.date(2025, 3, 3)
REPO = Path(__file__).resolve().parent.parent
BANKING77_TRAIN = REPO / "tests" / "data" / "banking77" / "train.csv.gz"
DATA = REPO / "src" / "productpath" / "demo" / "data"


def _shipped_feedback() -> list[dict[str, str]]:
    with (DATA / "feedback_banking77.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(autouse=True)
def _sqlite_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    root = tmp_path_factory.mktemp("demo") / "pocket"
    return root, build_demo(root, today=TODAY)


def _open(root: Path) -> OpenWorkspace:
    return open_workspace(Settings(workspace=root, database_url=None))


@pytest.fixture
def handle(built: tuple[Path, DemoSummary]) -> Iterator[OpenWorkspace]:
    with _open(built[0]) as opened:
        yield opened


def _feedback_rows(root: Path) -> list[tuple[Any, ...]]:
    with _open(root) as opened, opened.store.read() as session:
        rows = session.execute(
            select(
                FeedbackItem.source,
                FeedbackItem.external_id,
                FeedbackItem.text,
                FeedbackItem.created_at,
                Customer.key,
            )
            .outerjoin(Customer, Customer.id == FeedbackItem.customer_id)
            .order_by(FeedbackItem.external_id)
        )
        return [tuple(row) for row in rows]


def _doc(root: Path) -> RoadmapDoc:
    data = YAML(typ="safe").load((root / "roadmap.yaml").read_text(encoding="utf-8"))
    return RoadmapDoc.model_validate(data)


def test_the_demo_has_a_realistic_size(built: tuple[Path, DemoSummary]) -> None:
    root, summary = built
    assert summary.root == root.resolve()
    assert summary.product == "Pocket"
    assert 22 <= summary.initiatives <= 28
    assert (summary.teams, summary.milestones, summary.objectives) == (3, 4, 4)
    assert summary.dependencies >= 15
    assert (summary.customers, summary.segments) == (60, 4)
    assert summary.feedback_items == len(_shipped_feedback())
    assert 300 <= summary.feedback_items <= 1500
    assert summary.feedback_from is not None and summary.feedback_to is not None
    assert TODAY - dt.timedelta(days=183) <= summary.feedback_from
    assert summary.feedback_to < TODAY
    assert {p.name for p in root.iterdir()} >= {
        MARKER,
        "productpath.toml",
        ".productpath",
        "roadmap.yaml",
        "customers.csv",
        "feedback.csv",
        "pocket-app",
        "jira-export.csv",
        "radar.yaml",
    }


def test_the_roadmap_validates_and_looks_ahead(built: tuple[Path, DemoSummary]) -> None:
    doc = _doc(built[0])
    assert roadmap_rules.check(doc) == []
    assert doc.product.id == "pocket"
    assert all(TODAY < m.target_date <= TODAY + dt.timedelta(days=290) for m in doc.milestones)
    assert {i.status.value for i in doc.initiatives} >= {
        "done",
        "in_progress",
        "planned",
        "proposed",
    }
    assert all(i.estimate is not None and i.team is not None for i in doc.initiatives)
    assert all(len(t.members) >= 3 for t in doc.teams)


def test_roadmap_has_a_feature_matrix_with_gaps_and_leads(built: tuple[Path, DemoSummary]) -> None:
    from productpath.domain.roadmap import Support

    doc = _doc(built[0])
    assert len(doc.competitors) >= 2
    assert any(f.planned_by for f in doc.features)
    assert any(f.ours is Support.HAS for f in doc.features)
    assert any(
        not f.planned_by and any(c.level is Support.HAS for c in f.support) for f in doc.features
    )


def test_customers_have_segments_and_revenue(handle: OpenWorkspace) -> None:
    with handle.store.read() as session:
        customers = session.scalars(select(Customer)).all()
        segments = {c.segment.name for c in customers if c.segment is not None}
        assert all(c.segment is not None and c.annual_revenue for c in customers)
        partners = [c.annual_revenue or 0 for c in customers if c.segment.name == "partner"]
        free = [c.annual_revenue or 0 for c in customers if c.segment.name == "consumer-free"]
    assert segments == {"consumer-free", "consumer-premium", "smb", "partner"}
    assert min(partners) > max(free)


def test_feedback_is_linked_to_customers_and_trends(built: tuple[Path, DemoSummary]) -> None:
    rows = _feedback_rows(built[0])
    assert {row[0] for row in rows} == {"banking77"}
    linked = sum(1 for row in rows if row[4] is not None)
    assert 0.3 * len(rows) < linked < 0.7 * len(rows)
    # Emerging themes: most of these messages arrived in the last four weeks.
    with (built[0] / "feedback.csv").open(newline="", encoding="utf-8") as handle:
        workspace_rows = list(csv.DictReader(handle))
    recent = TODAY - dt.timedelta(days=28)
    for category in ("contactless_not_working", "top_up_reverted"):
        dates = [
            dt.date.fromisoformat(r["created_at"][:10])
            for r in workspace_rows
            if r["category"] == category
        ]
        assert sum(d >= recent for d in dates) > 0.6 * len(dates)


@pytest.fixture(scope="module")
def built_by_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The same day's demo built a second time, through the CLI (its stdout kept)."""
    root = tmp_path_factory.mktemp("cli-demo") / "again"
    result = invoke("demo", "--dir", str(root), "--no-serve", "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.stderr
    return root, result.stdout


def test_two_builds_on_the_same_day_are_identical(
    built: tuple[Path, DemoSummary], built_by_cli: tuple[Path, str]
) -> None:
    again = built_by_cli[0]
    first_root, first = built
    for name in ("roadmap.yaml", "customers.csv", "feedback.csv", MARKER, "jira-export.csv"):
        assert (again / name).read_bytes() == (first_root / name).read_bytes()
    # The same day gives the same commits, down to their ids.
    assert _git(again, "rev-list", "--all") == _git(first_root, "rev-list", "--all")
    assert _git(again, "tag") == _git(first_root, "tag")
    assert _feedback_rows(again) == _feedback_rows(first_root)
    assert len(_feedback_rows(again)) == first.feedback_items
    assert _exported(again) == _exported(first_root)


def _exported(root: Path) -> str:
    from productpath.services.roadmap import export_roadmap

    with _open(root) as opened:
        return export_roadmap(opened)


def test_the_shipped_roadmap_round_trips(built: tuple[Path, DemoSummary]) -> None:
    """Re-applying the workspace's roadmap.yaml, or its export, changes nothing."""
    from productpath.services.roadmap import apply_roadmap

    root = built[0]
    exported = root.parent / "exported.yaml"
    exported.write_text(_exported(root), encoding="utf-8")
    with _open(root) as opened:
        assert apply_roadmap(opened, root / "roadmap.yaml", dry_run=True).is_empty
        assert apply_roadmap(opened, exported, dry_run=True).is_empty


def test_another_day_moves_the_dates(tmp_path: Path) -> None:
    later = build_demo(tmp_path / "later", today=TODAY + dt.timedelta(days=10))
    assert later.feedback_to == TODAY + dt.timedelta(days=9)
    milestone = _doc(tmp_path / "later").milestones[0]
    assert milestone.target_date == TODAY + dt.timedelta(days=10 + 56)


def test_rebuilding_starts_over_and_keeps_other_files(
    built: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    root = tmp_path / "demo"
    shutil.copytree(built[0], root, symlinks=True)
    first = built[1]
    head = _git(root, "rev-parse", "HEAD")
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    (root / "roadmap.yaml").write_text("my_edit: true\n", encoding="utf-8")
    (root / "pocket-app" / "scratch.py").write_text("print('mine')\n", encoding="utf-8")
    second = build_demo(root, today=TODAY)
    assert second == dataclasses.replace(first, root=second.root)
    assert (root / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "my_edit" not in (root / "roadmap.yaml").read_text(encoding="utf-8")
    assert len(_feedback_rows(root)) == first.feedback_items
    # The generated repository is made afresh, not added to.
    assert not (root / "pocket-app" / "scratch.py").exists()
    assert _git(root, "rev-parse", "HEAD") == head
    # A link put in the repository's place is removed, never followed out of the folder.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("x", encoding="utf-8")
    shutil.rmtree(root / "pocket-app")
    (root / "pocket-app").symlink_to(elsewhere, target_is_directory=True)
    build_demo(root, today=TODAY)
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "x"
    assert (root / "pocket-app" / ".git").is_dir() and not (root / "pocket-app").is_symlink()


def test_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    root = tmp_path / "work"
    root.mkdir()
    (root / "plan.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="not empty and is not a demo"):
        build_demo(root, today=TODAY)
    assert [p.name for p in root.iterdir()] == ["plan.txt"]


def test_refuses_a_workspace_the_demo_did_not_build(tmp_path: Path) -> None:
    from productpath.services.workspace import init_workspace

    root = tmp_path / "real"
    init_workspace(root, "Real product")
    before = sorted(p.name for p in root.iterdir())
    with pytest.raises(WorkspaceError, match="did not build"):
        build_demo(root, today=TODAY)
    assert sorted(p.name for p in root.iterdir()) == before
    assert (root / ".productpath" / "productpath.db").exists()


def test_a_demo_md_of_the_users_own_is_not_a_marker(tmp_path: Path) -> None:
    from productpath.services.workspace import init_workspace

    root = tmp_path / "mine"
    init_workspace(root, "Mine")
    (root / "DEMO.md").write_text("# How we demo our product\n", encoding="utf-8")
    (root / "roadmap.yaml").write_text("product: {id: mine, name: Mine}\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="did not build"):
        build_demo(root, today=TODAY)
    assert (root / "roadmap.yaml").read_text(encoding="utf-8").startswith("product: {id: mine")


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="is a file"):
        build_demo(target, today=TODAY)


def test_cli_builds_without_serving(built_by_cli: tuple[Path, str]) -> None:
    root, stdout = built_by_cli
    assert f"Built the Pocket demo in {root.resolve()}" in stdout
    assert "initiatives" in stdout and "60 customers in 4 segments" in stdout
    assert f"productpath -w {root} roadmap show" in stdout
    assert "Serving" not in stdout
    assert (root / MARKER).is_file()


def test_cli_refuses_a_non_demo_folder_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    result = invoke("demo", "--dir", str(tmp_path), "--no-serve")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


def test_cli_serves_the_demo_like_serve(
    built: tuple[Path, DemoSummary], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without --no-serve the command hands the demo to uvicorn as `serve` does (recorded)."""
    root = tmp_path / "served"
    shutil.copytree(built[0], root)
    monkeypatch.setenv("PRODUCTPATH_WORKSPACE", str(tmp_path))
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: calls.append((a, kw)))

    port = free_port()  # serve binds the port before it hands it to uvicorn
    result = invoke("demo", "--dir", str(root), "--port", str(port), "--today", TODAY.isoformat())

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"Serving Pocket at http://127.0.0.1:{port}"
    [(args, kwargs)] = calls
    assert args == ("productpath.web.app:create_app",)
    assert (kwargs["host"], kwargs["port"], kwargs["factory"]) == ("127.0.0.1", port, True)
    import os

    assert os.environ["PRODUCTPATH_WORKSPACE"] == str(root.resolve())


def test_the_web_pages_show_the_demo(built: tuple[Path, DemoSummary]) -> None:
    from fastapi.testclient import TestClient

    from productpath.web.app import create_app

    app = create_app(Settings(workspace=built[0], database_url=None))
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
        page = client.get("/roadmap")
        assert page.status_code == 200
        assert "Automatic retry for failed card top-ups" in page.text
        assert client.get("/roadmap.json").status_code == 200
        pages = {
            "/delivery": "Reliable money movement",
            "/initiatives/fx-engine": "Sana Qureshi",
            "/code-health": "pocket/statements",
            "/radar": "moment",
        }
        for path, phrase in pages.items():
            response = client.get(path)
            assert response.status_code == 200 and phrase in response.text, path
            assert client.get(path + ".json").status_code == 200, path


def _git(root: Path, *args: str) -> str:
    repo = root / "pocket-app"
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return done.stdout.decode()


def test_the_demo_repository_has_six_busy_months(built: tuple[Path, DemoSummary]) -> None:
    root, summary = built
    assert 600 <= summary.commits <= 1500
    # Thirteen people, though Hugo also committed from his laptop's e-mail (see .mailmap).
    assert summary.contributors == 13
    emails = set(_git(root, "log", "--format=%ae").split())
    assert "hugo@lambert-mbp.local" in emails
    assert "hugo@lambert-mbp.local" in (root / "pocket-app" / ".mailmap").read_text()
    dates = [dt.date.fromisoformat(d) for d in _git(root, "log", "--format=%as").split()]
    assert TODAY - dt.timedelta(days=260) <= min(dates) and max(dates) < TODAY
    busy = [d for d in dates if d >= TODAY - dt.timedelta(days=183)]
    assert len(busy) > 0.9 * len(dates)
    subjects = _git(root, "log", "--format=%s").splitlines()
    assert sum(s.startswith("Merge pull request #") for s in subjects) >= 50
    assert sum(s.startswith("Merge branch 'feature/kyc-v2-") for s in subjects) >= 2
    assert sum(s.startswith('Revert "') for s in subjects) == 2
    assert sum("Hotfix" in s for s in subjects) >= 3
    assert "Initiative: fx-engine" in _git(root, "log", "--format=%b")
    assert len(_git(root, "tag").split()) >= 12
    for manifest in ("pyproject.toml", "requirements.txt", "mobile/package.json",
                     "mobile/package-lock.json", "pocket/fx/quotes.py"):  # fmt: skip
        assert (root / "pocket-app" / manifest).is_file(), manifest


def test_the_demo_team_made_the_commits(built: tuple[Path, DemoSummary]) -> None:
    from productpath.demo import story

    members = {(m.name, m.email) for team in _doc(built[0]).teams for m in team.members}
    assert {(p.name, p.email) for p in story.PEOPLE.values()} == members
    authors = set(_git(built[0], "log", "--use-mailmap", "--format=%aN|%aE").split("\n")[:-1])
    assert {tuple(a.split("|")) for a in authors} == members


def test_roadmap_epics_are_epics_in_the_jira_export(built: tuple[Path, DemoSummary]) -> None:
    with (built[0] / "jira-export.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header.count("Labels") == 3 and "Status Category" in header
    kinds = {row[header.index("Issue key")]: row[header.index("Issue Type")] for row in rows[1:]}
    mapped = [e for i in _doc(built[0]).initiatives if i.work for e in i.work.epics]
    assert len(mapped) >= 10
    assert all(kinds.get(epic) == "Epic" for epic in mapped)


def test_each_kind_of_delivery_risk_shows(handle: OpenWorkspace) -> None:
    from productpath.services.delivery import delivery_status

    status = delivery_status(handle, today=TODAY)
    risks = {i.key: {r.kind for r in i.risks} for i in status.initiatives}
    assert risks["kyc-v2"] == {"slipping"}
    assert risks["pin-self-service"] == {"stale"}
    assert risks["wallet-provisioning"] == {"scope_growth"}
    assert risks["fx-engine"] == {"concentration"}
    assert risks["psd2-sca"] == {"dependency_slipped"}
    assert risks["topup-retry"] == risks["transfer-tracking"] == set()
    on_track = {m.key: m.on_track for m in status.milestones}
    assert on_track["reliable-money"] is False and on_track["card-everywhere"] is True
    done = {i.key: i.progress for i in status.initiatives if i.status == "done"}
    assert done and all(p.items_total == p.items_done > 0 and p.commits for p in done.values())


def test_code_health_and_stack_show_the_planted_problems(built: tuple[Path, DemoSummary]) -> None:
    from productpath.services.work.tech import code_health, stack_inventory

    repo = built[0] / "pocket-app"
    health = code_health(repo)
    riskiest = health.ownership[0]
    assert (riskiest.directory, riskiest.bus_factor, riskiest.top_author) == (
        "pocket/fx",
        1,
        "Sana Qureshi",
    )
    assert riskiest.concentration > 0.9
    assert [a.directory for a in health.abandoned] == ["pocket/statements"]
    assert health.abandoned[0].days_since_change > 200
    assert len(health.hotspots) >= 10
    stack = stack_inventory(repo, radar_file=built[0] / "radar.yaml")
    held = {r.dependency.name for r in stack.review.reviews if "on_hold" in r.flags}
    assert held >= {"requests", "moment"}


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_demo_data", REPO / "tools" / "make_demo_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_feedback_is_what_the_generator_draws() -> None:
    """The shipped subset is unmodified BANKING77 text, reproducible from its generator."""
    generator = _generator()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "train.csv"
        with gzip.open(BANKING77_TRAIN, "rb") as packed:
            source.write_bytes(packed.read())
        texts = generator.read_source(source)
    rows = generator.build_rows(texts, generator.read_customers(DATA / "customers.csv"))
    assert rows == _shipped_feedback()
    with gzip.open(BANKING77_TRAIN, "rt", newline="", encoding="utf-8") as handle:
        originals = {(r["text"], r["category"]) for r in csv.DictReader(handle)}
    assert all((r["text"], r["category"]) in originals for r in rows)


def test_the_demo_roadmap_has_stakeholders_raci_public_work_and_kpi_progress(
    built: tuple[Path, DemoSummary], handle: OpenWorkspace
) -> None:
    from productpath.services.pages.key_results import progress_by_key

    doc = _doc(built[0])
    audiences = {s.audience.value for s in doc.stakeholders}
    assert audiences == {"executive", "engineering", "sales_support", "customer"}
    cfo = next(s for s in doc.stakeholders if s.id == "cfo")
    assert (cfo.power.value, cfo.interest.value, cfo.channel.value) == ("high", "high", "email")
    # Nothing in the demo sends to a made-up webhook.
    assert all(s.channel.value in ("email", "none") for s in doc.stakeholders)
    assert sum(i.public for i in doc.initiatives) == 5
    assert sum(i.raci is not None for i in doc.initiatives) >= 6
    # The KPIs the roadmap names were filled by the learning data, so progress is computed.
    progress = progress_by_key(handle)
    wau = progress[("activation", "weekly-actives")]
    assert wau.kpi == "weekly-active-users" and 0 < wau.progress < 1
    assert ("money-movement", "payment-success") in progress


def test_the_jira_export_as_it_stood_two_weeks_earlier(built: tuple[Path, DemoSummary]) -> None:
    from productpath.demo.files import initiative_titles
    from productpath.demo.tracker_export import jira_csv

    titles = initiative_titles((built[0] / "roadmap.yaml").read_text(encoding="utf-8"))
    day = TODAY - dt.timedelta(days=14)
    now = list(csv.DictReader(jira_csv(TODAY, titles).splitlines()))
    then = list(csv.DictReader(jira_csv(TODAY, titles, as_of=day).splitlines()))
    months = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"), 1)}  # fmt: skip

    def when(text: str) -> dt.date:
        day_, month, year = text.split()[0].split("/")
        return dt.date(2000 + int(year), months[month], int(day_))

    assert {r["Issue key"] for r in then} < {r["Issue key"] for r in now}
    assert all(when(r["Created"]) < day for r in then)
    assert all(when(r["Resolved"]) < day for r in then if r["Resolved"])
    done_now = sum(r["Status Category"] == "Done" for r in now)
    done_then = sum(r["Status Category"] == "Done" for r in then)
    assert done_then < done_now
    # The export in the folder is today's; the one as it stood was only read for the old reports.
    assert (built[0] / "jira-export.csv").read_text(encoding="utf-8") == jira_csv(TODAY, titles)


def test_the_demo_exec_report_says_why_dates_moved(built: tuple[Path, DemoSummary]) -> None:
    from productpath.services.reporting.reports import render_report

    with _open(built[0]) as opened:
        text = render_report(opened, "exec", record=False, today=TODAY).content.decode("utf-8")
    section = text.split("## Will we hit our dates?", 1)[1].split("## ", 1)[0]
    assert "since the last report" in section
    # The earlier run saw the work as it stood then, so no date moved merely by the days between.
    assert "stayed the same" not in section
    assert "because" in section
    # kyc-v2 is slipping on the delivery page, so its milestone is not counted safe anywhere.
    # Card everywhere holds stalled work, so it is at risk too (never headlined as on time).
    summary = text.split("\n\n")[2]
    assert summary.startswith("2 of 4 milestones are at least 85% likely to land on time")
    assert (
        "At risk: Reliable money movement, because Identity verification v2 with instant "
        "decisions ends " in summary
    )
    assert "Card everywhere, because View and unblock the PIN in the app has stalled" in summary
    line = next(x for x in section.splitlines() if x.startswith("- Reliable money movement"))
    assert line.startswith("- Reliable money movement (at risk): ")
    # Markdown escapes the "<" of "< 1%"; chances are capped, never a bare 0% or 100%.
    assert "< 1% chance of making it" in line.replace("\\<", "<")


def test_the_demo_exec_report_fits_one_page(built: tuple[Path, DemoSummary]) -> None:
    import io

    import pypdfium2 as pdfium

    from productpath.services.reporting.reports import render_report

    with _open(built[0]) as opened:
        pdf = render_report(opened, "exec", "pdf", record=False, today=TODAY).content
    document = pdfium.PdfDocument(io.BytesIO(pdf))
    pages = len(document)
    document.close()
    assert pages == 1


def test_past_forecasts_know_nothing_of_later_work(
    built: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    import json
    import shutil

    from productpath.services.forecasting.retro_demo import record_past_forecasts

    # The demo's linked items carry today's status: a pace floor taken from them as of an
    # earlier day would count work finished after it, so a past forecast has none. Two weeks
    # back, work was in progress with a pace (kyc-v2 among it).
    copy = tmp_path / "demo"
    shutil.copytree(built[0], copy)
    with _open(copy) as opened:
        record_past_forecasts(opened, (TODAY - dt.timedelta(days=14),))
        with opened.store.read() as session:
            run = session.scalars(select(ForecastRun).order_by(ForecastRun.id.desc())).first()
    assert run is not None
    initiatives = json.loads(run.inputs)["initiatives"]
    assert any(i["key"] == "kyc-v2" for i in initiatives)
    assert all(i["pace_finish"] is None for i in initiatives)
