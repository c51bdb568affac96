"""The commits, tracker items and tags the delivery logic reads, as plain records.

Every loader is a fixed number of queries whatever the size of the history (no N+1): items and
their status changes come in two queries and are joined in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from productpath.domain.work import CommitRecord, ItemRecord, StatusChangeRecord, TagRecord
from productpath.store.models import (
    Commit,
    Contributor,
    GitTag,
    Initiative,
    Repository,
    TrackerItem,
    TrackerStatusChange,
    WorkLink,
)

CHUNK_SIZE = 1000


def split_lines(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def initiative_ids_of(product_id: int) -> Select[int]:
    """A subquery: the ids of the product's initiatives."""
    return select(Initiative.id).where(Initiative.product_id == product_id)


def _commit_view() -> Select[int, str, str, str, dt.datetime, str, str, bool, str]:
    return (
        select(
            Commit.id,
            Commit.sha,
            Commit.subject,
            Commit.body,
            Commit.committed_at,
            Contributor.name,
            Contributor.email,
            Commit.is_merge,
            Commit.parent_shas,
        )
        .join(Repository, Commit.repository_id == Repository.id)
        .outerjoin(Contributor, Commit.author_id == Contributor.id)
    )


def _commit(row: Sequence[Any]) -> CommitRecord:
    commit_id, sha, subject, body, at, name, email, is_merge, parents = row
    return CommitRecord(
        commit_id, sha, subject, body, at, name or email, is_merge, tuple(parents.split())
    )


def iter_commits(
    session: Session, product_id: int, *, since: dt.datetime | None = None
) -> Iterator[CommitRecord]:
    """The commits of the product's repositories (committed at or after ``since``), streamed."""
    stmt = _commit_view().where(Repository.product_id == product_id).order_by(Commit.id)
    if since is not None:
        stmt = stmt.where(Commit.committed_at >= since)
    for row in session.execute(stmt.execution_options(yield_per=CHUNK_SIZE)):
        yield _commit(row)


def newest_commit_at(session: Session, product_id: int, before: dt.datetime) -> dt.datetime | None:
    """When the newest commit of the product dated before ``before`` was made; None if none."""
    stmt = (
        select(func.max(Commit.committed_at))
        .join(Repository, Commit.repository_id == Repository.id)
        .where(Repository.product_id == product_id, Commit.committed_at < before)
    )
    return session.scalar(stmt)


def items(session: Session, product_id: int, *, history: bool = True) -> list[ItemRecord]:
    """Every tracker item of the product, with its status changes when ``history``."""
    return _items(session, TrackerItem.product_id == product_id, history)


# Columns rather than ORM objects: several times faster to load for tens of thousands of items.
_ITEM_COLUMNS = (
    TrackerItem.id,
    TrackerItem.key,
    TrackerItem.title,
    TrackerItem.opened_at,
    TrackerItem.item_type,
    TrackerItem.status,
    TrackerItem.status_category,
    TrackerItem.started_at,
    TrackerItem.resolved_at,
    TrackerItem.labels,
    TrackerItem.parent_key,
    TrackerItem.branch,
    TrackerItem.assignee,
    TrackerItem.points,
)


def _items(session: Session, which: ColumnElement[bool], history: bool) -> list[ItemRecord]:
    rows = list(session.execute(select(*_ITEM_COLUMNS).where(which).order_by(TrackerItem.id)))
    changes: dict[int, list[StatusChangeRecord]] = {}
    if history and rows:
        query = (
            select(
                TrackerStatusChange.item_id, TrackerStatusChange.at, TrackerStatusChange.to_status
            )
            .where(TrackerStatusChange.item_id.in_(select(TrackerItem.id).where(which)))
            .order_by(TrackerStatusChange.item_id, TrackerStatusChange.at, TrackerStatusChange.id)
        )
        for item_id, at, to_status in session.execute(query):
            changes.setdefault(item_id, []).append(StatusChangeRecord(at, to_status))
    out = []
    for row in rows:
        (item_id, key, title, opened, kind, status, category, started, resolved, labels) = row[:10]
        parent, branch, assignee, points = row[10:]
        out.append(
            ItemRecord(
                id=item_id,
                key=key,
                title=title,
                opened_at=opened,
                item_type=kind,
                status=status,
                status_category=category,
                started_at=started,
                resolved_at=resolved,
                labels=split_lines(labels),
                parent_key=parent,
                branch=branch,
                assignee=assignee,
                points=points,
                changes=tuple(changes.get(item_id, ())),
            )
        )
    return out


