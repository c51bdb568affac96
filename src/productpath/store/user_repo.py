"""User accounts, their role per product, API tokens and failed log-ins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.orm import Session

from productpath.store.models import (
    ApiToken,
    Customer,
    LoginAttempt,
    Membership,
    Product,
    User,
)


def any_user(session: Session) -> bool:
    """Is there at least one account? (No accounts means local mode.)"""
    return bool(session.scalar(select(exists().where(User.id.is_not(None)))))


def by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def add(session: Session, email: str, name: str, password_hash: str) -> User:
    user = User(email=email, name=name, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user


def memberships(session: Session, user_id: int) -> list[tuple[str, str, str]]:
    """(product key, product name, role) for each product the user has a role on, by key."""
    stmt = (
        select(Product.key, Product.name, Membership.role)
        .join(Membership, Membership.product_id == Product.id)
        .where(Membership.user_id == user_id)
        .order_by(Product.key)
    )
    return [(key, name, role) for key, name, role in session.execute(stmt)]


def all_memberships(session: Session) -> dict[int, list[tuple[str, str]]]:
    """user id -> [(product key, role)] for every user (one query)."""
    stmt = (
        select(Membership.user_id, Product.key, Membership.role)
        .join(Product, Product.id == Membership.product_id)
        .order_by(Product.key)
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for user_id, key, role in session.execute(stmt):
        found.setdefault(user_id, []).append((key, role))
    return found


def customers_of_users(session: Session) -> dict[int, tuple[str, int]]:
    """user id -> (customer key, the customer's product id), for accounts linked to one."""
    rows = session.execute(
        select(User.id, Customer.key, Customer.product_id).join(
            Customer, Customer.id == User.customer_id
        )
    )
    return {user_id: (key, product_id) for user_id, key, product_id in rows}


def set_role(session: Session, user_id: int, product_id: int, role: str) -> None:
    """Give the user ``role`` on the product (creating the membership or changing it)."""
    row = session.get(Membership, (user_id, product_id))
    if row is None:
        session.add(Membership(user_id=user_id, product_id=product_id, role=role))
    else:
        row.role = role
    session.flush()


def product_keys(session: Session) -> list[str]:
    return list(session.scalars(select(Product.key).order_by(Product.key)))


# --- API tokens ----------------------------------------------------------------------------


def add_token(session: Session, user_id: int, name: str, prefix: str, token_hash: str) -> ApiToken:
    token = ApiToken(user_id=user_id, name=name, prefix=prefix, token_hash=token_hash)
    session.add(token)
    session.flush()
    return token


def token_by_prefix(session: Session, prefix: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))


def tokens_with_owner(session: Session) -> list[tuple[ApiToken, str]]:
    stmt = (
        select(ApiToken, User.email)
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.created_at, ApiToken.id)
    )
    return [(token, email) for token, email in session.execute(stmt)]


# --- Failed log-ins ------------------------------------------------------------------------


def record_failure(session: Session, email: str, client: str, at: dt.datetime) -> int:
    """Store one attempt (counted as failed until :func:`forget_attempt`); returns its id."""
    attempt = LoginAttempt(email=email.lower()[:320], client=client[:100], at=at)
    session.add(attempt)
    session.flush()
    return attempt.id


def forget_attempt(session: Session, attempt_id: int) -> None:
    """An attempt that succeeded counts for nothing."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def serialize_attempts(session: Session) -> None:
    """Make this write transaction the only one counting attempts until it ends.

    SQLite's ``BEGIN IMMEDIATE`` (every write transaction here) already holds the one write
    lock; PostgreSQL's READ COMMITTED would let two transactions count the same rows, so there
    the table is locked in a mode that conflicts with itself (plain reads still go through).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE login_attempt IN SHARE ROW EXCLUSIVE MODE"))


def failures_since(
    session: Session, since: dt.datetime, *, email: str | None = None, client: str | None = None
) -> tuple[int, dt.datetime | None]:
    """How many failures since ``since`` for this e-mail (or client), and the oldest one."""
    stmt = select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(
        LoginAttempt.at >= since
    )
    if email is not None:
        stmt = stmt.where(LoginAttempt.email == email.lower())
    if client is not None:
        stmt = stmt.where(LoginAttempt.client == client)
    count, oldest = session.execute(stmt).one()
    if oldest is not None and oldest.tzinfo is None:  # func.min bypasses the column type
        oldest = oldest.replace(tzinfo=dt.UTC)
    return int(count), oldest


def prune_failures(session: Session, before: dt.datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < before))
