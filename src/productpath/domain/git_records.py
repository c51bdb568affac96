"""Git as plain data: a commit as ``git_log.read_history`` yields it, a stored repository."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FileStat:
    """One file a commit touched; ``insertions``/``deletions`` are None for binary files."""

    path: str
    old_path: str | None
    insertions: int | None
    deletions: int | None


@dataclass(frozen=True)
class GitCommitRecord:
    """One commit, as plain data; datetimes are timezone-aware UTC."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored_at: dt.datetime
    committed_at: dt.datetime
    subject: str
    body: str
    files: tuple[FileStat, ...]
    # Name and e-mail as written in the commit, before the mailmap (equal to author_name and
    # author_email when the mailmap does not touch them): the store records them as aliases.
    raw_author_name: str = ""
    raw_author_email: str = ""
    # True when the message was not valid UTF-8 and some bytes became U+FFFD.
    message_replaced: bool = False

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class RepositoryRow:
    """A stored repository as ``git list`` shows it (the store reads it, services pass it on)."""

    name: str
    path: str
    branch: str
    head_sha: str | None
    last_ingested_at: dt.datetime | None
    commits: int
    contributors: int
    first_commit_at: dt.datetime | None
    last_commit_at: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "name": self.name,
            "path": self.path,
            "branch": self.branch,
            "head_sha": self.head_sha,
            "last_ingested_at": iso(self.last_ingested_at),
            "commits": self.commits,
            "contributors": self.contributors,
            "first_commit_at": iso(self.first_commit_at),
            "last_commit_at": iso(self.last_commit_at),
        }
