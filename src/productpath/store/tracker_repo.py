"""Tracker items: upsert by (product, source, key), with a history of the statuses seen.

History rules. When an item is first seen: one row at ``opened_at`` with its status; when it
arrives already resolved (and the resolution date is known), the row at ``opened_at`` names the
source's opening status instead and a second row moves it to its status at ``resolved_at``. When
a later import shows another status: one row from the old status to the new one, dated
``resolved_at`` when it became done (and that date is known), else the import time. An import
that changes nothing about an item writes nothing (its ``updated_at`` stays as it was).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from productpath.domain.work import DONE, DROPPED
from productpath.store.models import TrackerItem, TrackerStatusChange

# The tracker_item columns an import sets; the rest (ids, timestamps) are the store's.
COLUMNS = (
    "key",
    "title",
    "item_type",
    "status",
    "status_category",
    "assignee",
    "opened_at",
    "started_at",
    "resolved_at",
    "labels",
    "parent_key",
    "links",
    "branch",
    "url",
    "points",
    "state_reason",
)


@dataclass
class UpsertCounts:
    """What an upsert did; ``status_changes`` counts the history rows written."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    status_changes: int = 0


def items_by_key(session: Session, product_id: int, source: str) -> dict[str, TrackerItem]:
    """Every stored item of this product and source, by key (one query)."""
    stmt = select(TrackerItem).where(
        TrackerItem.product_id == product_id, TrackerItem.source == source
    )
    return {item.key: item for item in session.scalars(stmt)}


def items_with_keys(
    session: Session, product_id: int, source: str, keys: Collection[str]
) -> dict[str, TrackerItem]:
    """Like items_by_key, for only ``keys``: a connector's page, without loading every item."""
    if not keys:
        return {}
    rows = session.scalars(
        select(TrackerItem).where(
            TrackerItem.product_id == product_id,
            TrackerItem.source == source,
            TrackerItem.key.in_(list(keys)),
        )
    )
    return {item.key: item for item in rows}


def open_or_merged_pulls_with_links(
    session: Session, product_id: int, source: str
) -> list[tuple[str, dt.datetime]]:
    """(links, opened_at) of the pull requests that are open or merged and link something."""
    rows = session.execute(
        select(TrackerItem.links, TrackerItem.opened_at).where(
            TrackerItem.product_id == product_id,
            TrackerItem.source == source,
            TrackerItem.item_type == "pull_request",
            TrackerItem.status.in_(("open", "merged")),
            TrackerItem.links != "",
        )
    )
    return [(links, opened_at) for links, opened_at in rows]


def delete_source(session: Session, product_id: int, source: str) -> int:
    """Remove every item of one source, with its history and links (the foreign keys cascade);
    returns how many items went."""
    result = session.execute(
        delete(TrackerItem).where(
            TrackerItem.product_id == product_id, TrackerItem.source == source
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def upsert_items(
    session: Session,
    product_id: int,
    source: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    existing: dict[str, TrackerItem],
    now: dt.datetime,
    opening_status: str,
    keep_when_missing: Collection[str] = (),
) -> UpsertCounts:
    """Add or update ``rows`` (dicts of COLUMNS); ``existing`` (from items_by_key) is kept
    up to date, so call this once per chunk of one import.

    A column in ``keep_when_missing`` that a row leaves None keeps its stored value: for values
    some views of an item do not carry (GitHub's issues API knows no pull request branch).
    """
    counts = UpsertCounts()
    new_rows: list[Mapping[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for row in rows:
        item = existing.get(row["key"])
        if item is None:
            new_rows.append(row)
            continue
        changed = {
            name: row[name]
            for name in COLUMNS
            if getattr(item, name) != row[name]
            and not (row[name] is None and name in keep_when_missing)
        }
        if not changed:
            counts.unchanged += 1
            continue
        if "status" in changed:
            became_done = (
                row["status_category"] in (DONE, DROPPED)
                and item.status_category not in (DONE, DROPPED)
                and row["resolved_at"] is not None
            )
            at = row["resolved_at"] if became_done else now
            changes.append(_change(item.id, at, item.status, row["status"]))
        for name, value in changed.items():
            setattr(item, name, value)
        counts.updated += 1
    if new_rows:
        ids = _insert_new(session, product_id, source, new_rows, now)
        for row in new_rows:
            history = _first_history(row, opening_status)
            changes.extend(_change(ids[row["key"]], at, old, new) for at, old, new in history)
        counts.added = len(new_rows)
    if changes:
        # History rows are never read back here: one bulk INSERT, no ORM objects.
        # render_nulls (here and in _insert_new): without it the ORM splits a bulk insert
        # wherever the None-valued columns change from one row to the next (from_status,
        # resolved_at...), which made it one round trip per row.
        session.execute(insert(TrackerStatusChange).execution_options(render_nulls=True), changes)
    session.flush()
    counts.status_changes = len(changes)
    return counts


def _insert_new(
    session: Session,
    product_id: int,
    source: str,
    rows: Sequence[Mapping[str, Any]],
    now: dt.datetime,
) -> dict[str, int]:
    """Insert new items in one bulk statement and return their ids by key (keys are unique
    within one import)."""
    stamp = {"product_id": product_id, "source": source, "created_at": now, "updated_at": now}
    stmt = insert(TrackerItem).returning(TrackerItem.key, TrackerItem.id)
    result = session.execute(
        stmt.execution_options(render_nulls=True), [{**row, **stamp} for row in rows]
    )
    return {key: item_id for key, item_id in result}


def _change(item_id: int, at: dt.datetime, old: str | None, new: str) -> dict[str, Any]:
    return {"item_id": item_id, "at": at, "from_status": old, "to_status": new}


def _first_history(
    row: Mapping[str, Any], opening_status: str
) -> list[tuple[dt.datetime, str | None, str]]:
    status: str = row["status"]
    resolved_at: dt.datetime | None = row["resolved_at"]
    closed = row["status_category"] in (DONE, DROPPED)
    if not closed or resolved_at is None or status == opening_status:
        return [(row["opened_at"], None, status)]
    return [(row["opened_at"], None, opening_status), (resolved_at, opening_status, status)]


def list_items(
    session: Session,
    product_id: int,
    *,
    status_category: str | None = None,
    limit: int | None = None,
) -> list[TrackerItem]:
    """Items in the order they were opened (then by source and key)."""
    stmt = (
        select(TrackerItem)
        .where(TrackerItem.product_id == product_id)
        .order_by(TrackerItem.opened_at, TrackerItem.source, TrackerItem.key)
    )
    if status_category is not None:
        stmt = stmt.where(TrackerItem.status_category == status_category)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def status_history(session: Session, item_id: int) -> list[TrackerStatusChange]:
    """The statuses an item was seen in, oldest first."""
    stmt = (
        select(TrackerStatusChange)
        .where(TrackerStatusChange.item_id == item_id)
        .order_by(TrackerStatusChange.at, TrackerStatusChange.id)
    )
    return list(session.scalars(stmt))


def count(session: Session, product_id: int) -> int:
    stmt = select(func.count(TrackerItem.id)).where(TrackerItem.product_id == product_id)
    return session.scalar(stmt) or 0
