"""Ingesting git history into the store (SQLite and PostgreSQL): incremental, all or nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from git_fixtures import (
    ADA,
    ADA_OLD,
    BO,
    SAMPLE_COMMITS,
    Repo,
    build_sample,
    copy_repo,
    loose_object_path,
)
from helpers import invoke
from productpath.errors import InputError
from productpath.ingest.git_log import History
from productpath.services.work.git import ingest_repository, list_repositories
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo
from productpath.store.models import (
    Commit,
    Contributor,
    ContributorAlias,
    FileChange,
    GitTag,
    Person,
    Repository,
    Team,
)

TABLES = (Repository, Commit, FileChange, GitTag, Contributor, ContributorAlias)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("git") / "pocket").root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Repo:
    """A private copy of the sample history, free to change."""
    return copy_repo(template, tmp_path / "pocket")


def counts(handle: OpenWorkspace) -> dict[str, int]:
    with handle.store.read() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in TABLES
        }


def test_full_ingest_stores_commits_files_tags_and_people(
    opened: OpenWorkspace, repo: Repo
) -> None:
    with opened.store.write() as session:
        product_id = product_repo.find_id(session, opened.workspace.product)
        assert product_id is not None
        team = Team(product_id=product_id, key="core", name="Core", capacity_per_week=5.0)
        session.add(team)
        session.flush()
        bo = Person(team_id=team.id, name="Bo", email="Bo@Pocket.example")
        ada = Person(team_id=team.id, name="Ada", email="ADA.OLD@home.example")
        session.add_all([bo, ada])
    report = ingest_repository(opened, repo.root)
    assert (report.mode, report.repository, report.branch) == ("full", "pocket", "main")
    assert (report.commits_added, report.merges, report.file_changes) == (SAMPLE_COMMITS, 1, 9)
    assert (report.binary_file_changes, report.tags, report.authors) == (1, 2, 3)
    assert (report.contributors_added, report.people_linked) == (3, 2)
    assert report.replaced_messages == [repo.head()]
    assert report.warnings == [
        "1 commit message not valid UTF-8, stored with replacement characters "
        f"(first: {repo.head()[:12]})"
    ]
    assert counts(opened) == {
        "repository": 1,
        "git_commit": SAMPLE_COMMITS,
        "file_change": 9,
        "git_tag": 2,
        "contributor": 3,
        "contributor_alias": 1,
    }
    with opened.store.read() as session:
        people = {c.email: (c.name, c.person_id) for c in session.scalars(select(Contributor))}
        assert people == {
            ADA[1]: (ADA[0], ada.id),  # linked through the alias e-mail
            BO[1]: (BO[0], bo.id),  # linked case-insensitively
            "chen@pocket.example": ("Chen Wu", None),
        }
        alias = session.scalars(select(ContributorAlias)).one()
        assert (alias.email, alias.name) == (ADA_OLD[1], ADA_OLD[0])
        commits = {c.subject: c for c in session.scalars(select(Commit))}
        merge = commits["Merge branch 'topic'"]
        assert merge.is_merge and len(merge.parent_shas.split()) == 2 and merge.files_changed == 0
        first = commits["Add README and app"]
        assert (first.insertions, first.deletions, first.files_changed) == (6, 0, 3)
        assert first.body == "The first version."
        assert first.author is not None and first.author.email == ADA[1]
        assert commits["Add logo"].author_id == first.author_id  # merged by the mailmap
        assert first.committed_at.utcoffset() is not None
        changes = {f.path: f for f in session.scalars(select(FileChange))}
        assert changes["src/main.py"].old_path == "src/app.py"
        assert (changes["logo.png"].insertions, changes["logo.png"].deletions) == (None, None)
        tags = {t.name: t.sha for t in session.scalars(select(GitTag))}
        assert tags == {"v0.1": repo.head("v0.1^{commit}"), "v0.2": repo.head("v0.2")}
        stored = session.scalars(select(Repository)).one()
        assert (stored.head_sha, stored.path) == (repo.head(), str(repo.root))


def test_second_run_reads_only_new_commits_then_nothing(opened: OpenWorkspace, repo: Repo) -> None:
    ingest_repository(opened, repo.root)
    old_head = repo.head()
    repo.write("src/new.py", "x = 1\n")
    repo.commit("Add new module", BO)
    repo.write("src/new.py", "x = 2\n")
    repo.commit("Change new module", ADA_OLD)
    ticks: list[int] = []
    totals: list[int] = []
    report = ingest_repository(opened, repo.root, progress=ticks.append, on_total=totals.append)
    assert (report.mode, report.previous_head, report.commits_added) == (
        "incremental",
        old_head,
        2,
    )
    assert (report.contributors_added, report.file_changes, report.warnings) == (0, 2, [])
    assert totals == [2] and ticks[-1] == 2
    before = counts(opened)
    assert before["git_commit"] == SAMPLE_COMMITS + 2
    again = ingest_repository(opened, repo.root)
    assert (again.mode, again.up_to_date, again.commits_added) == ("up-to-date", True, 0)
    assert counts(opened) == before
    # A new tag alone is picked up, with no commits to read.
    repo.git("tag", "v0.3")
    tagged = ingest_repository(opened, repo.root)
    assert (tagged.mode, tagged.commits_added, tagged.tags) == ("incremental", 0, 3)


def test_an_early_started_read_is_used_only_when_it_is_the_right_one(
    opened: OpenWorkspace, repo: Repo, tmp_path: Path
) -> None:
    extra = tmp_path / "extra.mailmap"
    extra.write_text(f"Robert <robert@pocket.example> <{BO[1]}>\n", encoding="utf-8")
    # Started with another mailmap than the ingest asks for: stopped, and a new read is made.
    wrong = History(repo.root, branch=repo.head(), mailmap=extra)
    report = ingest_repository(opened, repo.root, started=wrong)
    assert report.commits_added == SAMPLE_COMMITS
    with opened.store.read() as session:
        assert "robert@pocket.example" not in set(session.scalars(select(Contributor.email)))
    # The right one is taken over (and closed: no git left running).
    repo.commit("One more", BO)
    right = History(repo.root, branch=repo.head())
    report = ingest_repository(opened, repo.root, name="again", started=right)
    assert (report.mode, report.commits_added) == ("full", SAMPLE_COMMITS + 1)
    assert right._proc.poll() is not None and wrong._proc.poll() is not None


def test_rewritten_history_is_replaced(opened: OpenWorkspace, repo: Repo) -> None:
    ingest_repository(opened, repo.root)
    old_head = repo.head()
    repo.git("reset", "-q", "--hard", "HEAD~2")
    repo.write("CHANGELOG.md", "- rewritten\n")
    repo.commit("Rewrite the end of history", BO)
    report = ingest_repository(opened, repo.root)
    assert (report.mode, report.commits_removed, report.commits_added) == (
        "rewritten",
        SAMPLE_COMMITS,
        SAMPLE_COMMITS - 1,
    )
    assert report.warnings == [
        f"history rewritten: the stored head {old_head[:12]} is not in 'main'; "
        "its commits were replaced by a full read"
    ]
    assert counts(opened)["git_commit"] == SAMPLE_COMMITS - 1
    with opened.store.read() as session:
        shas = set(session.scalars(select(Commit.sha)))
    assert old_head not in shas and repo.head() in shas


def test_shallow_clone_is_reported(opened: OpenWorkspace, repo: Repo, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.root}", str(shallow)], check=True
    )
    boundary = (shallow / ".git" / "shallow").read_text().split()
    report = ingest_repository(opened, shallow, name="pocket-shallow")
    assert report.commits_added < SAMPLE_COMMITS
    assert [w for w in report.warnings if w.startswith("shallow")] == [
        f"shallow clone: history before {sha[:12]} is not in this clone "
        "(that commit's file changes are left out)"
        for sha in sorted(boundary)
    ]
    # The boundary commit looks parentless: git would list its whole tree as added.
    with opened.store.read() as session:
        stored = {c.sha: c.files_changed for c in session.scalars(select(Commit))}
    assert {stored[sha] for sha in boundary} == {0}


def test_missing_object_is_one_error_and_nothing_is_written(
    opened: OpenWorkspace, repo: Repo, template: Path, tmp_path: Path
) -> None:
    broken = copy_repo(template, tmp_path / "broken")
    loose_object_path(broken, broken.git("rev-parse", "HEAD~3:README.md")).unlink()
    with pytest.raises(InputError) as err:
        ingest_repository(opened, broken.root)
    assert "\n" not in str(err.value) and str(err.value).startswith(f"{broken.root}: ")
    assert set(counts(opened).values()) == {0}
    # The same on an incremental run: the earlier ingest stays exactly as it was.
    ingest_repository(opened, repo.root)
    before = counts(opened)
    repo.write("big.txt", "payload\n")
    repo.commit("Add payload", BO)
    repo.commit("Later", BO)
    loose_object_path(repo, repo.git("rev-parse", "HEAD:big.txt")).unlink()
    with pytest.raises(InputError):
        ingest_repository(opened, repo.root)
    assert counts(opened) == before
    assert [r.head_sha for r in list_repositories(opened)] == [repo.head("HEAD~2")]


def test_not_a_repository_or_branch(opened: OpenWorkspace, repo: Repo, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(InputError, match="not a git repository"):
        ingest_repository(opened, plain)
    with pytest.raises(InputError, match="unknown branch 'nope'"):
        ingest_repository(opened, repo.root, branch="nope")
    assert set(counts(opened).values()) == {0}


def test_list_repositories(opened: OpenWorkspace, repo: Repo) -> None:
    assert list_repositories(opened) == []
    ingest_repository(opened, repo.root, name="app")
    (row,) = list_repositories(opened)
    assert (row.name, row.branch, row.commits, row.contributors) == ("app", "main", 8, 3)
    assert row.first_commit_at is not None and row.last_commit_at is not None
    assert row.first_commit_at < row.last_commit_at
    assert row.as_dict()["head_sha"] == repo.head()


def test_cli_ingest_list_and_errors(workspace_dir: Path, repo: Repo, tmp_path: Path) -> None:
    assert "No repositories yet" in invoke("git", "list").stdout
    assert invoke("git", "list", "--json").stdout.strip() == "[]"
    result = invoke("git", "ingest", str(repo.root))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "Read 8 commits (1 merges), 9 file changes, 2 tags, 3 authors (3 new contributors) "
        f"from 'pocket' (main at {repo.head()[:12]})"
    )
    assert "warning: 1 commit message not valid UTF-8" in result.stderr
    again = invoke("git", "ingest", str(repo.root), "--json")
    data = json.loads(again.stdout)
    assert (data["mode"], data["commits_added"], data["head_sha"]) == (
        "up-to-date",
        0,
        repo.head(),
    )
    listed = json.loads(invoke("git", "list", "--json").stdout)
    assert [(r["name"], r["commits"], r["contributors"]) for r in listed] == [("pocket", 8, 3)]
    table = invoke("git", "list")
    assert "pocket" in table.stdout
    bad = invoke("git", "ingest", str(tmp_path))
    assert (bad.exit_code, bad.stderr) == (1, f"error: {tmp_path}: not a git repository\n")


def _noop_probe(workspace: Path, repo: Path) -> dict[str, Any]:
    probe = (
        "import sys\n"
        "from productpath.cli.main import run\n"
        f"sys.argv = ['productpath', '-w', {str(workspace)!r}, 'git', 'ingest', {str(repo)!r}]\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "heavy = {m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}\n"
        "print('HEAVY', sorted(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return {"out": done.stdout}


def test_no_op_cli_run_skips_the_heavy_imports(workspace_dir: Path, repo: Repo) -> None:
    """What keeps a no-op re-ingest under half a second: on SQLite, no SQLAlchemy at all."""
    assert invoke("git", "ingest", str(repo.root)).exit_code == 0
    out = _noop_probe(workspace_dir, repo.root)["out"]
    assert "is up to date" in out
    # On PostgreSQL the ordinary path answers: the same message, after the full imports.
    uses_postgres = bool(os.environ.get("PRODUCTPATH_DATABASE_URL"))
    assert ("HEAVY []" in out) is not uses_postgres
