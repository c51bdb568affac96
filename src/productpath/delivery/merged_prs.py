"""Pull requests merged into the main line, read from git alone (no tracker export).

A pull request lands on the main line (the first-parent chain down from the branch head) in one
of three ways, and each counts once:

* a **merge commit** (``Merge pull request #12 from owner/branch``, ``Merge branch 'x'``); a
  merge that only brings the main branch into itself (``Merge branch 'main'``,
  ``Merge remote-tracking branch 'origin/master'``) is no pull request;
* a **squash merge**: one ordinary commit whose subject ends in ``(#12)``, as GitHub writes it;
* a **rebase merge**: the pull request's commits replayed on the main line; those whose subject
  ends in ``(#12)`` count as pull request 12, once.

A number seen in two forms (a merge commit and a squash with the same ``#12``) is one pull
request. Its author is the squash commit's author, or for a merge commit the author of the
merged branch's tip (the merge itself is made by whoever pressed the button); a bot author
makes it a bot's pull request (:mod:`bots`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from productpath.delivery.bots import NO_EXTRA_BOTS, Bots
from productpath.delivery.linking import merge_branch
from productpath.domain.work import CommitRecord

_NUMBER_AT_END = re.compile(r"\(#(\d+)\)\s*$")
_MERGE_PR = re.compile(r"^Merge pull request #(\d+)\b")
_MAIN_BRANCHES = {"main", "master", "trunk", "develop", "development", "default"}


@dataclass(frozen=True)
class MergedPullRequest:
    number: int | None  # None for a merge commit that names no pull request
    merged_at: dt.datetime
    commit_id: int
    author: str | None
    by_bot: bool


def mainline(commits: Sequence[CommitRecord]) -> set[str]:
    """The shas on the first-parent chain down from every head (a commit no other names).

    Records without parents (hand-made ones) are each their own head, so all count.
    """
    by_sha = {c.sha: c for c in commits}
    named = {parent for c in commits for parent in c.parents}
    found: set[str] = set()
    for head in (c.sha for c in commits if c.sha not in named):
        sha = head
        while sha in by_sha and sha not in found:
            found.add(sha)
            parents = by_sha[sha].parents
            sha = parents[0] if parents else ""
    return found


def merged_pull_requests(
    commits: Iterable[CommitRecord], bots: Bots = NO_EXTRA_BOTS
) -> list[MergedPullRequest]:
    """Every pull request merged into the main line, oldest first."""
    records = [c for c in commits if c.committed_at is not None]
    by_sha = {c.sha: c for c in records}
    main = mainline(records)
    numbered: dict[int, MergedPullRequest] = {}
    unnumbered: list[MergedPullRequest] = []
    for commit in records:
        if commit.sha not in main:
            continue
        found = _as_pull_request(commit, by_sha, bots)
        if found is None:
            continue
        if found.number is None:
            unnumbered.append(found)
        elif found.number not in numbered or found.merged_at > numbered[found.number].merged_at:
            # A rebase merge replays several commits with one number: the last one merged it.
            numbered[found.number] = found
    merged = [*numbered.values(), *unnumbered]
    merged.sort(key=lambda pr: (pr.merged_at, pr.commit_id))
    return merged


def _as_pull_request(
    commit: CommitRecord, by_sha: dict[str, CommitRecord], bots: Bots
) -> MergedPullRequest | None:
    assert commit.committed_at is not None
    if commit.is_merge or len(commit.parents) > 1:
        branch = merge_branch(commit.subject)
        if branch is not None and _is_main_branch(branch):
            return None
        number = _MERGE_PR.match(commit.subject) or _NUMBER_AT_END.search(commit.subject)
        tip = by_sha.get(commit.parents[1]) if len(commit.parents) > 1 else None
        author = tip.author if tip is not None else commit.author
    else:
        number = _NUMBER_AT_END.search(commit.subject)
        if number is None:
            return None
        author = commit.author
    return MergedPullRequest(
        number=int(number.group(1)) if number else None,
        merged_at=commit.committed_at,
        commit_id=commit.id,
        author=author,
        by_bot=bots.is_bot(author),
    )


def _is_main_branch(branch: str) -> bool:
    name = branch.casefold()
    for prefix in ("origin/", "upstream/", "refs/heads/"):
        name = name.removeprefix(prefix)
    return name in _MAIN_BRANCHES
