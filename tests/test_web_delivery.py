"""The delivery, initiative, code-health and radar pages and their JSON twins, on a workspace
filled through the real services (roadmap apply, git ingest, Jira import), SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import page_code
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.settings import Settings
from productpath.web import create_app

TODAY = dt.date.today()
WEEKS_8 = dt.timedelta(weeks=8)  # the initiatives started before the oldest linked commit
PAGES = ["/delivery", "/initiatives/onboarding", "/code-health", "/radar"]

ROADMAP = f"""\
version: 1
product: {{id: pocket, name: Pocket}}
teams:
  - {{id: growth, name: Growth, capacity_per_week: 2}}
milestones:
  - {{id: beta, name: Public beta, target_date: {TODAY + dt.timedelta(days=30)}}}
  - {{id: ga, name: General availability, target_date: {TODAY + dt.timedelta(days=90)}}}
initiatives:
  - id: onboarding
    title: Guided onboarding
    description: Walk new customers to their first payment.
    team: growth
    status: in_progress
    milestone: beta
    start: {TODAY - WEEKS_8}
    estimate: {{optimistic: 2, likely: 3, pessimistic: 5}}
    work: {{epics: [DEMO-1]}}
  - {{id: card-freeze, title: Freeze a lost card, status: done, start: {TODAY - WEEKS_8}}}
  - id: instant-transfers
    title: Instant transfers
    status: planned
    milestone: ga
    depends_on: [onboarding, card-freeze]
"""
RADAR = """\
version: 1
technologies:
  - {name: fastapi, ecosystem: PyPI, ring: adopt, reason: Our API framework.}
  - {name: requests, ecosystem: PyPI, ring: hold, reason: Use httpx in new code.}
  - {name: Kafka, ring: trial, reason: The event stream.}
"""


def _jira_date(days_ago: int) -> str:
    moment = dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(10, 30))
    return moment.strftime("%d/%b/%y %I:%M %p")


def _jira_csv() -> str:
    rows = [
        # key, type, status, category, assignee, created, resolved, parent
        ("DEMO-1", "Epic", "In Progress", "In Progress", "Ana Lima", 30, None, ""),
        ("DEMO-2", "Story", "Done", "Done", "Ana Lima", 28, 12, "DEMO-1"),
        ("DEMO-3", "Story", "In Progress", "In Progress", "Bo Chen", 27, None, "DEMO-1"),
        ("DEMO-4", "Story", "To Do", "To Do", "", 26, None, "DEMO-1"),
        ("DEMO-9", "Bug", "To Do", "To Do", "", 3, None, ""),
    ]
    lines = ["Summary,Issue key,Issue Type,Status,Status Category,Assignee,Created,Resolved,"
             "Custom field (Epic Link),Labels,Labels"]  # fmt: skip
    for key, kind, status, category, who, created, resolved, parent in rows:
        done = _jira_date(resolved) if resolved is not None else ""
        lines.append(
            f"Work on {key},{key},{kind},{status},{category},{who},{_jira_date(created)},"
            f"{done},{parent},web,"
        )
    return "\n".join(lines) + "\n"


def _git(repo: Path, *args: str, when: int | None = None, who: str = "Ana Lima") -> None:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    if when is not None:
        stamp = (dt.datetime.now(dt.UTC) - dt.timedelta(days=when)).strftime("%s +0000")
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    email = who.split()[0].lower() + "@example.com"
    subprocess.run(
        ["git", "-c", f"user.name={who}", "-c", f"user.email={email}", *args],
        cwd=repo, env=env, check=True, capture_output=True,
    )  # fmt: skip


def _commit(repo: Path, path: str, text: str, message: str, when: int, who: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text, encoding="utf-8")
    _git(repo, "add", path)
    _git(repo, "commit", "-q", "-m", message, when=when, who=who)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small application repository with commits linked in each way the linker knows."""
    root = tmp_path_factory.mktemp("repo") / "app"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _commit(root, "requirements.txt", "requests==2.31.0\nfastapi==0.110.0\n", "Initial import",
            40, "Ana Lima")  # fmt: skip
    _commit(root, "app/core.py", "x = 1\n", "Core module", 39, "Ana Lima")
    _commit(root, "app/onboarding.py", "steps = []\n",
            "Add onboarding steps\n\nInitiative: onboarding", 20, "Ana Lima")  # fmt: skip
    _commit(root, "tests/test_onboarding.py", "def test(): ...\n",
            "[onboarding] Tests for the steps", 10, "Bo Chen")  # fmt: skip
    _git(root, "switch", "-q", "-c", "feature/card-freeze")
    _commit(root, "app/cards.py", "frozen = False\n", "Freeze button", 15, "Bo Chen")
    _git(root, "switch", "-q", "main")
    _git(root, "merge", "-q", "--no-ff", "-m", "Merge branch 'feature/card-freeze'",
         "feature/card-freeze", when=14, who="Bo Chen")  # fmt: skip
    _commit(root, "app/core.py", "x = 2\n", "Tidy the core", 5, "Ana Lima")
    return root


