"""Feedback items: bulk insert-if-absent by (product, source, external_id), text updates for
redaction catching up, and reading back with the insight engine's reading of each item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from productpath.store.models import Customer, FeedbackInsight, FeedbackItem, Theme

# Rows per INSERT round trip: large enough to be fast, small enough to stay under the
# bound-parameter limits of SQLite and PostgreSQL.
CHUNK_SIZE = 1000

# id, external_id, source, text, created_at, customer key, theme number, theme label,
# sentiment, kind.
FeedbackTuple = tuple[
    int,
    str,
    str,
    str,
    dt.datetime | None,
    str | None,
    int | None,
    str | None,
    float | None,
    str | None,
]


def existing_external_ids(session: Session, product_id: int, source: str) -> set[str]:
    """Every external_id already stored for this product and source (one query)."""
    stmt = select(FeedbackItem.external_id).where(
        FeedbackItem.product_id == product_id, FeedbackItem.source == source
    )
    return set(session.scalars(stmt))


def existing_texts(session: Session, product_id: int, source: str) -> dict[str, tuple[int, str]]:
    """external_id -> (id, stored text) for this product and source (one query)."""
    stmt = select(FeedbackItem.external_id, FeedbackItem.id, FeedbackItem.text).where(
        FeedbackItem.product_id == product_id, FeedbackItem.source == source
    )
    return {external_id: (item_id, text) for external_id, item_id, text in session.execute(stmt)}


def update_texts(session: Session, texts: Sequence[tuple[int, str]]) -> None:
    """Replace the text of items by id, CHUNK_SIZE per statement."""
    for start in range(0, len(texts), CHUNK_SIZE):
        chunk = texts[start : start + CHUNK_SIZE]
        session.execute(update(FeedbackItem), [{"id": i, "text": t} for i, t in chunk])


def insert_items(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new items (dicts of FeedbackItem columns), CHUNK_SIZE per statement."""
    for start in range(0, len(rows), CHUNK_SIZE):
        session.execute(insert(FeedbackItem), list(rows[start : start + CHUNK_SIZE]))


def count(session: Session, product_id: int) -> int:
    stmt = select(func.count(FeedbackItem.id)).where(FeedbackItem.product_id == product_id)
    return session.scalar(stmt) or 0


# Customer.key, Theme.number and Theme.label are typed as not null, but the outer joins make
# them None for feedback without a customer, not yet analysed, or in no theme.
def _view(
    product_id: int,
) -> Select[int, str, str, str, dt.datetime | None, str, int, str, float | None, str | None]:
    return (
        select(
            FeedbackItem.id,
            FeedbackItem.external_id,
            FeedbackItem.source,
            FeedbackItem.text,
            FeedbackItem.created_at,
            Customer.key,
            Theme.number,
            Theme.label,
            FeedbackInsight.sentiment,
            FeedbackInsight.kind,
        )
        .outerjoin(Customer, FeedbackItem.customer_id == Customer.id)
        .outerjoin(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .outerjoin(Theme, FeedbackInsight.theme_id == Theme.id)
        .where(FeedbackItem.product_id == product_id)
        .order_by(FeedbackItem.id)
    )


def list_items(
    session: Session, product_id: int, *, limit: int | None = None
) -> list[FeedbackTuple]:
    """FeedbackTuple rows (see there) in import order."""
    stmt = _view(product_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt))


def iter_items(session: Session, product_id: int) -> Iterator[FeedbackTuple]:
    """The same rows as list_items, streamed in batches so exports need little memory."""
    result = session.execute(_view(product_id).execution_options(yield_per=CHUNK_SIZE))
    yield from result
