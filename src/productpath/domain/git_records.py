"""A commit as plain data: what ``git_log.read_history`` yields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