def tags(session: Session, product_id: int) -> list[TagRecord]:
    """Every tag, dated by the tag itself or else by its commit (when that commit is stored)."""
    stmt = (
        select(GitTag.name, GitTag.tagged_at, Commit.committed_at)
        .join(Repository, GitTag.repository_id == Repository.id)
        .outerjoin(
            Commit, (Commit.repository_id == GitTag.repository_id) & (Commit.sha == GitTag.sha)
        )
        .where(Repository.product_id == product_id)
        .order_by(GitTag.repository_id, GitTag.name)
    )
    return [
        TagRecord(name, tagged or committed) for name, tagged, committed in session.execute(stmt)
    ]


LinkedWork = tuple[dict[int, list[CommitRecord]], dict[int, list[ItemRecord]]]
# Set by :func:`sharing_linked_work`: each product's linked work read once in the block.
_SHARED: ContextVar[dict[int, LinkedWork] | None] = ContextVar("shared_linked_work", default=None)


@contextmanager
def sharing_linked_work() -> Iterator[None]:
    """Within the block, :func:`linked_work` reads each product's links once and hands every
    later caller a copy of what it read. For one piece of read-only work that asks the same
    question from several read models (a report reads the plan, delivery status and what
    shipped, each of which loads the linked work); nothing is kept after the block."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def linked_work(session: Session, product_id: int, only: Sequence[int] | None = None) -> LinkedWork:
    """The commits and the items (with history) linked to each initiative, by initiative id
    (``only``: to these initiatives of the product alone, read afresh)."""
    shared = _SHARED.get()
    if shared is None or only is not None:
        return _linked_work(session, product_id, only)
    if product_id not in shared:
        shared[product_id] = _linked_work(session, product_id, None)
    commits, items = shared[product_id]
    # Records are frozen; the lists are copied so one caller's edits never reach another.
    return (
        {key: list(found) for key, found in commits.items()},
        {key: list(found) for key, found in items.items()},
    )


def _linked_work(session: Session, product_id: int, only: Sequence[int] | None) -> LinkedWork:
    of_product: Any = initiative_ids_of(product_id) if only is None else list(only)
    commit_stmt = (
        _commit_view()
        .add_columns(WorkLink.initiative_id)
        .join(WorkLink, WorkLink.commit_id == Commit.id)
        .where(WorkLink.initiative_id.in_(of_product))
        .order_by(WorkLink.initiative_id, Commit.committed_at, Commit.id)
    )
    commits: dict[int, list[CommitRecord]] = {}
    for row in session.execute(commit_stmt):
        values = tuple(row)
        commits.setdefault(values[-1], []).append(_commit(values[:-1]))
    pairs = list(
        session.execute(
            select(WorkLink.initiative_id, WorkLink.tracker_item_id).where(
                WorkLink.initiative_id.in_(of_product), WorkLink.tracker_item_id.is_not(None)
            )
        )
    )
    linked_ids = select(WorkLink.tracker_item_id).where(WorkLink.initiative_id.in_(of_product))
    records = {
        record.id: record for record in _items(session, TrackerItem.id.in_(linked_ids), True)
    }
    items: dict[int, list[ItemRecord]] = {}
    for initiative, item_id in sorted(pairs, key=lambda p: (p[0], p[1] or 0)):
        if item_id is not None:
            items.setdefault(initiative, []).append(records[item_id])
    return commits, items
