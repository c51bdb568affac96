"""Evidence links: roadmap.yaml's themes/feedback lists, link/unlink, suggestions, on both
databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import invoke
from planning_fixtures import ROADMAP, seed, seeded
from productpath.errors import NotFoundError, RoadmapError
from productpath.insights.embed import HashingEmbedder
from productpath.services.evidence import accept_suggested_links, link, suggest_links, unlink
from productpath.services.roadmap import apply_roadmap, export_roadmap, load_roadmap


def _initiative(handle: Any, key: str) -> Any:
    doc = load_roadmap(handle)
    assert doc is not None
    return next(i for i in doc.initiatives if i.id == key)


def test_yaml_themes_become_accepted_links_and_export_back(opened: Any, tmp_path: Path) -> None:
    path = seeded(opened, tmp_path)
    assert _initiative(opened, "fx-fees").themes == (7,)
    exported = export_roadmap(opened)
    assert "themes: [7]" in exported
    path.write_text(exported, encoding="utf-8")
    assert apply_roadmap(opened, path).is_empty


def test_link_and_unlink_themes_and_feedback_items(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    assert link(opened, "passcode-reset", ["#9", "app:3-0", "9"]) == 2
    assert link(opened, "passcode-reset", ["9"]) == 0  # already accepted
    spec = _initiative(opened, "passcode-reset")
    assert spec.themes == (9,) and spec.feedback == ("app:3-0",)
    assert unlink(opened, "passcode-reset", ["#9"]) == 1
    assert _initiative(opened, "passcode-reset").themes == ()


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (["#42"], "no theme #42"),
        (["app:nope"], "no feedback item 'app:nope'"),
        (["banana"], "neither a theme number"),
    ],
)
def test_linking_to_what_does_not_exist_is_one_clear_error(
    opened: Any, tmp_path: Path, targets: list[str], message: str
) -> None:
    seeded(opened, tmp_path)
    with pytest.raises(NotFoundError, match=message):
        link(opened, "fx-fees", targets)
    with pytest.raises(NotFoundError, match="no initiative 'ghost'"):
        link(opened, "ghost", ["3"])


def test_applying_a_link_to_a_missing_theme_names_file_line_and_field(
    opened: Any, tmp_path: Path
) -> None:
    seed(opened)
    path = tmp_path / "roadmap.yaml"
    path.write_text(ROADMAP.replace("themes: ['#7']", "themes: ['#7', 8]"), encoding="utf-8")
    with pytest.raises(RoadmapError) as caught:
        apply_roadmap(opened, path)
    assert caught.value.line == 11
    assert caught.value.field == "initiatives[1].themes[1]"
    assert "no theme #8" in str(caught.value)
    assert load_roadmap(opened) is None  # nothing written


def test_suggestions_rank_the_matching_theme_first_and_accept_on_request(
    opened: Any, tmp_path: Path
) -> None:
    seeded(opened, tmp_path)
    report = suggest_links(opened, min_score=0.1, embedder=HashingEmbedder())
    best = {}
    for s in report.suggestions:
        best.setdefault(s.initiative, s)
    assert best["fx-fees"].theme == 7 and best["fx-fees"].accepted
    assert best["passcode-reset"].theme == 9 and not best["passcode-reset"].accepted
    assert all(s.score >= 0.1 for s in report.suggestions)
    assert report.embedder == HashingEmbedder.name
    # Suggestions are not accepted evidence: the roadmap does not list them.
    assert _initiative(opened, "passcode-reset").themes == ()
    accepted = accept_suggested_links(opened, best["passcode-reset"].score)
    assert accepted >= 1
    assert 9 in _initiative(opened, "passcode-reset").themes


def test_suggestions_need_themes(opened: Any, tmp_path: Path) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_text("product: {id: pocket, name: P}\ninitiatives: [{id: a, title: A}]\n")
    apply_roadmap(opened, path)
    with pytest.raises(NotFoundError, match="insights run"):
        suggest_links(opened)


def test_link_and_suggest_links_cli(workspace_dir: Path, tmp_path: Path) -> None:
    from productpath.services.workspace import open_workspace

    with open_workspace() as handle:
        seeded(handle, tmp_path)
    result = invoke("roadmap", "link", "passcode-reset", "#9")
    assert result.exit_code == 0 and "Linked 1 new piece of evidence" in result.stdout
    data = json.loads(invoke("roadmap", "suggest-links", "--min-score", "0.2", "--json").stdout)
    assert data["embedder"] == HashingEmbedder.name
    assert {"initiative", "theme", "label", "score", "accepted"} <= set(data["suggestions"][0])
    bad = invoke("roadmap", "link", "fx-fees", "#99")
    assert bad.exit_code == 1
    assert bad.stderr.strip().splitlines() == [bad.stderr.strip()]
    assert "no theme #99" in bad.stderr
