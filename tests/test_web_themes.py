"""The theme pages before any analysis: they say how to start one (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient


def test_pages_before_the_first_run(workspace_dir: Path) -> None:
    from productpath.web.app import create_app

    with TestClient(create_app()) as client:
        page = client.get("/themes")
        assert page.status_code == 200 and "No themes yet" in page.text
        assert "productpath insights run" in page.text
        data = client.get("/themes.json").json()
        assert data["themes"] == [] and data["run"] is None and data["items"] == 0
        assert client.get("/themes/1").status_code == 404
        assert client.get("/themes/1.json").status_code == 404


def test_a_theme_that_is_not_a_number_is_not_found(workspace_dir: Path) -> None:
    from productpath.web.app import create_app

    with TestClient(create_app()) as client:
        for path in (
            "/themes/abc",
            "/themes/abc.json",
            "/themes/1x",
            "/themes/-1",
            "/themes/%C2%B2",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
        assert "Page not found" in client.get("/themes/abc").text
