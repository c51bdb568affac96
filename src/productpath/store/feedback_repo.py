"""Feedback items: bulk insert-if-absent by (product, source, external_id), and reading back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from productpath.store.models import Customer, FeedbackItem

# Rows per INSERT round trip: large enough to be fast, small enough to stay under the
# bound-parameter limits of SQLite and PostgreSQL.
CHUNK_SIZE = 1000

FeedbackTuple = tuple[int, str, str, str, dt.datetime | None, str | None]


def existing_external_ids(session: Session, product_id: int, source: str) -> set[str]:
    """Every external_id already stored for this product and source (one query)."""
    stmt = select(FeedbackItem.external_id).where(
        FeedbackItem.product_id == product_id, FeedbackItem.source == source
    )
    return set(session.scalars(stmt))


def insert_items(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new items (dicts of FeedbackItem columns), CHUNK_SIZE per statement."""
    for start in range(0, len(rows), CHUNK_SIZE):
        session.execute(insert(FeedbackItem), list(rows[start : start + CHUNK_SIZE]))


def count(session: Session, product_id: int) -> int:
    stmt = select(func.count(FeedbackItem.id)).where(FeedbackItem.product_id == product_id)
    return session.scalar(stmt) or 0


# Customer.key is typed str, but the outer join makes it None for feedback without a customer.
def _view(product_id: int) -> Select[int, str, str, str, dt.datetime | None, str]:
    return (
        select(
            FeedbackItem.id,
            FeedbackItem.external_id,
            FeedbackItem.source,
            FeedbackItem.text,
            FeedbackItem.created_at,
            Customer.key,
        )
        .outerjoin(Customer, FeedbackItem.customer_id == Customer.id)
        .where(FeedbackItem.product_id == product_id)
        .order_by(FeedbackItem.id)
    )


def list_items(
    session: Session, product_id: int, *, limit: int | None = None
) -> list[FeedbackTuple]:
    """(id, external_id, source, text, created_at, customer key) in import order."""
    stmt = _view(product_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt))


def iter_items(session: Session, product_id: int) -> Iterator[FeedbackTuple]:
    """The same rows as list_items, streamed in batches so exports need little memory."""
    result = session.execute(_view(product_id).execution_options(yield_per=CHUNK_SIZE))
    yield from result
