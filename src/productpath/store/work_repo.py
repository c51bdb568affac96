"""Work links in the store: automatic links replaced as a diff, manual links, unlinked work.

Links are written as a diff, so recomputing the same links writes nothing. Every query is a
fixed number of statements whatever the size of the history (no N+1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from productpath.domain.work import MANUAL, InitiativeRefs
from productpath.store.models import (
    Commit,
    Contributor,
    Initiative,
    Repository,
    TrackerItem,
    WorkLink,
)
from productpath.store.work_records import initiative_ids_of, split_lines

CHUNK_SIZE = 1000

# (initiative id, commit id, tracker item id, rule); exactly one of the two work ids is set.
LinkRow = tuple[int, int | None, int | None, str]


@dataclass(frozen=True)
class UnlinkedWork:
    kind: str  # commit | item
    id: int
    ref: str  # the full sha, or the tracker key
    title: str
    at: dt.datetime | None
    who: str | None
    where: str  # the repository's name, or the tracker (github, jira)


def initiatives(session: Session, product_id: int) -> list[tuple[int, InitiativeRefs]]:
    """(id, key with mapped epics and labels) of every initiative, in roadmap order."""
    stmt = (
        select(
            Initiative.id,
            Initiative.key,
            Initiative.work_epics,
            Initiative.work_labels,
            Initiative.start_date,
            Initiative.created_at,
        )
        .where(Initiative.product_id == product_id)
        .order_by(Initiative.position, Initiative.id)
    )
    return [
        (
            row_id,
            InitiativeRefs(
                key, split_lines(epics), split_lines(labels), since=start or created.date()
            ),
        )
        for row_id, key, epics, labels, start, created in session.execute(stmt)
    ]


def links(session: Session, product_id: int) -> list[tuple[int, LinkRow]]:
    """(link id, link) of every link to one of the product's initiatives."""
    stmt = select(
        WorkLink.id,
        WorkLink.initiative_id,
        WorkLink.commit_id,
        WorkLink.tracker_item_id,
        WorkLink.rule,
    ).where(WorkLink.initiative_id.in_(initiative_ids_of(product_id)))
    return [(link_id, (i, c, t, rule)) for link_id, i, c, t, rule in session.execute(stmt)]


def replace_automatic_links(
    session: Session, product_id: int, wanted: Iterable[LinkRow]
) -> tuple[int, int]:
    """Make the product's automatic links exactly ``wanted``; manual links stay as they are.

    A wanted link for a (initiative, work) pair that already has a manual link is left out: the
    manual one says it already. Returns (links added, links removed).
    """
    stored = links(session, product_id)
    manual = {(i, c, t) for _, (i, c, t, rule) in stored if rule == MANUAL}
    target = {row for row in wanted if row[:3] not in manual}
    stale = [link_id for link_id, row in stored if row[3] != MANUAL and row not in target]
    present = {row for _, row in stored}
    new = sorted(target - present, key=lambda r: (r[0], r[1] or 0, r[2] or 0))
    for start in range(0, len(stale), CHUNK_SIZE):
        session.execute(delete(WorkLink).where(WorkLink.id.in_(stale[start : start + CHUNK_SIZE])))
    for start in range(0, len(new), CHUNK_SIZE):
        session.execute(
            insert(WorkLink),
            [
                {"initiative_id": i, "commit_id": c, "tracker_item_id": t, "rule": rule}
                for i, c, t, rule in new[start : start + CHUNK_SIZE]
            ],
        )
    return len(new), len(stale)


def add_manual_links(
    session: Session, initiative_id: int, work: Sequence[tuple[int | None, int | None]]
) -> int:
    """Link each (commit id, item id) to the initiative by hand; returns how many are new.

    An automatic link for the same pair becomes manual, so a later relink keeps it.
    """
    stmt = select(WorkLink).where(WorkLink.initiative_id == initiative_id)
    existing = {(link.commit_id, link.tracker_item_id): link for link in session.scalars(stmt)}
    made = 0
    for commit_id, item_id in dict.fromkeys(work):
        link = existing.get((commit_id, item_id))
        if link is None:
            session.add(
                WorkLink(
                    initiative_id=initiative_id,
                    commit_id=commit_id,
                    tracker_item_id=item_id,
                    rule=MANUAL,
                )
            )
            made += 1
        elif link.rule != MANUAL:
            link.rule = MANUAL
            made += 1
    session.flush()
    return made


