"""Plain records of engineering work, as the pure delivery functions take them.

The store loads these (services do the loading); tests build them by hand. ``id`` is whatever
identifies the row to the caller (the database id in practice): the functions hand it back in
their results and never interpret it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DONE = "done"
IN_PROGRESS = "in_progress"
TODO = "todo"
# Closed without being done (Won't Do, Duplicate, GitHub's "not planned"...): out of every count
# of finished work and out of the scope that is left.
DROPPED = "dropped"
# Resolutions (Jira's Resolution field, some teams' status names, GitHub's state_reason) that
# close an item without doing it. Compared case-insensitively, with "_" and "-" read as spaces
# and typographic apostrophes as plain ones.
NOT_DONE_RESOLUTIONS = frozenset(
    {
        "won't do",
        "wont do",
        "won't fix",
        "wont fix",
        "won't implement",
        "duplicate",
        "duplicated",
        "cannot reproduce",
        "can't reproduce",
        "could not reproduce",
        "declined",
        "not planned",
        "cancelled",
        "canceled",
        "rejected",
        "obsolete",
        "invalid",
        "incomplete",
        "abandoned",
    }
)


def closes_without_doing(resolution: str | None) -> bool:
    """Whether a resolution (or a status named like one) closes an item without doing it."""
    if not resolution:
        return False
    words = resolution.replace("\u2019", "'").replace("_", " ").replace("-", " ").casefold()
    return " ".join(words.split()) in NOT_DONE_RESOLUTIONS


EPIC = "epic"
PULL_REQUEST = "pull_request"


@dataclass(frozen=True)
class CommitRecord:
    id: int
    sha: str
    subject: str
    body: str = ""
    committed_at: dt.datetime | None = None
    author: str | None = None  # the contributor's name (e-mail when it has none)
    is_merge: bool = False
    parents: tuple[str, ...] = ()  # shas, first parent first


@dataclass(frozen=True)
class StatusChangeRecord:
    at: dt.datetime
    to_status: str


@dataclass(frozen=True)
class ItemRecord:
    """A tracker item (issue, pull request, story, epic…) with its status history."""

    id: int
    key: str
    title: str
    opened_at: dt.datetime
    item_type: str = "issue"
    status: str = ""  # as the tracker names it
    status_category: str = TODO  # todo | in_progress | done | dropped
    started_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    labels: tuple[str, ...] = ()
    parent_key: str | None = None
    branch: str | None = None
    assignee: str | None = None
    points: float | None = None
    changes: tuple[StatusChangeRecord, ...] = ()  # oldest first

    @property
    def is_epic(self) -> bool:
        return self.item_type.casefold() == EPIC

    @property
    def is_pull_request(self) -> bool:
        return self.item_type.casefold() in {PULL_REQUEST, "merge_request"}

    @property
    def is_merged_pull_request(self) -> bool:
        # GitHub closes a pull request either merged ("merged") or not ("closed").
        return self.is_pull_request and self.is_done and self.status.casefold() != "closed"

    @property
    def is_dropped(self) -> bool:
        """Closed without being done. Rows imported before the ``dropped`` category existed
        say so only by their status name ("Won't Do")."""
        return self.status_category == DROPPED or (
            self.status_category == DONE and closes_without_doing(self.status)
        )

    @property
    def is_done(self) -> bool:
        return self.status_category == DONE and not self.is_dropped

    @property
    def in_scope(self) -> bool:
        """Part of the work to do: not a container (epic) and not dropped."""
        return not self.is_epic and not self.is_dropped

    @property
    def done_at(self) -> dt.datetime | None:
        """When it reached done: resolved_at, else the last status change; None when not done."""
        if not self.is_done:
            return None
        if self.resolved_at is not None:
            return self.resolved_at
        return self.changes[-1].at if self.changes else None


@dataclass(frozen=True)
class TagRecord:
    name: str
    at: dt.datetime | None  # the tag's date, else its commit's; None when neither is known


# Tracker status names (case-folded) that mean work has started, whatever the tracker.
IN_PROGRESS_STATUSES = frozenset(
    {
        "in progress",
        "in development",
        "in dev",
        "doing",
        "in review",
        "code review",
        "review",
        "under review",
        "ready for review",
        "in testing",
        "in test",
        "testing",
        "in qa",
        "qa",
        "ready for qa",
        "blocked",
    }
)

# The link rule a person's own link carries; it always wins over the automatic rules.
MANUAL = "manual"


@dataclass(frozen=True)
class InitiativeRefs:
    """An initiative's key and the tracker epics and labels mapped to it in roadmap.yaml."""

    key: str
    epics: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    # The first day whose work the text rules may link (planned start, else creation day).
    since: dt.date | None = None
