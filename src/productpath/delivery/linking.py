"""Which initiative each commit and tracker item delivers, and the rule that says so.

Rules, strongest first (a piece of work linked to one initiative by several rules keeps the
strongest; it may link to several initiatives):

``trailer``      a line ``Initiative: KEY`` in a commit's body (``Initiatives:`` too; several keys
                 separated by commas or spaces).
``message_key``  the key in an explicit form in a commit's subject: ``[KEY]`` anywhere,
                 ``(KEY)`` anywhere (so ``feat(KEY): ...``), or ``KEY:`` at the very start.
``pr_title``     the same explicit forms in a pull request's title (a tracker item's title, or
                 the first body line of a GitHub "Merge pull request #n" commit).
``branch``       the key as whole ``/``- or ``-``-separated segments of a branch name: a pull
                 request's head branch, or the branch a merge commit names ("Merge branch 'x'",
                 "Merge pull request #n from owner/x", "Merged in x"). ``feature/kyc-lite-form``
                 names ``kyc-lite`` (and not ``kyc`` as well, when both are keys: the longer match
                 wins where they overlap). The commits of a merged branch get the initiatives its
                 merge commit links by branch or pull request title, with this rule too.
``epic``         the item's parent is one of the initiative's ``work.epics``, or the item is one.
``label``        the item carries one of the initiative's ``work.labels``.

Keys, epics and labels match ignoring case. A key merely appearing in prose ("fix the kyc
form") links nothing: short keys are ordinary words too often.

The rules that find a key among other words (message_key, pr_title, branch) link only work
dated on or after the initiative's ``since`` day (its planned start, else the day it was
added): a key is a word, and a 2016 branch ``docs/cleanup`` is not the work of a 2026
initiative ``docs``. A trailer says ``Initiative:`` in so many words, and epics and labels are
mapped by hand, so they link whatever the date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from productpath.domain.work import MANUAL, CommitRecord, InitiativeRefs, ItemRecord

TRAILER = "trailer"
MESSAGE_KEY = "message_key"
PR_TITLE = "pr_title"
BRANCH = "branch"
EPIC = "epic"
LABEL = "label"
# Strongest first; manual links are made by people and always win.
RULES = (MANUAL, TRAILER, MESSAGE_KEY, PR_TITLE, BRANCH, EPIC, LABEL)
_STRENGTH = {rule: n for n, rule in enumerate(RULES)}

WorkKind = Literal["commit", "item"]

_BRACKETED = re.compile(r"\[\s*([^\[\]\s]+)\s*\]|\(\s*([^()\s]+)\s*\)")
_LEADING = re.compile(r"^\s*([^\s:\[\]()]+):")
_TRAILER = re.compile(r"^[ \t]*initiatives?[ \t]*:[ \t]*(.+?)[ \t]*$", re.IGNORECASE | re.MULTILINE)
_MERGE_BRANCH = (
    re.compile(r"^Merge (?:remote-tracking )?branch '([^']+)'"),
    re.compile(r"^Merge pull request #\d+ from [^/\s]+/(\S+)"),
    re.compile(r"^Merged in (\S+)"),
)
_SEGMENT = re.compile(r"[/-]+")


@dataclass(frozen=True, order=True)
class Link:
    kind: WorkKind
    work_id: int
    initiative: str
    rule: str
    ref: str = field(default="", compare=False)  # the sha or tracker key, for people to read


def merge_branch(subject: str) -> str | None:
    """The branch a merge commit's subject names, or None when it names none."""
    for pattern in _MERGE_BRANCH:
        match = pattern.match(subject)
        if match:
            return match.group(1)
    return None


