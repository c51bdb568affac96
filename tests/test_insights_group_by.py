"""insights run --group-by: themes found within each repository, source or segment."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from helpers import invoke
from productpath.insights.facets import assign_within, discover_within, repo_of, theme_facets

TOPICS = [
    ["app crashes on startup", "crash on startup after update", "startup crash every time"],
    ["add a dark theme option", "please add dark theme", "dark theme for the editor"],
    ["login fails with sso", "sso login fails", "cannot login with sso"],
]


def _rows(repo: str, start: int, copies: int = 2) -> list[str]:
    texts = [text for topic in TOPICS for text in topic] * copies
    return [
        f'github:{repo}#{start + i},"{text}",2026-03-0{1 + i % 9}' for i, text in enumerate(texts)
    ]


def _import(tmp_path: Path, name: str, rows: list[str]) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text("id,text,created\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("feedback", "import", str(path), "--text-column", "text", "--id-column",
                    "id", "--date-column", "created", "--source", "issues")  # fmt: skip
    assert result.exit_code == 0, result.output


def _repos_per_theme() -> dict[int, set[str]]:
    items = json.loads(invoke("feedback", "list", "--json").stdout)
    found: dict[int, set[str]] = {}
    for item in items:
        if item["theme_id"] is not None:
            found.setdefault(item["theme_id"], set()).add(repo_of(item["external_id"]))
    return found


def test_group_by_repo_finds_themes_within_each_and_later_runs_keep_it(
    workspace_dir: Path, tmp_path: Path
) -> None:
    _import(tmp_path, "both", _rows("acme/app", 1) + _rows("acme/cli", 1))
    run = json.loads(invoke("insights", "run", "--embedder", "hashing", "--json").stdout)
    assert run["group_by"] == ""
    # Across repositories, the same topic in both is one theme.
    assert any(len(repos) == 2 for repos in _repos_per_theme().values())

    run = json.loads(
        invoke("insights", "run", "--embedder", "hashing", "--group-by", "repo", "--json").stdout
    )
    assert run["mode"] == "full" and run["group_by"] == "repo"
    assert "found afresh within each repo" in run["note"]
    per_theme = _repos_per_theme()
    assert len(per_theme) >= 4 and all(len(repos) == 1 for repos in per_theme.values())
    assert {repo for repos in per_theme.values() for repo in repos} == {"acme/app", "acme/cli"}

    # New items join only their own repository's themes, without --group-by again.
    _import(tmp_path, "more", _rows("acme/cli", 100, copies=1))
    text = invoke("insights", "run", "--embedder", "hashing").stdout
    assert text.startswith("Updated") and "within each repo" in text
    assert all(len(repos) == 1 for repos in _repos_per_theme().values())

    run = json.loads(
        invoke("insights", "run", "--embedder", "hashing", "--group-by", "none", "--json").stdout
    )
    assert run["mode"] == "full" and run["group_by"] == ""
    assert any(len(repos) == 2 for repos in _repos_per_theme().values())


def test_an_unknown_facet_is_one_line(workspace_dir: Path) -> None:
    result = invoke("insights", "run", "--embedder", "hashing", "--group-by", "colour")
    assert result.exit_code != 0 and "colour" in result.output


def test_repository_of_an_external_id() -> None:
    assert repo_of("github:pytest-dev/pytest#12") == "pytest-dev/pytest"
    assert repo_of("pytest-dev/pytest#12") == "pytest-dev/pytest"
    assert repo_of("jira:ABC-1") == "" and repo_of("42") == "" and repo_of("a/b/c#1") == ""


def test_themes_stay_within_a_group_and_new_rows_join_their_own() -> None:
    rng = np.random.default_rng(0)
    centre = rng.normal(size=16)
    rows = centre + 0.05 * rng.normal(size=(40, 16))
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    groups = ["a"] * 20 + ["b"] * 20
    found = discover_within(rows, groups, seed=0, threshold=0.45)
    assert set(found.labels[:20]).isdisjoint(found.labels[20:])
    facets = theme_facets(found.labels.tolist(), groups)
    owners = [facets[i] for i in range(found.centroids.shape[0])]
    labels, _ = assign_within(rows[:2], ["b", "c"], found.centroids, owners, 0.45)
    assert owners[int(labels[0])] == "b" and labels[1] == -1


def test_group_by_source_and_segment(workspace_dir: Path, tmp_path: Path) -> None:
    texts = [text for topic in TOPICS for text in topic] * 2
    for source in ("survey", "support"):
        path = tmp_path / f"{source}.csv"
        rows = [f'{source}{i},"{text}"' for i, text in enumerate(texts)]
        path.write_text("id,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
        result = invoke("feedback", "import", str(path), "--text-column", "text",
                        "--id-column", "id", "--source", source)  # fmt: skip
        assert result.exit_code == 0, result.output
    run = json.loads(
        invoke("insights", "run", "--embedder", "hashing", "--group-by", "source", "--json").stdout
    )
    assert run["group_by"] == "source"
    items = json.loads(invoke("feedback", "list", "--json").stdout)
    sources: dict[int, set[str]] = {}
    for item in items:
        if item["theme_id"] is not None:
            sources.setdefault(item["theme_id"], set()).add(item["source"])
    assert len(sources) >= 4 and all(len(found) == 1 for found in sources.values())
    # No item has a customer, so no segment: all of them are one group, as without grouping.
    run = json.loads(
        invoke("insights", "run", "--embedder", "hashing", "--group-by", "segment", "--json").stdout
    )
    assert run["group_by"] == "segment" and run["mode"] == "full" and run["themes"] >= 3
