"""What the issue-tracker readers (GitHub JSON, Jira CSV) produce: one plain record per item.

Both readers check the column widths of the store here, so a value too long to store is
reported with its file, line and field instead of surfacing as a database error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from productpath.domain.work import (
    DONE,
    DROPPED,
    IN_PROGRESS,
    TODO,
    closes_without_doing,
)
from productpath.errors import InputError

# The vocabulary is delivery's (domain/work.py); the readers import it from here.
__all__ = ["DONE", "DROPPED", "IN_PROGRESS", "TODO", "closes_without_doing"]
STATUS_CATEGORIES = (TODO, IN_PROGRESS, DONE, DROPPED)

# Widths of the tracker_item columns (store/models/work.py).
MAX_LENGTHS = {
    "key": 100,
    "item_type": 40,
    "status": 100,
    "assignee": 320,
    "parent_key": 100,
    "branch": 255,
    "state_reason": 40,
}


@dataclass(frozen=True)
class TrackerRecord:
    """One issue, pull request, story, bug or epic, as read from an export.

    ``line`` is where it starts in its file (the first occurrence when it appears twice);
    ``labels`` are sorted; ``links`` are sorted "type key" strings such as "closes o/r#12".
    """

    line: int
    key: str
    title: str
    item_type: str
    status: str
    status_category: str
    assignee: str | None
    opened_at: dt.datetime
    started_at: dt.datetime | None
    resolved_at: dt.datetime | None
    labels: tuple[str, ...]
    parent_key: str | None
    links: tuple[str, ...]
    branch: str | None
    url: str | None
    points: float | None
    # The text (GitHub's body, Jira's Description): not stored with tracker items, but
    # read when issues are imported as feedback (ingest.issue_feedback).
    body: str = ""
    # GitHub's reason for the state (completed, not_planned, reopened, duplicate); None when
    # the source has no such field.
    state_reason: str | None = None


def check_record(record: TrackerRecord, path: Path | str, fields: dict[str, str]) -> None:
    """Raise InputError for a value the store cannot keep: too long for its column, or holding
    a NUL character (PostgreSQL refuses those). ``fields`` maps attribute -> name in the file.
    """
    attributes = ("key", "title", "item_type", "status", "assignee", "parent_key", "branch")
    for attribute in (*attributes, "state_reason"):
        value = getattr(record, attribute)
        if value is None:
            continue
        field = fields.get(attribute, attribute)
        limit = MAX_LENGTHS.get(attribute)
        if limit is not None and len(value) > limit:
            raise InputError(
                f"is longer than {limit} characters", file=path, line=record.line, field=field
            )
        if "\x00" in value:
            raise InputError("contains a NUL character", file=path, line=record.line, field=field)
    # Labels and links are stored one per line, so neither may hold a line break.
    for name, values in (("labels", record.labels), ("links", record.links)):
        if any("\x00" in value or "\n" in value or "\r" in value for value in values):
            raise InputError(
                "contains a line break or NUL character",
                file=path,
                line=record.line,
                field=fields.get(name, name),
            )