class _Keys:
    """Initiative keys looked up in the forms the rules accept, independent of how many."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.exact: dict[str, list[str]] = {}
        self.segments: dict[tuple[str, ...], list[str]] = {}
        for key in sorted(set(keys)):
            self.exact.setdefault(key.casefold(), []).append(key)
            parts = _segments(key)
            if parts:
                self.segments.setdefault(parts, []).append(key)
        self.longest = max((len(p) for p in self.segments), default=0)

    def explicit(self, text: str) -> set[str]:
        """Keys written as [KEY], (KEY) or a leading KEY: in ``text``."""
        found: set[str] = set()
        for match in _BRACKETED.finditer(text):
            found.update(self.exact.get((match.group(1) or match.group(2)).casefold(), ()))
        leading = _LEADING.match(text)
        if leading:
            found.update(self.exact.get(leading.group(1).casefold(), ()))
        return found

    def trailer(self, body: str) -> set[str]:
        found: set[str] = set()
        for match in _TRAILER.finditer(body):
            for word in re.split(r"[,\s]+", match.group(1)):
                found.update(self.exact.get(word.casefold(), ()))
        return found

    def in_branch(self, branch: str) -> set[str]:
        words = _segments(branch)
        spans: list[tuple[int, int, str]] = []
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + self.longest) + 1):
                for key in self.segments.get(words[start:end], ()):
                    spans.append((start, end, key))
        # Where one match lies inside a longer one (kyc inside kyc-lite), keep the longer.
        return {
            key
            for start, end, key in spans
            if not any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)
        }


def _segments(text: str) -> tuple[str, ...]:
    return tuple(part for part in _SEGMENT.split(text.casefold()) if part)


def link_work(
    initiatives: Sequence[InitiativeRefs],
    commits: Iterable[CommitRecord],
    items: Iterable[ItemRecord],
) -> list[Link]:
    """Every automatic link, one per (work, initiative) with its strongest rule, sorted."""
    keys = _Keys(i.key for i in initiatives)
    by_epic = _mapped((i.key, i.epics) for i in initiatives)
    by_label = _mapped((i.key, i.labels) for i in initiatives)
    since = {i.key: i.since for i in initiatives if i.since is not None}
    best: dict[tuple[WorkKind, int, str], tuple[str, str]] = {}

    def dated(found: Iterable[str], when: dt.datetime | None) -> set[str]:
        """The initiatives in ``found`` whose text rules may link work done at ``when``."""
        if when is None:
            return set(found)
        return {key for key in found if key not in since or when.date() >= since[key]}

    def add(kind: WorkKind, work_id: int, ref: str, found: Iterable[str], rule: str) -> None:
        for initiative in found:
            slot = (kind, work_id, initiative)
            if slot not in best or _STRENGTH[rule] < _STRENGTH[best[slot][0]]:
                best[slot] = (rule, ref)

    graph: dict[str, tuple[list[int], tuple[str, ...]]] = {}
    merges: list[tuple[str, set[str]]] = []
    for commit in commits:
        when = commit.committed_at
        add("commit", commit.id, commit.sha, keys.trailer(commit.body), TRAILER)
        add(
            "commit", commit.id, commit.sha, dated(keys.explicit(commit.subject), when), MESSAGE_KEY
        )
        merged: set[str] = set()
        branch = merge_branch(commit.subject)
        if branch:
            merged = dated(keys.in_branch(branch), when)
            add("commit", commit.id, commit.sha, merged, BRANCH)
        title = pull_request_title(commit)
        if title:
            by_title = dated(keys.explicit(title), when)
            add("commit", commit.id, commit.sha, by_title, PR_TITLE)
            merged |= by_title
        graph.setdefault(commit.sha, ([], commit.parents))[0].append(commit.id)
        if merged and len(commit.parents) > 1:
            merges.append((commit.sha, merged))
    for commit_id, sha, found in _branch_commits(graph, merges):
        add("commit", commit_id, sha, found, BRANCH)
    for item in items:
        opened = item.opened_at
        if item.is_pull_request:
            add("item", item.id, item.key, dated(keys.explicit(item.title), opened), PR_TITLE)
        if item.branch:
            add("item", item.id, item.key, dated(keys.in_branch(item.branch), opened), BRANCH)
        epics = {item.key.casefold()}
        if item.parent_key:
            epics.add(item.parent_key.casefold())
        add("item", item.id, item.key, _lookup(by_epic, epics), EPIC)
        labels = (label.casefold() for label in item.labels)
        add("item", item.id, item.key, _lookup(by_label, labels), LABEL)
    return sorted(
        Link(kind, work_id, initiative, rule, ref)
        for (kind, work_id, initiative), (rule, ref) in best.items()
    )


def pull_request_title(commit: CommitRecord) -> str | None:
    """The pull request's title in a GitHub merge commit: the first line of its body."""
    if not _MERGE_BRANCH[1].match(commit.subject):
        return None
    lines = [line.strip() for line in commit.body.splitlines() if line.strip()]
    return lines[0] if lines else None


def _branch_commits(
    graph: dict[str, tuple[list[int], tuple[str, ...]]], merges: list[tuple[str, set[str]]]
) -> Iterator[tuple[int, str, set[str]]]:
    """(commit id, sha, keys) for the commits of each merged branch that names initiatives.

    The mainline is the first-parent chain down from every tip (a commit nobody names as a
    parent: the ingested branch's head). A merged branch's commits are the first-parent chain
    from the merge's other parents, down to where it meets the mainline.
    """
    named_as_parent = {parent for _, parents in graph.values() for parent in parents}
    mainline: set[str] = set()
    for tip in graph:
        sha = tip if tip not in named_as_parent else ""
        while sha in graph and sha not in mainline:
            mainline.add(sha)
            sha = graph[sha][1][0] if graph[sha][1] else ""
    for merge, found in merges:
        seen: set[str] = set()
        for sha in graph[merge][1][1:]:
            while sha in graph and sha not in mainline and sha not in seen:
                seen.add(sha)
                for commit_id in graph[sha][0]:
                    yield commit_id, sha, found
                sha = graph[sha][1][0] if graph[sha][1] else ""


def _mapped(pairs: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for key, values in pairs:
        for value in values:
            out.setdefault(value.casefold(), set()).add(key)
    return out


def _lookup(index: dict[str, set[str]], values: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for value in values:
        found |= index.get(value, set())
    return found


def stronger(rule: str, than: str) -> bool:
    """True when ``rule`` outranks ``than`` (see :data:`RULES`)."""
    return _STRENGTH[rule] < _STRENGTH[than]
