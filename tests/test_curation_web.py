"""Curation through the API and the web forms (no JavaScript): rename, merge, split, move,
dismiss, label kind in bulk, undo; bad input is one line and changes nothing."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from productpath.web.app import create_app
from test_curation import TOPICS, _import, _items, _run, _theme_of, _themes


def test_api_curation_and_its_log(workspace_dir: Path, tmp_path: Path) -> None:
    _import(tmp_path, [text for topic in TOPICS for text in topic])
    _run("--full")
    items = _items()
    charged, crash, dark, late = (_theme_of(items, f"c{8 * t}") for t in range(4))
    with TestClient(create_app()) as client:
        renamed = client.patch(f"/api/v1/themes/{charged}", json={"label": "Double charges"})
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["action"] == "rename" and renamed.json()["number"] == 1
        shown = client.get(f"/api/v1/themes/{charged}").json()["theme"]
        assert shown["label"] == "Double charges" and shown["label_set_by"]
        merged = client.post("/api/v1/themes/merge", json={"themes": [dark, late]})
        assert merged.status_code == 200 and merged.json()["items"] == 16
        split = client.post(f"/api/v1/themes/{crash}/split", json={"into": 2})
        assert split.status_code == 200 and len(split.json()["themes"]) == 2
        moved = client.post("/api/v1/feedback/move", json={"items": ["c1"], "theme": dark})
        assert moved.status_code == 200 and moved.json()["summary"] == f"moved 1 item to #{dark}"
        dismissed = client.post("/api/v1/feedback/dismiss", json={"items": ["c2"]})
        assert dismissed.status_code == 200
        before = client.get("/api/v1/themes").json()
        for bad, status, line in (
            (("patch", f"/api/v1/themes/{charged}", {"label": " "}), 422, "cannot be empty"),
            (("post", "/api/v1/themes/merge", {"themes": [dark, dark]}), 422, "itself"),
            (("post", "/api/v1/themes/999/split", {"into": 2}), 404, "no theme #999"),
            (("post", "/api/v1/feedback/move", {"items": ["zz"], "theme": dark}), 404, "'zz'"),
        ):
            method, url, body = bad
            answer = getattr(client, method)(url, json=body)
            assert answer.status_code == status and line in answer.text, answer.text
        assert client.get("/api/v1/themes").json() == before
        log = client.get("/api/v1/curation").json()
        assert [d["action"] for d in log] == ["rename", "merge", "split", "move", "dismiss"]
        undone = client.post("/api/v1/curation/2/undo")
        assert undone.status_code == 200, undone.text
        assert client.get("/api/v1/curation").json()[1]["undone_at"] is not None
        assert client.post("/api/v1/curation/2/undo").status_code == 422
    assert all(_theme_of(_items(), f"c{i}") == late for i in range(24, 32))


def test_web_forms_rename_merge_split_and_bulk_actions(workspace_dir: Path, tmp_path: Path) -> None:
    _import(tmp_path, [text for topic in TOPICS for text in topic])
    _run("--full")
    items = _items()
    charged, crash, dark, late = (_theme_of(items, f"c{8 * t}") for t in range(4))
    ids = {key: str(row["id"]) for key, row in items.items()}
    with TestClient(create_app()) as client:
        page = client.get(f"/themes/{charged}").text
        assert f'action="/themes/{charged}/rename"' in page and 'name="items"' in page
        sent = client.post(f"/themes/{charged}/rename", data={"label": "Double charges"},
                           follow_redirects=False)  # fmt: skip
        assert sent.status_code == 303 and sent.headers["location"] == f"/themes/{charged}"
        assert "(named by a person)" in client.get(f"/themes/{charged}").text
        client.post(f"/themes/{dark}/merge", data={"other": [str(late)]})
        assert late not in _themes()
        client.post(f"/themes/{crash}/split", data={"picked": "1", "items": [ids["c8"], ids["c9"]]})
        assert _theme_of(_items(), "c8") not in (crash, None)
        explorer = client.get("/feedback").text
        assert 'form="bulk"' in explorer and 'value="move"' in explorer
        back = client.post("/feedback/bulk", data={"action": "move", "theme": str(dark),
                           "items": [ids["c0"], ids["c3"]], "next": "/feedback?q=card"},
                           follow_redirects=False)  # fmt: skip
        assert back.status_code == 303 and back.headers["location"] == "/feedback?q=card"
        client.post("/feedback/bulk", data={"action": "dismiss", "items": [ids["c4"]]})
        client.post("/feedback/bulk", data={"action": "label", "kind": "bug",
                                            "items": [ids["c5"]]})  # fmt: skip
        now = _items()
        assert _theme_of(now, "c0") == dark and _theme_of(now, "c3") == dark
        assert _theme_of(now, "c4") is None
        assert now["c5"]["kind"] == "bug" and now["c5"]["kind_set_by"] == "person"
        for data in ({"action": "move", "items": [ids["c6"]]}, {"action": "dismiss"},
                     {"action": "explode", "items": [ids["c6"]]}):  # fmt: skip
            refused = client.post("/feedback/bulk", data=data)
            assert refused.status_code == 422, data
        offsite = client.post("/feedback/bulk", data={"action": "dismiss", "items": [ids["c7"]],
                              "next": "//evil.example/"}, follow_redirects=False)  # fmt: skip
        assert offsite.headers["location"] == "/feedback"
    assert _theme_of(_items(), "c6") == charged
