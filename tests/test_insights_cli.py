"""insights run, themes list/show through the CLI, and the theme pages (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from helpers import invoke

TEXTS = ["my card was declined at the shop", "the shop declined my card",
         "how do i change my pin number", "change the pin number please",
         "refund my order please", "i want a refund for my order"] * 3  # fmt: skip


def _import(tmp_path: Path) -> None:
    path = tmp_path / "fb.csv"
    rows = [f'{i},"{t}",2026-0{1 + i % 6}-1{i % 9}' for i, t in enumerate(TEXTS)]
    path.write_text("id,text,created\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("feedback", "import", str(path), "--text-column", "text", "--id-column",
                    "id", "--date-column", "created")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_empty_workspace_is_one_line(workspace_dir: Path) -> None:
    result = invoke("insights", "run", "--embedder", "hashing")
    assert result.exit_code == 0
    assert result.stdout.startswith("No feedback to analyse yet")
    assert "No feedback yet" in invoke("themes", "list").stdout
    assert json.loads(invoke("themes", "list", "--json").stdout)["themes"] == []


def test_run_list_show_and_pages(workspace_dir: Path, tmp_path: Path) -> None:
    _import(tmp_path)
    result = invoke("insights", "run", "--embedder", "hashing", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["mode"] == "full" and report["items"] == 18 and report["themes"] >= 1
    text = invoke("insights", "run", "--embedder", "hashing").stdout
    assert text.startswith("Updated 18 items (0 analysed")
    listing = json.loads(invoke("themes", "list", "--json").stdout)
    first = listing["themes"][0]
    assert {"number", "label", "size", "share", "mean_sentiment", "trend", "emerging",
            "evidence", "top_customers", "top_segments"} <= first.keys()  # fmt: skip
    assert f"#{first['number']}" in invoke("themes", "list").stdout
    # Who is asking is shown where there is room for it, and left to --json where there is not.
    wide = invoke("themes", "list", runner=CliRunner(env={"COLUMNS": "160"})).stdout
    narrow = invoke("themes", "list", runner=CliRunner(env={"COLUMNS": "80"})).stdout
    assert "top customers" in wide and "top customers" not in narrow
    shown = json.loads(invoke("themes", "show", f"#{first['number']}", "--json").stdout)
    assert shown["theme"]["number"] == first["number"] and shown["quotes"]
    assert "Quotes" in invoke("themes", "show", str(first["number"])).stdout
    missing = invoke("themes", "show", "999")
    assert missing.exit_code == 1 and missing.stderr.startswith("error: no theme #999")
    bad = invoke("themes", "show", "abc")
    assert bad.exit_code == 1 and "not a theme number" in bad.stderr

    from productpath.web.app import create_app

    with TestClient(create_app()) as client:
        page = client.get("/themes")
        assert page.status_code == 200 and 'class="sparkline"' in page.text
        assert client.get("/themes.json").json() == listing
        detail = client.get(f"/themes/{first['number']}")
        assert detail.status_code == 200 and first["label"].split(" · ")[0] in detail.text
        assert client.get(f"/themes/{first['number']}.json").json() == shown
        assert client.get("/themes/999").status_code == 404
        assert 'href="/themes"' in client.get("/").text


def test_a_future_date_is_flagged_and_left_out_of_trends(
    workspace_dir: Path, tmp_path: Path
) -> None:
    _import(tmp_path)
    path = tmp_path / "typo.csv"
    path.write_text("id,text,created\nf1,My card was declined,2099-01-01\n", encoding="utf-8")
    imported = invoke("feedback", "import", str(path), "--text-column", "text", "--id-column",
                      "id", "--date-column", "created")  # fmt: skip
    assert imported.exit_code == 0
    assert imported.stderr == (
        f"warning: {path}:2, field 'created': dated 2099-01-01, after today; trends leave out "
        "the 1 new item dated after today\n"
    )
    run = invoke("insights", "run", "--embedder", "hashing")
    assert "1 item dated after today left out of trends." in run.stdout.splitlines()
    listing = json.loads(invoke("themes", "list", "--json").stdout)
    assert listing["as_of"] == "2026-06-18"  # the newest date of TEXTS, not 2099
    # One ratio: the list's trend is the evidence's ratio, wherever it can be said.
    assert all(t["trend"] == t["evidence"]["ratio"] for t in listing["themes"])


def test_a_single_item_makes_no_theme_and_says_why(workspace_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("text\nMy card was declined\n", encoding="utf-8")
    assert invoke("feedback", "import", str(path), "--text-column", "text").exit_code == 0
    run = invoke("insights", "run", "--embedder", "hashing")
    assert run.stdout.splitlines()[:2] == [
        "Re-clustered 1 item (1 analysed, 1 embedded with hashing-tf-rp256-v2): 0 themes "
        "(0 new), 1 item unassigned.",
        "note: too few items to find themes: need at least 3",
    ]
    listing = invoke("themes", "list", runner=CliRunner(env={"COLUMNS": "200"})).stdout
    assert listing == (
        "No themes in the 1 analysed item: a theme needs at least 3 items that are alike.\n"
    )
    from productpath.web.app import create_app

    with TestClient(create_app()) as client:
        page = client.get("/themes").text
    assert "No themes in the 1 analysed feedback item: a theme needs at least 3 items" in page


def test_the_embedder_is_chosen_by_the_service() -> None:
    from productpath.errors import InputError
    from productpath.insights.embed import HashingEmbedder
    from productpath.services.insights import choose_embedder

    embedder, note = choose_embedder("hashing")
    assert isinstance(embedder, HashingEmbedder) and note == ""
    with pytest.raises(InputError, match="unknown embedder 'bert'") as caught:
        choose_embedder("bert")
    assert caught.value.field == "--embedder"
