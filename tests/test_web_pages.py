"""The web pages and their JSON twins, through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from productpath.errors import WorkspaceError
from productpath.services.pages.overview import Dashboard, RoadmapView, dashboard, roadmap_view
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.web import create_app
from web_fixtures import seed

EMPTY_HINT = "productpath roadmap apply roadmap.yaml"


@pytest.fixture
def client(workspace_dir: Path) -> Iterator[TestClient]:
    """The app on a freshly initialised, empty workspace (the lifespan runs)."""
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


@pytest.fixture
def seeded(workspace_dir: Path) -> Iterator[TestClient]:
    """The app on a workspace seeded by ``web_fixtures.seed``."""
    with open_workspace() as handle:
        seed(handle)
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def _text(html: str) -> str:
    """The page's visible text, tags dropped and whitespace collapsed, for phrase checks."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _stat(html: str, name: str) -> int:
    found = re.search(rf'id="stat-{name}">(\d+)<', html)
    assert found, f"no stat-{name} on the page"
    return int(found.group(1))


def test_dashboard_page_shows_the_seeded_data(seeded: TestClient) -> None:
    response = seeded.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<title>Pocket dashboard · productpath</title>" in html
    assert '<html lang="en">' in html
    assert 'href="/dashboard.json"' in html
    text = _text(html)
    for phrase in [
        "Grow activation",
        "Activation rate",
        "target 45 %",
        "Reduce churn",
        "Public beta",
        "General availability",
        "1 of 2",
        "intercom",
        "zendesk",
    ]:
        assert phrase in text, phrase
    assert EMPTY_HINT not in html
    # The beta milestone (31 March) is listed before GA (30 June), whatever the insert order.
    assert html.index("Public beta") < html.index("General availability")


def test_dashboard_twin_is_the_same_data_as_the_page(seeded: TestClient) -> None:
    data = seeded.get("/dashboard.json").json()
    handle = seeded.app.state.handle  # type: ignore[attr-defined]
    assert data == dashboard(handle).model_dump(mode="json")
    view = Dashboard.model_validate(data)
    assert view.initiatives_total == 5
    assert view.initiatives_by_status == {
        "proposed": 1,
        "planned": 1,
        "in_progress": 1,
        "done": 1,
        "dropped": 1,
    }
    assert [(o.key, o.initiative_count) for o in view.objectives] == [("O1", 2), ("O2", 1)]
    assert [(m.key, m.initiatives_done, m.initiatives_total) for m in view.milestones] == [
        ("beta", 1, 2),
        ("ga", 0, 1),
    ]
    assert view.feedback.model_dump() == {
        "total": 4,
        "last_30_days": 3,
        "customers": 2,
        "by_source": {"intercom": 2, "survey": 1, "zendesk": 1},
    }
    # The numbers printed on the page are the twin's numbers.
    html = seeded.get("/").text
    assert _stat(html, "initiatives") == view.initiatives_total
    assert _stat(html, "in-progress") == view.initiatives_by_status["in_progress"]
    assert _stat(html, "milestones") == len(view.milestones)
    assert _stat(html, "feedback") == view.feedback.total
    assert _stat(html, "feedback-recent") == view.feedback.last_30_days
    assert _stat(html, "customers") == view.feedback.customers


def test_roadmap_page_shows_milestones_initiatives_and_dependencies(seeded: TestClient) -> None:
    response = seeded.get("/roadmap")
    assert response.status_code == 200
    html = response.text
    assert "<title>Pocket roadmap · productpath</title>" in html
    assert 'href="/roadmap.json"' in html
    assert html.index('id="milestone-beta"') < html.index('id="milestone-ga"')
    for key in ["onboarding", "instant-transfers", "card-freeze", "dark-mode", "crypto"]:
        assert f'id="initiative-{key}"' in html, key
    # instant-transfers depends on two others, linked to their rows.
    row = html[html.index('id="initiative-instant-transfers"') :]
    row = row[: row.index("</tr>")]
    assert 'href="#initiative-onboarding"' in row
    assert 'href="#initiative-card-freeze"' in row
    assert "badge--planned" in row
    text = _text(html)
    for phrase in [
        "Now, next, later",
        "Not scheduled",
        "Guided onboarding",
        "3 wk (2\N{EN DASH}5.5)",
        "In progress",
        "Dropped",
        "Crypto wallet",
    ]:
        assert phrase in text, phrase