def _fill(handle: OpenWorkspace, root: Path, repo: Path) -> None:
    from productpath.services.delivery import relink
    from productpath.services.roadmap import apply_roadmap
    from productpath.services.work.git import ingest_repository
    from productpath.services.work.tracker import import_tracker

    (root / "roadmap.yaml").write_text(ROADMAP, encoding="utf-8")
    (root / "radar.yaml").write_text(RADAR, encoding="utf-8")
    (root / "jira.csv").write_text(_jira_csv(), encoding="utf-8")
    apply_roadmap(handle, root / "roadmap.yaml")
    ingest_repository(handle, repo, name="app")
    import_tracker(handle, [root / "jira.csv"], fmt="jira")
    relink(handle)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, repo: Path
) -> Iterator[TestClient]:
    """The app on one filled workspace per database, shared by the tests that only read."""
    from productpath.services.workspace import init_workspace

    root = tmp_path_factory.mktemp("site") / "ws"
    url = None
    drop = None
    if request.param == "postgresql":
        from conftest import _postgres_or_skip
        from db_templates import create_database

        url, drop = create_database(_postgres_or_skip())
    try:
        init_workspace(root, "Pocket", url)
        settings = Settings(workspace=root, database_url=url, allowed_hosts="testserver")
        with open_workspace(settings) as handle:
            _fill(handle, root, repo)
        with TestClient(create_app(settings)) as client:
            yield client
    finally:
        if drop is not None:
            drop()


