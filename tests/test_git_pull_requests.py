"""Delivery from git alone: pull requests however merged, bots apart, windows on the data.

A real repository is built with the ``git`` binary: a GitHub merge commit, a squash merge, a
rebase merge of two commits, a merge of main into a branch (no pull request), and pull
requests by two GitHub bots and by one bot the workspace names in productpath.toml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from git_fixtures import ADA, BO, Repo
from productpath.errors import WorkspaceError
from productpath.services.delivery import delivery_metrics
from productpath.services.pages.initiative_view import initiative_detail
from productpath.services.roadmap import apply_roadmap
from productpath.services.work.git import ingest_repository
from productpath.services.work.tech import code_health
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.workspace import load

DEPENDABOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
PRE_COMMIT = ("pre-commit-ci[bot]", "66853113+pre-commit-ci[bot]@users.noreply.github.com")
RENOVATE = ("Renovate Bot", "bot@renovateapp.com")


def merge(repo: Repo, branch: str, message: str) -> None:
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", branch, "-m", message)
    repo.git("branch", "-q", "-D", branch)


def build(root: Path) -> Repo:
    repo = Repo.init(root)
    repo.write("src/app.py", "print('hi')\n")
    repo.commit("Start", ADA)
    # 1: a GitHub merge commit; Ada presses the button, Bo wrote it.
    repo.git("checkout", "-q", "-b", "feature-a")
    repo.write("src/a.py", "a = 1\n")
    repo.commit("Add a", BO)
    repo.git("checkout", "-q", "main")
    merge(repo, "feature-a", "Merge pull request #1 from pocket/feature-a\n\nAdd a")
    # 2: a squash merge; 3: a rebase merge of two commits.
    repo.write("src/b.py", "b = 1\n")
    repo.commit("Add b (#2)\n\nInitiative: deps", BO)
    repo.write("src/c.py", "c = 1\n")
    repo.commit("Add c, part one (#3)", BO)
    repo.write("src/c.py", "c = 2\n")
    repo.commit("Add c, part two (#3)", BO)
    # 4, 5, 6: bots (a squash, a merge commit, one named only in productpath.toml).
    repo.write("requirements.txt", "requests==2.1\n")
    repo.commit("Bump requests from 2.0 to 2.1 (#4)\n\nInitiative: deps", DEPENDABOT)
    repo.git("checkout", "-q", "-b", "pre-commit-ci-update-config")
    repo.write(".pre-commit-config.yaml", "repos: []\n")
    repo.commit("[pre-commit.ci] pre-commit autoupdate", PRE_COMMIT)
    repo.git("checkout", "-q", "main")
    merge(repo, "pre-commit-ci-update-config", "Merge pull request #5 from pocket/pre-commit")
    repo.write("requirements.txt", "requests==2.2\n")
    repo.commit("Update dependency requests to 2.2 (#6)\n\nInitiative: deps", RENOVATE)
    # A direct commit is no pull request; nor is main merged into a branch.
    repo.write("src/app.py", "print('hello')\n")
    repo.commit("Fix a typo", ADA)
    repo.git("checkout", "-q", "-b", "feature-d")
    repo.write("src/d.py", "d = 1\n")
    repo.commit("Add d", ADA)
    repo.git("checkout", "-q", "main")
    repo.write("src/app.py", "print('hello, world')\n")
    repo.commit("Greet the world", BO)
    repo.git("checkout", "-q", "feature-d")
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", "main", "-m", "Merge branch 'main' into feature-d")
    repo.git("checkout", "-q", "main")
    merge(repo, "feature-d", "Merge pull request #7 from pocket/feature-d")
    return repo


@pytest.fixture
def bots_workspace(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    config = workspace_dir / "productpath.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[delivery]\nbots = ["renovate bot"]\n',
        encoding="utf-8",
    )
    with open_workspace() as handle:
        yield handle


def test_every_merged_pull_request_counts_once_and_bots_apart(
    bots_workspace: OpenWorkspace, tmp_path: Path
) -> None:
    repo = build(tmp_path / "repo")
    ingest_repository(bots_workspace, repo.root)
    metrics = delivery_metrics(bots_workspace, since=dt.date(2023, 11, 1))
    throughput = metrics.throughput
    # People: #1 (merge commit), #2 (squash), #3 (rebase, two commits), #7 (merge commit).
    assert (throughput.source, throughput.total, throughput.bots) == ("git_pull_requests", 4, 3)
    assert sum(week.count for week in throughput.weeks) == 4


def test_the_window_ends_on_the_datas_last_day_and_says_so(
    bots_workspace: OpenWorkspace, tmp_path: Path
) -> None:
    repo = build(tmp_path / "repo")
    ingest_repository(bots_workspace, repo.root)
    last = dt.datetime.fromtimestamp(int(repo.git("log", "-1", "--format=%ct")), dt.UTC).date()
    anchored = delivery_metrics(bots_workspace)
    assert anchored.until == last  # the history ended in 2023
    assert anchored.since == last - dt.timedelta(weeks=12, days=-1)
    assert f"the data ends on {last}" in anchored.anchor_note
    assert anchored.throughput.total == 4
    asked = delivery_metrics(bots_workspace, today=dt.date(2026, 3, 1))
    assert (asked.until, asked.anchor_note, asked.throughput.total) == (dt.date(2026, 3, 1), "", 0)


def test_bots_own_no_code_and_are_no_authors(tmp_path: Path) -> None:
    repo = build(tmp_path / "repo")
    people = {ADA[0], BO[0]}
    report = code_health(repo.root, min_commits=1, bots=["Renovate Bot"])
    assert report.authors_in_window == 2
    owners = {name for o in report.ownership for name in (o.top_author, *o.main_authors)}
    assert owners and owners <= people
    # Only bots changed the top folder: nobody owns it, rather than a bot.
    assert {o.directory for o in report.ownership} == {"src"}
    # A bot's churn is still churn: requirements.txt changed twice, by bots only.
    assert "requirements.txt" in {h.path for h in report.hotspots}
    unnamed = code_health(repo.root, min_commits=1)
    assert "Renovate Bot" in {n for o in unnamed.ownership for n in o.main_authors}


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ('[delivery]\nbots = "renovate"\n', "delivery.bots must be a list"),
        ("[delivery]\nbot = []\n", "unknown key 'delivery.bot'"),
        ("delivery = 3\n", "'delivery' must be a table"),
    ],
)
def test_a_wrong_delivery_table_is_named(tmp_path: Path, table: str, reason: str) -> None:
    (tmp_path / "productpath.toml").write_text(f'name = "x"\n{table}', encoding="utf-8")
    with pytest.raises(WorkspaceError, match=reason):
        load(tmp_path)


def test_bots_are_no_initiatives_contributors(
    bots_workspace: OpenWorkspace, tmp_path: Path
) -> None:
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(
        "version: 1\nproduct: {id: pocket, name: Pocket}\n"
        "initiatives:\n  - {id: deps, title: Keep dependencies fresh, start: 2023-01-01}\n",
        encoding="utf-8",
    )
    apply_roadmap(bots_workspace, roadmap)
    ingest_repository(bots_workspace, build(tmp_path / "repo").root)
    detail = initiative_detail(bots_workspace, "deps", today=dt.date(2023, 12, 1))
    assert len(detail.commits) == 3
    assert [(c.name, c.commits) for c in detail.contributors] == [(BO[0], 1)]
