"""Customers and their segments: lookup by key, create on first use, upsert, list with counts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from productpath.store.models import Customer, FeedbackItem, Segment

UpsertOutcome = Literal["added", "updated", "unchanged"]


def ids_by_key(session: Session, product_id: int) -> dict[str, int]:
    """Every customer of the product, key -> id (one query)."""
    stmt = select(Customer.key, Customer.id).where(Customer.product_id == product_id)
    return {key: id_ for key, id_ in session.execute(stmt)}


def create_named_by_key(session: Session, product_id: int, keys: Iterable[str]) -> dict[str, int]:
    """Create customers known only by key (feedback named them first); name = key."""
    created = [Customer(product_id=product_id, key=key, name=key) for key in keys]
    session.add_all(created)
    session.flush()
    return {c.key: c.id for c in created}


def by_key(session: Session, product_id: int) -> dict[str, Customer]:
    stmt = select(Customer).where(Customer.product_id == product_id)
    return {c.key: c for c in session.scalars(stmt)}


def segments_by_key(session: Session, product_id: int) -> dict[str, Segment]:
    stmt = select(Segment).where(Segment.product_id == product_id)
    return {s.key: s for s in session.scalars(stmt)}


def create_segment(session: Session, product_id: int, key: str, name: str) -> Segment:
    segment = Segment(product_id=product_id, key=key, name=name)
    session.add(segment)
    session.flush()
    return segment


def upsert(
    session: Session,
    product_id: int,
    known: dict[str, Customer],
    key: str,
    values: dict[str, Any],
) -> UpsertOutcome:
    """Create the customer ``key`` or set ``values`` on it; ``known`` is updated in place."""
    customer = known.get(key)
    if customer is None:
        customer = Customer(product_id=product_id, key=key, **values)
        session.add(customer)
        known[key] = customer
        return "added"
    changed = {name: value for name, value in values.items() if getattr(customer, name) != value}
    for name, value in changed.items():
        setattr(customer, name, value)
    return "updated" if changed else "unchanged"


def list_with_feedback_counts(session: Session, product_id: int) -> list[tuple[Customer, int]]:
    """Customers ordered by key, each with how many feedback items name it."""
    counts = (
        select(FeedbackItem.customer_id, func.count(FeedbackItem.id).label("n"))
        .where(FeedbackItem.product_id == product_id, FeedbackItem.customer_id.is_not(None))
        .group_by(FeedbackItem.customer_id)
        .subquery()
    )
    stmt = (
        select(Customer, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.customer_id == Customer.id)
        .where(Customer.product_id == product_id)
        .options(selectinload(Customer.segment))
        .order_by(Customer.key)
    )
    return [(customer, int(n)) for customer, n in session.execute(stmt)]


def feedback_count(session: Session, customer_id: int) -> int:
    """How many feedback items the customer gave."""
    stmt = select(func.count(FeedbackItem.id)).where(FeedbackItem.customer_id == customer_id)
    return int(session.scalar(stmt) or 0)
