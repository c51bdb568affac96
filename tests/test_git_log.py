"""Reading git history as plain records (ingest.git_log): no database, real repositories."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from git_fixtures import (
    ADA,
    ADA_OLD,
    BASE,
    BO,
    CHEN,
    SAMPLE_COMMITS,
    Repo,
    build_sample,
    copy_repo,
    loose_object_path,
)
from productpath.errors import InputError
from productpath.ingest.git_log import (
    FileStat,
    GitCommitRecord,
    History,
    count_commits,
    is_ancestor,
    read_history,
    read_tags,
    resolve_branch,
    shallow_commits,
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return build_sample(tmp_path_factory.mktemp("git") / "pocket")


@pytest.fixture(scope="module")
def history(sample: Repo) -> list[GitCommitRecord]:
    return list(read_history(sample.root))


def test_history_is_oldest_first_with_plain_fields(
    sample: Repo, history: list[GitCommitRecord]
) -> None:
    assert len(history) == SAMPLE_COMMITS
    assert [c.subject for c in history] == [
        "Add README and app",
        "Add logo",
        "Rename app to main",
        "Reword README",
        "Add feature",
        "Merge branch 'topic'",
        "Café menu",
        "Broken \ufffd\ufffd bytes",
    ]
    first = history[0]
    assert first.parents == ()
    assert first.body == "The first version."
    assert first.authored_at == dt.datetime.fromtimestamp(BASE + 3600, tz=dt.UTC)
    assert first.committed_at.tzinfo is dt.UTC
    assert (first.author_name, first.author_email) == ADA
    assert {f.path: (f.insertions, f.deletions) for f in first.files} == {
        ".mailmap": (1, 0),
        "README.md": (3, 0),
        "src/app.py": (2, 0),
    }
    assert history[-1].sha == sample.head()
    # Parents always come before their children.
    seen: set[str] = set()
    for commit in history:
        assert set(commit.parents) <= seen
        seen.add(commit.sha)


def test_merges_renames_and_binary_files(history: list[GitCommitRecord]) -> None:
    by_subject = {c.subject: c for c in history}
    merge = by_subject["Merge branch 'topic'"]
    assert merge.is_merge and len(merge.parents) == 2 and merge.files == ()
    assert not by_subject["Add feature"].is_merge
    assert by_subject["Rename app to main"].files == (
        FileStat(path="src/main.py", old_path="src/app.py", insertions=0, deletions=0),
    )
    assert by_subject["Add logo"].files == (
        FileStat(path="logo.png", old_path=None, insertions=None, deletions=None),
    )
    assert by_subject["Reword README"].files == (FileStat("README.md", None, 1, 1),)


def test_mailmap_gives_the_canonical_identity_and_keeps_the_raw_one(
    history: list[GitCommitRecord],
) -> None:
    logo = history[1]
    assert (logo.author_name, logo.author_email) == ADA
    assert (logo.raw_author_name, logo.raw_author_email) == ADA_OLD
    assert (history[2].author_name, history[2].raw_author_email) == (BO[0], BO[1])


def test_an_extra_mailmap_file_applies_on_top(sample: Repo, tmp_path: Path) -> None:
    extra = tmp_path / "people.mailmap"
    extra.write_text(f"Bo S. <bo@team.example> <{BO[1]}>\n", encoding="utf-8")
    bo = [c for c in read_history(sample.root, mailmap=extra) if c.raw_author_email == BO[1]]
    assert {(c.author_name, c.author_email) for c in bo} == {("Bo S.", "bo@team.example")}
    with pytest.raises(InputError, match="mailmap file not found"):
        list(read_history(sample.root, mailmap=tmp_path / "missing"))


def test_messages_in_other_encodings(history: list[GitCommitRecord]) -> None:
    declared, undeclared = history[-2], history[-1]
    # Declared latin-1 (i18n.commitEncoding): git re-encodes it, nothing is lost.
    assert (declared.subject, declared.message_replaced) == ("Café menu", False)
    # Raw bytes with no declared encoding: replaced and flagged.
    assert undeclared.message_replaced
    assert undeclared.body == "body \ufffd"
    assert (undeclared.author_name, undeclared.author_email) == CHEN
    assert not any(c.message_replaced for c in history[:-1])


def test_since_reads_only_newer_commits(sample: Repo, history: list[GitCommitRecord]) -> None:
    reword = next(c for c in history if c.subject == "Reword README")
    newer = list(read_history(sample.root, since_sha=reword.sha))
    # The merge brings in "Add feature", which is not reachable from "Reword README".
    assert [c.subject for c in newer] == [
        "Add feature",
        "Merge branch 'topic'",
        "Café menu",
        "Broken \ufffd\ufffd bytes",
    ]
    assert count_commits(sample.root, f"{reword.sha}..HEAD") == len(newer)
    assert list(read_history(sample.root, since_sha=sample.head())) == []


def test_tags_are_peeled_to_commits(sample: Repo, history: list[GitCommitRecord]) -> None:
    tags = read_tags(sample.root)
    assert [(t.name, t.sha) for t in tags] == [("v0.1", history[2].sha), ("v0.2", history[5].sha)]
    # Annotated: the tagger's date (the tag was made at the rename's time); lightweight: the
    # commit's date.
    assert tags[0].tagged_at == dt.datetime.fromtimestamp(BASE + 3 * 3600, tz=dt.UTC)
    assert tags[1].tagged_at == history[5].committed_at


def test_resolve_branch(sample: Repo, tmp_path: Path) -> None:
    assert resolve_branch(sample.root, None) == ("main", sample.head())
    assert resolve_branch(sample.root, "v0.1") == ("v0.1", sample.head("v0.1^{commit}"))
    with pytest.raises(InputError, match="unknown branch 'nope'"):
        resolve_branch(sample.root, "nope")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(InputError, match="not a git repository") as err:
        resolve_branch(plain, None)
    assert str(err.value) == f"{plain}: not a git repository"
    with pytest.raises(InputError, match="no such folder"):
        resolve_branch(tmp_path / "missing", None)
    empty = Repo.init(tmp_path / "empty")
    with pytest.raises(InputError, match="no commits yet"):
        resolve_branch(empty.root, None)


def test_ancestry(sample: Repo, history: list[GitCommitRecord]) -> None:
    assert is_ancestor(sample.root, history[0].sha, sample.head())
    assert not is_ancestor(sample.root, sample.head(), history[0].sha)
    assert not is_ancestor(sample.root, "0" * 40, sample.head())


def test_odd_paths_survive_the_nul_separated_format(tmp_path: Path) -> None:
    repo = Repo.init(tmp_path / "odd")
    names = ["with space.txt", "tab\there.txt", "new\nline.txt", "ünïcode/ファイル.md", "1\t2"]
    for name in names:
        repo.write(name, "x\n")
    repo.commit("odd names")
    repo.git("mv", "with space.txt", "moved space.txt")
    repo.commit("\x01 starts with the record marker\n\n0\t0\tnot a file")
    first, second = read_history(repo.root)
    assert sorted(f.path for f in first.files) == sorted(names)
    assert second.files == (FileStat("moved space.txt", "with space.txt", 0, 0),)
    assert second.body == "0\t0\tnot a file"


def test_a_missing_object_is_one_input_error(sample: Repo, tmp_path: Path) -> None:
    repo = copy_repo(sample.root, tmp_path / "broken")
    blob = repo.git("rev-parse", "HEAD~2:README.md")
    loose_object_path(repo, blob).unlink()
    with pytest.raises(InputError) as err:
        list(read_history(repo.root))
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{repo.root}: ")
    assert blob in message or "unable to read" in message or "bad object" in message


def test_shallow_clone_boundary(sample: Repo, tmp_path: Path) -> None:
    assert shallow_commits(sample.root) == []
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{sample.root}", str(shallow)], check=True
    )
    boundary = shallow_commits(shallow)
    assert len(boundary) >= 1
    records = list(read_history(shallow))
    assert {c.sha for c in records} >= set(boundary)


def test_stopping_early_leaves_no_git_running(sample: Repo) -> None:
    history = History(sample.root)
    assert next(iter(history)).subject == "Add README and app"
    history.close()
    assert history._proc.returncode is not None  # git was stopped and reaped


def test_a_missing_head_commit_is_named(sample: Repo, tmp_path: Path) -> None:
    repo = copy_repo(sample.root, tmp_path / "headless")
    head = repo.head()
    loose_object_path(repo, head).unlink()
    with pytest.raises(InputError, match=f"cannot read commit {head} of 'main'"):
        resolve_branch(repo.root, None)
