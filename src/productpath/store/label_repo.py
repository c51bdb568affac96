"""Labels a person or an imported file put on feedback items (``feedback_label``).

The insight engine's readings live in ``feedback_insight`` and are rewritten by every run; a
label is written here once and laid over the readings with :func:`apply`, which the label
command and every run call, so the reading an item shows is the person's wherever one exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from productpath.store.models import FeedbackInsight, FeedbackItem, FeedbackLabel, utcnow

IN_CHUNK = 900
# A label's kind is as sure as a kind can be: the review queue and the confidence shown say so.
LABELLED_CONFIDENCE = 1.0


@dataclass(frozen=True)
class StoredLabel:
    feedback_id: int
    kind: str | None
    sentiment: float | None
    source: str  # person | file
    set_by: str | None


def resolve(
    session: Session, product_id: int, refs: Sequence[str], *, numbers_only: bool = False
) -> dict[str, int | None]:
    """Each reference's item id: an external id first (unless ``numbers_only``), else the
    item's number; None if neither."""
    found: dict[str, int | None] = {}
    for ref in refs:
        by_external = None
        if not numbers_only:
            by_external = session.scalar(
                select(FeedbackItem.id)
                .where(FeedbackItem.product_id == product_id, FeedbackItem.external_id == ref)
                .order_by(FeedbackItem.id)
                .limit(1)
            )
        if by_external is not None:
            found[ref] = by_external
            continue
        found[ref] = (
            session.scalar(
                select(FeedbackItem.id).where(
                    FeedbackItem.product_id == product_id, FeedbackItem.id == int(ref)
                )
            )
            if ref.isdigit() and len(ref) < 10
            else None
        )
    return found


def put(
    session: Session,
    ids: Iterable[int],
    *,
    kind: str | None,
    sentiment: float | None,
    source: str,
    set_by: str | None,
) -> None:
    """Set the given fields of each item's label (creating it); fields given as None are kept."""
    for feedback_id in ids:
        label = session.get(FeedbackLabel, feedback_id)
        if label is None:
            label = FeedbackLabel(feedback_id=feedback_id, source=source)
            session.add(label)
        if kind is not None:
            label.kind = kind
        if sentiment is not None:
            label.sentiment = sentiment
        label.source = source
        label.set_by = set_by
        label.set_at = utcnow()
    session.flush()


def put_file_kinds(session: Session, product_id: int, source: str, kinds: dict[str, str]) -> int:
    """Store the kinds an imported file gave (external id of ``source`` -> kind) as labels of
    source ``file``; a person's label is never replaced by a file's. Returns how many items
    carry the file's kind now."""
    ids: dict[str, int] = {}
    externals = sorted(kinds)
    for start in range(0, len(externals), IN_CHUNK):
        stmt = select(FeedbackItem.external_id, FeedbackItem.id).where(
            FeedbackItem.product_id == product_id,
            FeedbackItem.source == source,
            FeedbackItem.external_id.in_(externals[start : start + IN_CHUNK]),
        )
        ids.update({row[0]: row[1] for row in session.execute(stmt)})
    existing = of_items(session, list(ids.values()))
    now = utcnow()
    added = []
    written = 0
    for external_id, item_id in ids.items():
        label = existing.get(item_id)
        if label is not None and label.source == "person":
            continue
        written += 1
        if label is None:
            added.append(
                {
                    "feedback_id": item_id,
                    "kind": kinds[external_id],
                    "source": "file",
                    "set_at": now,
                }
            )
        else:
            session.execute(
                update(FeedbackLabel)
                .where(FeedbackLabel.feedback_id == item_id)
                .values(kind=kinds[external_id], source="file", set_at=now)
            )
    for start in range(0, len(added), IN_CHUNK):
        session.execute(insert(FeedbackLabel), added[start : start + IN_CHUNK])
    return written


def apply(session: Session, product_id: int) -> None:
    """Lay every label of the product over the machine's readings (two set-wide statements)."""
    for column, extra in (
        (FeedbackLabel.kind, {"kind_confidence": LABELLED_CONFIDENCE}),
        (FeedbackLabel.sentiment, {}),
    ):
        given = (
            select(FeedbackLabel.feedback_id)
            .join(FeedbackItem, FeedbackItem.id == FeedbackLabel.feedback_id)
            .where(FeedbackItem.product_id == product_id, column.is_not(None))
        )
        value = (
            select(column)
            .where(FeedbackLabel.feedback_id == FeedbackInsight.feedback_id)
            .scalar_subquery()
        )
        session.execute(
            update(FeedbackInsight)
            .where(FeedbackInsight.feedback_id.in_(given))
            .values({column.key: value, **extra})
        )


def of_items(session: Session, ids: Sequence[int]) -> dict[int, StoredLabel]:
    """The labels of these items, by item id."""
    found: dict[int, StoredLabel] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), IN_CHUNK):
        stmt = select(FeedbackLabel).where(
            FeedbackLabel.feedback_id.in_(unique[start : start + IN_CHUNK])
        )
        for label in session.scalars(stmt):
            found[label.feedback_id] = _stored(label)
    return found


def kinds_to_learn(session: Session, product_id: int) -> list[tuple[int, str, str]]:
    """(item id, text, kind) of every item of the product whose kind a person or file gave."""
    stmt = (
        select(FeedbackItem.id, FeedbackItem.text, FeedbackLabel.kind)
        .join(FeedbackLabel, FeedbackLabel.feedback_id == FeedbackItem.id)
        .where(FeedbackItem.product_id == product_id, FeedbackLabel.kind.is_not(None))
        .order_by(FeedbackItem.id)
    )
    return [(row[0], row[1], str(row[2])) for row in session.execute(stmt)]


def last_set(session: Session, product_id: int) -> dt.datetime | None:
    """When a label of the product was last set, or None when it has none."""
    return session.scalar(
        select(func.max(FeedbackLabel.set_at))
        .join(FeedbackItem, FeedbackItem.id == FeedbackLabel.feedback_id)
        .where(FeedbackItem.product_id == product_id)
    )


def set_kinds(session: Session, kinds: Sequence[tuple[int, str, float]]) -> None:
    """Store a fresh (item id, kind, confidence) reading on items that already have one."""
    stmt = (
        update(FeedbackInsight)
        .where(FeedbackInsight.feedback_id == bindparam("item"))
        .values(kind=bindparam("new_kind"), kind_confidence=bindparam("confidence"))
        .execution_options(synchronize_session=False)
    )
    rows = [{"item": i, "new_kind": k, "confidence": c} for i, k, c in kinds]
    for start in range(0, len(rows), IN_CHUNK):
        session.connection().execute(stmt, rows[start : start + IN_CHUNK])


def least_certain(
    session: Session, product_id: int, limit: int
) -> list[tuple[int, str, str, str | None, float | None]]:
    """(id, external id, text, kind, confidence) of read items nobody labelled a kind of, the
    engine's least certain kind first."""
    stmt = (
        select(
            FeedbackItem.id,
            FeedbackItem.external_id,
            FeedbackItem.text,
            FeedbackInsight.kind,
            FeedbackInsight.kind_confidence,
        )
        .join(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .outerjoin(FeedbackLabel, FeedbackLabel.feedback_id == FeedbackItem.id)
        .where(FeedbackItem.product_id == product_id, FeedbackLabel.kind.is_(None))
        .order_by(FeedbackInsight.kind_confidence, FeedbackItem.id)
        .limit(limit)
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in session.execute(stmt)]


def _stored(label: FeedbackLabel) -> StoredLabel:
    return StoredLabel(label.feedback_id, label.kind, label.sentiment, label.source, label.set_by)