def test_roadmap_twin_is_the_same_data_as_the_page(seeded: TestClient) -> None:
    data = seeded.get("/roadmap.json").json()
    handle = seeded.app.state.handle  # type: ignore[attr-defined]
    assert data == roadmap_view(handle).model_dump(mode="json")
    view = RoadmapView.model_validate(data)
    assert [m.key for m in view.milestones] == ["beta", "ga"]
    assert [i.key for i in view.milestones[0].initiatives] == ["onboarding", "card-freeze"]
    assert [i.key for i in view.unscheduled] == ["dark-mode", "crypto"]
    lanes = {name: [i.key for i in items] for name, items in view.lanes}
    assert lanes == {
        "now": ["onboarding"],
        "next": ["instant-transfers"],
        "later": ["dark-mode"],
        "done": ["card-freeze"],
        "dropped": ["crypto"],
    }
    transfers = view.milestones[1].initiatives[0]
    assert transfers.depends_on == ("onboarding", "card-freeze")
    assert transfers.estimate is not None and transfers.estimate.pessimistic == 10
    assert transfers.team is not None and transfers.team.name == "Payments"
    # Every initiative and milestone of the twin is on the page.
    html = seeded.get("/roadmap").text
    for milestone in view.milestones:
        assert f'id="milestone-{milestone.key}"' in html
        for initiative in milestone.initiatives:
            assert initiative.title in html


def test_empty_workspace_explains_how_to_add_a_roadmap(client: TestClient) -> None:
    for path in ["/", "/roadmap"]:
        html = client.get(path).text
        assert EMPTY_HINT in html, path
        assert "<code>pocket</code>" in html  # which product the pages show
        assert 'class="initiatives"' not in html
    assert "No feedback imported yet" in client.get("/").text
    data = client.get("/roadmap.json").json()
    assert data["milestones"] == [] and data["unscheduled"] == []
    assert data["initiatives_total"] == 0
    board = client.get("/dashboard.json").json()
    assert board["initiatives_total"] == 0
    assert set(board["initiatives_by_status"].values()) == {0}


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text
    assert "<code>/no-such-page</code>" in response.text
    assert 'href="/roadmap"' in response.text
    assert response.headers["x-frame-options"] == "DENY"
    # Programs get JSON, by path or by Accept header.
    assert client.get("/no-such.json").json() == {"detail": "Not Found"}
    api = client.get("/nope", headers={"accept": "application/json"})
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_the_404_page_escapes_the_path(client: TestClient) -> None:
    html = client.get("/<script>alert(1)</script>").text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "path", ["/", "/roadmap", "/dashboard.json", "/healthz", "/static/app.css", "/missing"]
)
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp


def test_pages_need_no_inline_code_or_external_assets(seeded: TestClient) -> None:
    for path in ["/", "/roadmap", "/missing"]:
        html = seeded.get(path).text
        # Scripts only as this app's files (search, shortcuts and mentions on every page; the
        # board's reorder on the roadmap), never inline code.
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        everywhere = [
            'src="/static/search.js" defer',
            'src="/static/keys.js" defer',
            'src="/static/mention.js" defer',
        ]
        board = [
            'src="/static/vendor/sortable-1.15.7.min.js" defer',
            'src="/static/arrange.js" defer',
        ]
        expected = everywhere + (board if path == "/roadmap" else [])
        assert [attrs.strip() for attrs, _ in scripts] == expected, path
        assert all(body.strip() == "" for _, body in scripts)
        assert html.count("<script") == len(scripts)
        assert "<style" not in html and " style=" not in html
        assert not re.search(r'(src|href)="(https?:)?//', html), path
        assert 'href="#main"' in html  # skip link
        for landmark in ["<header", "<nav", "<main", "<footer"]:
            assert landmark in html


def test_static_files_and_health(client: TestClient) -> None:
    css = client.get("/static/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/favicon.svg").status_code == 200
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["product"] == "pocket"
    assert health["database"] in {"sqlite", "postgresql"}


def test_openapi_lists_the_json_twins_and_docs_load_nothing_from_a_cdn(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/dashboard.json", "/roadmap.json", "/healthz"} <= set(paths)
    assert "/" not in paths
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "https://" not in docs.text and "http://" not in docs.text


def test_app_without_a_workspace_fails_at_start_up(tmp_path: Path) -> None:
    app = create_app(Settings(workspace=tmp_path))
    with pytest.raises(WorkspaceError, match="no workspace"), TestClient(app):
        pass


def test_pages_answer_head_requests(client: TestClient) -> None:
    for path in ["/", "/roadmap"]:
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")


def test_only_loopback_host_names_are_answered(client: TestClient) -> None:
    # A page on another site that rebinds its name to 127.0.0.1 arrives with its own Host.
    assert client.get("/dashboard.json", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/dashboard.json", headers={"host": "localhost:8000"}).status_code == 200


def test_serve_widens_the_allowed_hosts_only_as_asked() -> None:
    from productpath.cli.serve import _allowed_hosts

    assert _allowed_hosts("localhost", "127.0.0.1") == "localhost,127.0.0.1"
    assert _allowed_hosts("localhost", "pm.internal") == "localhost,pm.internal"
    assert _allowed_hosts("localhost", "0.0.0.0") == "*"
