"""The initiative page's score breakdown and evidence, and its JSON twin, on both databases."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from planning_fixtures import ROADMAP, seeded
from productpath.services.evidence import suggest_links
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.web import create_app


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_score_breakdown_and_evidence_on_the_page_and_its_twin(
    workspace_dir: Path, tmp_path: Path
) -> None:
    from productpath.insights.embed import HashingEmbedder

    with open_workspace() as handle:
        seeded(
            handle,
            tmp_path,
            ROADMAP.replace("themes: ['#7']", "themes: ['#7']\n    score: {effort: 8}"),
        )
        suggest_links(handle, min_score=0.1, embedder=HashingEmbedder())
    with TestClient(create_app(Settings())) as client:
        page = client.get("/initiatives/topup-retry")
        assert page.status_code == 200
        text = _text(page.text)
        assert "RICE, rank 1 of 4" in text
        assert 'Reach 3 3 customers from theme #3 "card top up failed"' in text
        assert "#3 card top up failed" in text and "6 items · sentiment -0.50" in text
        assert "6 feedback items from 3 customers, annual revenue 10,000" in text
        assert "Big big" in text  # the customer with most revenue, with its key
        assert "my card top up failed again" in text
        twin = client.get("/initiatives/topup-retry.json").json()
        assert twin["score"]["rank"] == 1 and twin["score"]["method"] == "rice"
        reach = next(t for t in twin["score"]["terms"] if t["name"] == "reach")
        assert reach == {
            "name": "reach",
            "value": 3.0,
            "source": '3 customers from theme #3 "card top up failed"',
            "origin": "evidence",
            "overridden": False,
        }
        assert twin["evidence"]["customer_count"] == 3
        assert [c["key"] for c in twin["evidence"]["customers"]] == ["big", "mid", "small"]
        assert twin["evidence"]["themes"][0]["status"] == "accepted"

        fx = client.get("/initiatives/fx-fees.json").json()
        effort = next(t for t in fx["score"]["terms"] if t["name"] == "effort")
        assert effort["overridden"] and effort["value"] == 8
        assert "set by hand" in _text(client.get("/initiatives/fx-fees").text)

        passcode = client.get("/initiatives/passcode-reset.json").json()
        suggested = [t for t in passcode["evidence"]["themes"] if t["status"] == "suggested"]
        assert suggested and suggested[0]["number"] == 9 and suggested[0]["score"] > 0.1
        assert "productpath roadmap link passcode-reset 9" in _text(
            client.get("/initiatives/passcode-reset").text
        )
        unsized = _text(client.get("/initiatives/no-estimate").text)
        assert "effort: no estimate: add one, or set score.effort" in unsized