@pytest.fixture
def client(workspace_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def _text(page: str) -> str:
    """The page's visible text, tags dropped, entities decoded, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _handle(client: TestClient) -> OpenWorkspace:
    handle: OpenWorkspace = client.app.state.handle  # type: ignore[attr-defined]
    return handle


def test_delivery_page_shows_each_milestone_with_burnup_and_risks(seeded: TestClient) -> None:
    html = seeded.get("/delivery").text
    assert "<title>Pocket delivery · productpath</title>" in html
    assert 'href="/delivery.json"' in html and 'aria-current="page"' in html
    assert html.index('id="milestone-beta"') < html.index('id="milestone-ga"')
    chart = html[html.index('<svg class="chart" id="burnup-beta"') :]
    chart = chart[: chart.index("</svg>")]
    assert 'role="img"' in chart and "chart__line--scope" in chart and "chart__line--done" in chart
    assert 'href="/initiatives/onboarding"' in html
    text = _text(html)
    for phrase in ["Public beta", "1 of 3", "Flow metrics", "Throughput", "Cycle time",
                   "Deployment frequency", "Change failure", "week by week"]:  # fmt: skip
        assert phrase in text, phrase
    # Instant transfers waits for onboarding, which is not done and has no risk-free path:
    # whatever the risks are, each is listed with its reason.
    from productpath.services.pages.delivery_view import delivery_page

    status = delivery_page(_handle(seeded)).status
    assert status is not None
    for initiative in status.initiatives:
        for risk in initiative.risks:
            assert risk.reason.split("(")[0].strip() in text


def test_delivery_twin_is_the_page_object(seeded: TestClient) -> None:
    from productpath.services.pages.delivery_view import DeliveryPage, delivery_page

    data = seeded.get("/delivery.json").json()
    assert data == delivery_page(_handle(seeded)).model_dump(mode="json")
    view = DeliveryPage.model_validate(data)
    assert view.has_roadmap and view.repositories == 1 and view.tracker_items == 5
    assert view.status is not None
    beta = view.status.milestones[0]
    assert (beta.key, beta.items_total, beta.items_done) == ("beta", 3, 1)
    burnup = next(b for b in view.burnups if b.milestone == "beta")
    assert burnup.weeks[-1].scope == 3 and burnup.weeks[-1].done == 1
    onboarding = next(i for i in view.status.initiatives if i.key == "onboarding")
    assert onboarding.progress.commits == 2
    assert view.status.unlinked.items == 1  # DEMO-9
    assert view.metrics.throughput.total >= 1


def test_initiative_page_shows_linked_work_rules_and_people(seeded: TestClient) -> None:
    html = seeded.get("/initiatives/onboarding").text
    assert "<title>Guided onboarding · Pocket · productpath</title>" in html
    assert 'href="/initiatives/onboarding.json"' in html
    text = _text(html)
    for phrase in ["Walk new customers", "Growth", "Public beta", "3 wk", "epic DEMO-1",
                   "Add onboarding steps", "Initiative: trailer", "[onboarding] Tests for the",
                   "key in the message", "DEMO-2", "epic in work.epics", "Ana Lima", "Bo Chen",
                   "Instant transfers", "1 of 3 items done"]:  # fmt: skip
        assert phrase in text, phrase
    assert "Tidy the core" not in text  # not linked
    freeze = _text(seeded.get("/initiatives/card-freeze").text)
    assert "Merge branch 'feature/card-freeze'" in freeze and "branch name" in freeze
    transfers = seeded.get("/initiatives/instant-transfers").text
    assert 'href="/initiatives/onboarding"' in transfers
    assert 'href="/initiatives/card-freeze"' in transfers


def test_initiative_twin_is_the_page_object(seeded: TestClient) -> None:
    from productpath.services.pages.initiative_view import InitiativeDetail, initiative_detail

    data = seeded.get("/initiatives/onboarding.json").json()
    assert data == initiative_detail(_handle(seeded), "onboarding").model_dump(mode="json")
    view = InitiativeDetail.model_validate(data)
    assert {(c.subject, c.rule) for c in view.commits} == {
        ("Add onboarding steps", "trailer"),
        ("[onboarding] Tests for the steps", "message_key"),
    }
    assert [i.key for i in view.items] == ["DEMO-1", "DEMO-3", "DEMO-4", "DEMO-2"]
    assert {i.rule for i in view.items} == {"epic"}
    assert view.links_by_rule == {"epic": 4, "message_key": 1, "trailer": 1}
    assert [(c.name, c.commits, c.items) for c in view.contributors] == [
        ("Ana Lima", 1, 1),
        ("Bo Chen", 1, 1),
    ]
    assert [d.key for d in view.needed_by] == ["instant-transfers"]
    assert view.delivery is not None and view.delivery.progress.items_total == 3


def test_unknown_initiative_is_a_404_in_both_forms(seeded: TestClient) -> None:
    page = seeded.get("/initiatives/no-such")
    assert page.status_code == 404 and "Page not found" in page.text
    twin = seeded.get("/initiatives/no-such.json")
    assert twin.status_code == 404
    assert twin.json() == {"detail": "no initiative 'no-such' in this workspace"}


def test_roadmap_links_initiative_names_to_their_pages(seeded: TestClient) -> None:
    html = seeded.get("/roadmap").text
    row = html[html.index('id="initiative-onboarding"') :]
    assert 'href="/initiatives/onboarding">Guided onboarding</a>' in row[: row.index("</tr>")]


def test_code_health_page_and_twin(seeded: TestClient, repo: Path) -> None:
    from productpath.services.pages.tech_view import code_health_view

    data = seeded.get("/code-health.json").json()
    assert data == code_health_view(_handle(seeded)).model_dump(mode="json")
    [health] = data["repositories"]
    assert health["name"] == "app" and health["available"] and health["path"] == str(repo)
    assert health["hotspots"][0]["path"] == "app/core.py"
    text = _text(seeded.get("/code-health").text)
    for phrase in ["Hotspots", "Bus factor", "Abandoned areas", "app/core.py", "enough commits"]:
        assert phrase in text, phrase


def test_radar_page_draws_the_rings_and_lists_every_entry(seeded: TestClient) -> None:
    from productpath.services.pages.tech_view import radar_view

    data = seeded.get("/radar.json").json()
    assert data == radar_view(_handle(seeded)).model_dump(mode="json")
    assert data["quadrants"][:2] == ["Python", "Platforms & tools"]
    entries = {e["name"]: e for e in data["entries"]}
    assert entries["requests"]["ring"] == "hold" and entries["requests"]["used_by"] == ["app"]
    assert entries["Kafka"]["used_by"] == []
    [stack] = data["repositories"]
    assert [(d["name"], d["flags"]) for d in stack["flagged"]] == [("requests", ["on_hold"])]
    html = seeded.get("/radar").text
    chart = html[html.index('<svg class="chart" id="radar-chart"') :]
    chart = chart[: chart.index("</svg>")]
    for entry in data["entries"]:
        number = entry["number"]
        assert f'href="#tech-{number}"' in chart and f'id="tech-{number}"' in html
    assert "radar__blip--flagged" in chart  # requests: on hold and still used
    text = _text(html)
    for phrase in ["Tech radar", "Use httpx in new code.", "1 on hold", "Every technology"]:
        assert phrase in text, phrase


def test_empty_workspace_pages_say_which_command_fills_them(client: TestClient) -> None:
    assert "productpath roadmap apply roadmap.yaml" in client.get("/delivery").text
    assert "productpath git ingest PATH" in client.get("/code-health").text
    radar = client.get("/radar").text
    assert "No tech radar yet" in radar and "productpath stack radar" in radar
    assert "productpath git ingest PATH" in radar
    delivery = client.get("/delivery.json").json()
    assert delivery["status"] is None and delivery["has_roadmap"] is False
    assert client.get("/code-health.json").json()["repositories"] == []
    assert client.get("/radar.json").json()["radar_found"] is False
    # The twins are in the OpenAPI document; the pages are not.
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/delivery.json", "/initiatives/{key}.json", "/code-health.json", "/radar.json"} <= (
        paths
    )
    assert not {"/delivery", "/radar", "/code-health", "/initiatives/{key}"} & paths


def test_roadmap_without_work_says_how_to_read_it_in(workspace_dir: Path) -> None:
    from productpath.services.roadmap import apply_roadmap

    (workspace_dir / "roadmap.yaml").write_text(ROADMAP, encoding="utf-8")
    with open_workspace() as handle:
        apply_roadmap(handle, workspace_dir / "roadmap.yaml")
    with TestClient(create_app(Settings())) as client:
        text = _text(client.get("/delivery").text)
        assert "productpath git ingest PATH" in text
        assert "productpath tracker import --format jira" in text
        page = _text(client.get("/initiatives/onboarding").text)
        assert "productpath git ingest PATH" in page and "None linked" in page


def test_a_moved_repository_and_a_broken_radar_are_reported(
    workspace_dir: Path, repo: Path, tmp_path: Path
) -> None:
    moved = tmp_path / "moved"
    shutil.copytree(repo, moved)
    with open_workspace() as handle:
        _fill(handle, workspace_dir, moved)
    shutil.rmtree(moved)
    (workspace_dir / "radar.yaml").write_text("technologies:\n  - name: x\n", encoding="utf-8")
    with TestClient(create_app(Settings())) as client:
        health = client.get("/code-health")
        assert health.status_code == 200 and "not there any more" in health.text
        radar = client.get("/radar")
        assert radar.status_code == 200 and "The radar file cannot be read" in radar.text
        assert "technologies[0].ring" in radar.text


def test_new_pages_are_accessible_and_need_no_inline_code(seeded: TestClient) -> None:
    for path in PAGES:
        response = seeded.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert (
            "<script" not in page_code(html) and "<style" not in html and " style=" not in html
        ), path
        assert not re.search(r'(src|href)="(https?:)?//', html), path
        for landmark in ['href="#main"', "<header", "<nav", "<main", "<footer", "<h1"]:
            assert landmark in html, (path, landmark)
        assert "content-security-policy" in response.headers
        for nav in ['href="/delivery"', 'href="/code-health"', 'href="/radar"']:
            assert nav in html, (path, nav)
        assert seeded.head(path).status_code == 200
