"""Votes and comments on initiatives, and the portal's reading of them: a few aggregate
queries per page, whatever the number of votes."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from productpath.store.models import Comment, Customer, Initiative, User, Vote


def find_initiative(session: Session, product_id: int, key: str) -> Initiative | None:
    return session.scalar(
        select(Initiative).where(Initiative.product_id == product_id, Initiative.key == key)
    )


def public_initiatives(session: Session, product_id: int) -> list[Initiative]:
    """The product's public initiatives in roadmap order."""
    return list(
        session.scalars(
            select(Initiative)
            .where(
                Initiative.product_id == product_id,
                Initiative.public.is_(True),
                Initiative.status != "archived",
            )
            .order_by(Initiative.position, Initiative.key)
        )
    )


def vote_totals(session: Session, initiative_ids: Collection[int]) -> dict[int, tuple[int, float]]:
    """initiative id -> (number of votes, sum of their weights); absent when none."""
    if not initiative_ids:
        return {}
    rows = session.execute(
        select(Vote.initiative_id, func.count(Vote.id), func.coalesce(func.sum(Vote.weight), 0.0))
        .where(Vote.initiative_id.in_(initiative_ids))
        .group_by(Vote.initiative_id)
    )
    return {i: (int(n), float(w)) for i, n, w in rows}


def comment_counts(session: Session, initiative_ids: Collection[int]) -> dict[int, int]:
    if not initiative_ids:
        return {}
    rows = session.execute(
        select(Comment.initiative_id, func.count(Comment.id))
        .where(Comment.initiative_id.in_(initiative_ids))
        .group_by(Comment.initiative_id)
    )
    return {i: int(n) for i, n in rows if i is not None}


def voted(session: Session, user_id: int, initiative_ids: Collection[int]) -> set[int]:
    """Which of ``initiative_ids`` the user has voted for."""
    if not initiative_ids:
        return set()
    return set(
        session.scalars(
            select(Vote.initiative_id).where(
                Vote.user_id == user_id, Vote.initiative_id.in_(initiative_ids)
            )
        )
    )


def comments(session: Session, initiative_id: int) -> list[Comment]:
    """Oldest first, as a conversation reads."""
    return list(
        session.scalars(
            select(Comment)
            .where(Comment.initiative_id == initiative_id)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def add_vote(session: Session, initiative_id: int, user_id: int, weight: float) -> bool:
    """Record the vote unless the user has one on it already; True when a row was added.

    ``INSERT ... ON CONFLICT DO NOTHING``, so a double click racing itself adds one vote.
    """
    values = {"initiative_id": initiative_id, "user_id": user_id, "weight": weight}
    name = session.get_bind().dialect.name
    insert = pg_insert if name == "postgresql" else sqlite_insert
    stmt = (
        insert(Vote)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["initiative_id", "user_id"])
        .returning(Vote.id)
    )
    # RETURNING, not rowcount: drivers disagree on the rowcount of a skipped insert.
    return session.execute(stmt).first() is not None


def remove_vote(session: Session, initiative_id: int, user_id: int) -> bool:
    result = session.execute(
        delete(Vote).where(Vote.initiative_id == initiative_id, Vote.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


def user_customer(session: Session, user_id: int) -> tuple[int | None, str] | None:
    """(customer id, e-mail) of a user account, or None when there is no such user."""
    row = session.execute(select(User.customer_id, User.email).where(User.id == user_id)).first()
    return None if row is None else (row[0], row[1])


def customer_of_email(session: Session, email: str) -> int | None:
    """The customer linked to the account with this e-mail (case-insensitive), if any."""
    return session.scalar(
        select(User.customer_id).where(func.lower(User.email) == email.strip().lower())
    )


def revenue_weight(session: Session, product_id: int, customer_id: int | None) -> float:
    """1 + the customer's annual revenue / the mean revenue of the product's customers.

    1 when the customer is unknown, not this product's, or has no revenue recorded.
    """
    if customer_id is None:
        return 1.0
    revenue = session.scalar(
        select(Customer.annual_revenue).where(
            Customer.id == customer_id, Customer.product_id == product_id
        )
    )
    if not revenue or revenue <= 0:
        return 1.0
    mean = session.scalar(
        select(func.avg(Customer.annual_revenue)).where(
            Customer.product_id == product_id, Customer.annual_revenue > 0
        )
    )
    return 1.0 + float(revenue) / float(mean) if mean else 1.0
