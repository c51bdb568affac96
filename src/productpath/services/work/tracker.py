"""Import issue-tracker exports (GitHub REST API JSON, Jira CSV) and list the items.

The files are read and checked before the write lock is taken; then every item is written in
one transaction, so a bad file (when not skipping bad items) writes nothing. Items are matched by
(product, source, key), where the source is the format: re-importing the same export changes
nothing, and an export with other statuses adds one history row per changed item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from productpath.errors import InputError
from productpath.ingest.tracker_github import read_github
from productpath.ingest.tracker_jira import read_jira
from productpath.ingest.tracker_record import STATUS_CATEGORIES, TrackerRecord
from productpath.services.delivery import relink_session
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo, tracker_repo
from productpath.store.models import TrackerItem, utcnow

FORMATS = ("github", "jira")
# The status an item has when it is created, for the first history row of an item imported
# already resolved: GitHub's own word; for Jira, the name of its first status category (the
# export does not say which status an issue was created in).
OPENING_STATUS = {"github": "open", "jira": "To Do"}
# Values an export may lack without meaning "none": GitHub's issues API has no branch, so
# importing only issues after issues and pulls keeps the branches.
KEEP_WHEN_MISSING: dict[str, tuple[str, ...]] = {
    "github": ("branch", "state_reason"),  # the pulls API has no state_reason either
    "jira": (),
}
# Items per chunk written and per progress report.
CHUNK_SIZE = 500


@dataclass(frozen=True)
class SkippedItem:
    """An item left out by --skip-invalid, and why."""

    file: str | None
    line: int | None
    field: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}

    def __str__(self) -> str:
        return str(InputError(self.reason, file=self.file, line=self.line, field=self.field))


@dataclass
class TrackerImportReport:
    """What an import did: items added, updated, unchanged; history rows written; skips."""

    source: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    status_changes: int = 0
    skipped: list[SkippedItem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "status_changes": self.status_changes,
            "skipped": [skip.as_dict() for skip in self.skipped],
        }


@dataclass(frozen=True)
class TrackerItemRow:
    """One stored tracker item as the CLI and the web show it."""

    id: int
    source: str
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
    state_reason: str | None

    @classmethod
    def of(cls, item: TrackerItem) -> TrackerItemRow:
        return cls(
            id=item.id,
            source=item.source,
            key=item.key,
            title=item.title,
            item_type=item.item_type,
            status=item.status,
            status_category=item.status_category,
            assignee=item.assignee,
            opened_at=item.opened_at,
            started_at=item.started_at,
            resolved_at=item.resolved_at,
            labels=_split(item.labels),
            parent_key=item.parent_key,
            links=_split(item.links),
            branch=item.branch,
            url=item.url,
            points=item.points,
            state_reason=item.state_reason,
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in vars(self).items():
            if isinstance(value, dt.datetime):
                data[name] = value.isoformat()
            elif isinstance(value, tuple):
                data[name] = list(value)
            else:
                data[name] = value
        return data


def import_tracker(
    handle: OpenWorkspace,
    paths: Sequence[Path],
    *,
    fmt: str,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> TrackerImportReport:
    """Import the export(s) in ``paths``; ``progress`` is called with the items written so far."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'; use github or jira", field="format")
    if not paths:
        raise InputError("no files given")
    read = read_github if fmt == "github" else read_jira
    report = TrackerImportReport(source=fmt)
    records: list[TrackerRecord] = []
    for item in read(paths):
        if isinstance(item, InputError):
            if not skip_invalid:
                raise item
            report.skipped.append(SkippedItem(item.file, item.line, item.field, item.reason))
        else:
            records.append(item)
    now = utcnow()
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        existing = tracker_repo.items_by_key(session, product.id, fmt)
        for start in range(0, len(records), CHUNK_SIZE):
            chunk = [tracker_columns(r) for r in records[start : start + CHUNK_SIZE]]
            counts = tracker_repo.upsert_items(
                session,
                product.id,
                fmt,
                chunk,
                existing=existing,
                now=now,
                opening_status=OPENING_STATUS[fmt],
                keep_when_missing=KEEP_WHEN_MISSING[fmt],
            )
            report.added += counts.added
            report.updated += counts.updated
            report.unchanged += counts.unchanged
            report.status_changes += counts.status_changes
            if progress is not None:
                progress(start + len(chunk))
        relink_session(session, product.key)  # new items may belong to mapped epics or labels
    return report


def forget_tracker_items(handle: OpenWorkspace, *, fmt: str) -> int:
    """Remove every item imported in format ``fmt``, with its history and links, so that the
    next import starts afresh; returns how many items went."""
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        return 0 if product_id is None else tracker_repo.delete_source(session, product_id, fmt)


def list_tracker_items(
    handle: OpenWorkspace, *, status_category: str | None = None, limit: int | None = None
) -> list[TrackerItemRow]:
    """The product's tracker items in the order they were opened."""
    if status_category is not None and status_category not in STATUS_CATEGORIES:
        raise InputError(
            f"unknown status '{status_category}'; use one of: {', '.join(STATUS_CATEGORIES)}",
            field="status",
        )
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        items = tracker_repo.list_items(
            session, product_id, status_category=status_category, limit=limit
        )
        return [TrackerItemRow.of(item) for item in items]


def tracker_columns(record: TrackerRecord) -> dict[str, Any]:
    """A record as the tracker_item columns it sets (lists stored newline-separated)."""
    return {
        "key": record.key,
        "title": record.title,
        "item_type": record.item_type,
        "status": record.status,
        "status_category": record.status_category,
        "assignee": record.assignee,
        "opened_at": record.opened_at,
        "started_at": record.started_at,
        "resolved_at": record.resolved_at,
        "labels": "\n".join(record.labels),
        "parent_key": record.parent_key,
        "links": "\n".join(record.links),
        "branch": record.branch,
        "url": record.url,
        "points": record.points,
        "state_reason": record.state_reason,
    }


def _split(text: str) -> tuple[str, ...]:
    return tuple(line for line in text.split("\n") if line)
