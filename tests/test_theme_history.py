"""/api/v1/themes/{number}/history and the theme page's history: the curation decisions that
touched a theme, newest first, undos included (SQLite, PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from productpath.web.app import create_app
from test_curation import TOPICS, _import, _items, _ok, _run, _theme_of


def test_a_theme_s_history_lists_its_curation_decisions(
    workspace_dir: Path, tmp_path: Path
) -> None:
    _import(tmp_path, [text for topic in TOPICS for text in topic])
    _run("--full")
    items = _items()
    charged, crash, dark, late = (_theme_of(items, f"c{8 * t}") for t in range(4))
    c1 = items["c1"]["id"]
    with TestClient(create_app()) as client:
        url = f"/api/v1/themes/{charged}/history"
        assert client.get(url).json() == []
        old = client.get(f"/api/v1/themes/{charged}").json()["theme"]["label"]
        client.patch(f"/api/v1/themes/{charged}", json={"label": "Double charges"})
        client.post("/api/v1/themes/merge", json={"themes": [dark, late]})
        client.post("/api/v1/feedback/move", json={"items": ["c1"], "theme": dark})
        _ok("themes", "rename", str(charged), "Charged twice")
        client.post("/api/v1/curation/1/undo")

        history = client.get(url).json()
        assert [(h["action"], h["field"], h["before"], h["after"], h["via"]) for h in history] == [
            ("undo", "label", "Double charges", old, "api"),
            ("rename", "label", "Double charges", "Charged twice", "cli"),
            ("move", "members", [c1], None, "api"),
            ("rename", "label", old, "Double charges", "api"),
        ]
        assert {"at", "actor", "via", "field", "before", "after"} <= set(history[0])
        assert history[1]["actor"] == "cli" and history[3]["decision"] == 1
        assert [h["at"] for h in history] == sorted((h["at"] for h in history), reverse=True)

        merged = [(h["field"], h["before"], h["after"]) for h in client.get(
            f"/api/v1/themes/{late}/history").json()]  # fmt: skip
        assert merged == [("merged", sorted([dark, late]), dark)]
        assert (
            client.get(f"/api/v1/themes/{dark}/history", params={"limit": 1}).json()[0]["field"]
            == "members"
        )
        assert client.get(f"/api/v1/themes/{crash}/history").json() == []
        missing = client.get("/api/v1/themes/999/history")
        assert missing.status_code == 404 and "no theme #999" in missing.text

        page = client.get(f"/themes/{charged}").text
        assert 'id="history"' in page and "Charged twice" in page and "via cli" in page