def remove_manual_links(
    session: Session, initiative_id: int, work: Sequence[tuple[int | None, int | None]]
) -> int:
    """Delete the manual links of the initiative to ``work``; returns how many there were."""
    removed = 0
    for commit_id, item_id in dict.fromkeys(work):
        result = session.execute(
            delete(WorkLink).where(
                WorkLink.initiative_id == initiative_id,
                WorkLink.rule == MANUAL,
                WorkLink.commit_id.is_(None)
                if commit_id is None
                else WorkLink.commit_id == commit_id,
                WorkLink.tracker_item_id.is_(None)
                if item_id is None
                else WorkLink.tracker_item_id == item_id,
            )
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def commits_by_prefix(session: Session, product_id: int, prefix: str) -> list[tuple[int, str]]:
    """(id, sha) of the product's commits whose sha starts with ``prefix`` (lower-case hex)."""
    stmt = (
        select(Commit.id, Commit.sha)
        .join(Repository, Commit.repository_id == Repository.id)
        .where(Repository.product_id == product_id, Commit.sha.startswith(prefix, autoescape=True))
        .order_by(Commit.id)
    )
    return [(row_id, sha) for row_id, sha in session.execute(stmt)]


def items_by_key(session: Session, product_id: int, key: str) -> list[tuple[int, str]]:
    """(id, key) of the product's items with this key, exactly, else ignoring case."""
    base = select(TrackerItem.id, TrackerItem.key).where(TrackerItem.product_id == product_id)
    rows = list(session.execute(base.where(TrackerItem.key == key).order_by(TrackerItem.id)))
    if not rows:
        folded = base.where(func.lower(TrackerItem.key) == key.lower()).order_by(TrackerItem.id)
        rows = list(session.execute(folded))
    return [(row_id, found) for row_id, found in rows]


def initiative_id(session: Session, product_id: int, key: str) -> int | None:
    stmt = select(Initiative.id).where(Initiative.product_id == product_id, Initiative.key == key)
    return session.scalar(stmt)


def count_by_rule(session: Session, product_id: int) -> dict[str, int]:
    stmt = (
        select(WorkLink.rule, func.count(WorkLink.id))
        .where(WorkLink.initiative_id.in_(initiative_ids_of(product_id)))
        .group_by(WorkLink.rule)
    )
    return {rule: n for rule, n in session.execute(stmt)}


def _unlinked_commits(product_id: int) -> Select[int, str, str, dt.datetime, str, str, str]:
    linked = select(WorkLink.commit_id).where(WorkLink.commit_id == Commit.id).exists()
    return (
        select(
            Commit.id,
            Commit.sha,
            Commit.subject,
            Commit.committed_at,
            Contributor.name,
            Contributor.email,
            Repository.name,
        )
        .join(Repository, Commit.repository_id == Repository.id)
        .outerjoin(Contributor, Commit.author_id == Contributor.id)
        .where(Repository.product_id == product_id, ~linked)
    )


def _unlinked_items(product_id: int) -> Select[int, str, str, dt.datetime, str | None, str]:
    linked = select(WorkLink.tracker_item_id).where(WorkLink.tracker_item_id == TrackerItem.id)
    return select(
        TrackerItem.id,
        TrackerItem.key,
        TrackerItem.title,
        TrackerItem.opened_at,
        TrackerItem.assignee,
        TrackerItem.source,
    ).where(TrackerItem.product_id == product_id, ~linked.exists())


def unlinked_counts(session: Session, product_id: int) -> tuple[int, int]:
    """How many of the product's commits, and of its tracker items, link to no initiative."""
    commits = session.scalar(
        select(func.count()).select_from(_unlinked_commits(product_id).subquery())
    )
    items = session.scalar(select(func.count()).select_from(_unlinked_items(product_id).subquery()))
    return commits or 0, items or 0


def unlinked(session: Session, product_id: int, *, limit: int | None = None) -> list[UnlinkedWork]:
    """Commits and items that link to no initiative, newest first (ties: commits, then id)."""
    commits = _unlinked_commits(product_id).order_by(Commit.committed_at.desc(), Commit.id.desc())
    items = _unlinked_items(product_id).order_by(
        TrackerItem.opened_at.desc(), TrackerItem.id.desc()
    )
    if limit is not None:
        commits, items = commits.limit(limit), items.limit(limit)
    rows = [
        UnlinkedWork("commit", cid, sha, subject, at, name or email, repo)
        for cid, sha, subject, at, name, email, repo in session.execute(commits)
    ] + [
        UnlinkedWork("item", iid, key, title, at, assignee, source)
        for iid, key, title, at, assignee, source in session.execute(items)
    ]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: (-(r.at or epoch).timestamp(), r.kind, -r.id))
    return rows[:limit] if limit is not None else rows
