"""Fold a git history into per-file touches, following renames: pure logic on plain data.

The input is any sequence of commit records, **oldest first** (as
``ingest.git_log.read_history`` yields them), each with its author, its date and the files it
changed (``path``, ``old_path`` on a rename, line counts). A file keeps one identity across
renames: a rename ``a.py -> b.py`` moves everything recorded under ``a.py`` to ``b.py``, so
the history of a file is found under its newest name. A path created again after its file was
renamed away starts a new identity.

Bots (:mod:`bots`) keep their touches, so a file they churn is still a hotspot, but they are
marked and never counted as people (owners, bus factor, authors).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from productpath.delivery.bots import NO_EXTRA_BOTS, Bots


class FileStatLike(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def old_path(self) -> str | None: ...
    @property
    def insertions(self) -> int | None: ...
    @property
    def deletions(self) -> int | None: ...


class CommitLike(Protocol):
    @property
    def sha(self) -> str: ...
    @property
    def author_name(self) -> str: ...
    @property
    def author_email(self) -> str: ...
    @property
    def authored_at(self) -> dt.datetime: ...
    @property
    def files(self) -> Sequence[FileStatLike]: ...


@dataclass(frozen=True)
class Touch:
    """One commit changing one file: when, by whom (author index), which commit, lines."""

    when: dt.datetime
    author: int
    commit: int
    lines: int


@dataclass
class Author:
    key: str  # the e-mail in lower case (after the mailmap), or the name when there is none
    name: str  # the newest name used with that e-mail
    last_commit: dt.datetime
    bot: bool = False


@dataclass
class History:
    """Touches per file under its newest name, the authors, every commit's date and author."""

    files: dict[str, list[Touch]] = field(default_factory=dict)
    authors: list[Author] = field(default_factory=list)
    commit_dates: list[dt.datetime] = field(default_factory=list)
    commit_authors: list[int] = field(default_factory=list)

    @property
    def newest(self) -> dt.datetime | None:
        return max(self.commit_dates) if self.commit_dates else None


def fold_history(commits: Iterable[CommitLike], bots: Bots = NO_EXTRA_BOTS) -> History:
    """The history of ``commits`` (oldest first) as per-file touches, renames followed."""
    history = History()
    author_index: dict[str, int] = {}
    identity: dict[str, int] = {}  # current path -> file id
    names: list[str] = []  # file id -> its newest path
    touches: list[list[Touch]] = []
    for commit in commits:
        number = len(history.commit_dates)
        history.commit_dates.append(commit.authored_at)
        author = _author(history, author_index, commit, bots)
        history.commit_authors.append(author)
        for stat in commit.files:
            file_id = identity.pop(stat.old_path, None) if stat.old_path else None
            if file_id is None:
                file_id = identity.get(stat.path)
            if file_id is None:
                file_id = len(names)
                names.append(stat.path)
                touches.append([])
            identity[stat.path] = file_id
            names[file_id] = stat.path
            lines = (stat.insertions or 0) + (stat.deletions or 0)
            touches[file_id].append(Touch(commit.authored_at, author, number, lines))
    for path, file_id in identity.items():
        history.files[path] = touches[file_id]
    return history


def _author(history: History, index: dict[str, int], commit: CommitLike, bots: Bots) -> int:
    key = commit.author_email.strip().lower() or commit.author_name.strip()
    found = index.get(key)
    if found is None:
        found = index[key] = len(history.authors)
        bot = bots.is_bot(commit.author_name, commit.author_email)
        history.authors.append(Author(key, commit.author_name, commit.authored_at, bot))
        return found
    author = history.authors[found]
    if commit.authored_at >= author.last_commit:
        author.last_commit = commit.authored_at
        author.name = commit.author_name or author.name
    return found
