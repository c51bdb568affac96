"""Watches, in-app notifications, the people a comment may mention, and comments on any object.

Objects are named as the pages and the history name them: an initiative, milestone or decision
by its key, a theme by its number (as text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from productpath.store.models import (
    Comment,
    Decision,
    Initiative,
    Membership,
    Milestone,
    Notification,
    Theme,
    User,
    Watch,
)

# What each kind of object's comment points at, and how the object is found by key.
COMMENT_COLUMN = {
    "initiative": Comment.initiative_id,
    "milestone": Comment.milestone_id,
    "theme": Comment.theme_id,
    "decision": Comment.decision_id,
}


def object_id(session: Session, product_id: int, object_type: str, key: str) -> int | None:
    """The row id of an initiative, milestone, decision (by key) or theme (by number)."""
    if object_type == "theme":
        if not key.isdigit():
            return None
        return session.scalar(
            select(Theme.id).where(Theme.product_id == product_id, Theme.number == int(key))
        )
    if object_type == "initiative":
        stmt = select(Initiative.id).where(
            Initiative.product_id == product_id, Initiative.key == key
        )
    elif object_type == "milestone":
        stmt = select(Milestone.id).where(Milestone.product_id == product_id, Milestone.key == key)
    elif object_type == "decision":
        stmt = select(Decision.id).where(Decision.product_id == product_id, Decision.key == key)
    else:
        return None
    return session.scalar(stmt)


def object_title(session: Session, product_id: int, object_type: str, key: str) -> str:
    """How the object reads in a notification: its title or name (the key if it has none)."""
    if object_type == "initiative":
        stmt = select(Initiative.title).where(
            Initiative.product_id == product_id, Initiative.key == key
        )
    elif object_type == "milestone":
        stmt = select(Milestone.name).where(
            Milestone.product_id == product_id, Milestone.key == key
        )
    elif object_type == "decision":
        stmt = select(Decision.title).where(Decision.product_id == product_id, Decision.key == key)
    elif object_type == "theme" and key.isdigit():
        stmt = select(Theme.label).where(Theme.product_id == product_id, Theme.number == int(key))
    else:
        return key
    return session.scalar(stmt) or key


def initiative_titles(session: Session, product_id: int, keys: Sequence[str]) -> dict[str, str]:
    """The titles of the initiatives ``keys`` (those that exist), in one query."""
    stmt = select(Initiative.key, Initiative.title).where(
        Initiative.product_id == product_id, Initiative.key.in_(list(set(keys)))
    )
    return dict(session.execute(stmt).tuples().all())


def find_watch(
    session: Session, user_id: int, product_id: int, object_type: str, key: str
) -> Watch | None:
    return session.scalar(
        select(Watch).where(
            Watch.user_id == user_id,
            Watch.product_id == product_id,
            Watch.object_type == object_type,
            Watch.object_key == key,
        )
    )


def remove_watch(
    session: Session, user_id: int, product_id: int, object_type: str, key: str
) -> bool:
    result = session.execute(
        delete(Watch).where(
            Watch.user_id == user_id,
            Watch.product_id == product_id,
            Watch.object_type == object_type,
            Watch.object_key == key,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def watchers(
    session: Session, product_id: int, object_type: str, keys: Sequence[str]
) -> list[tuple[Watch, User]]:
    """Every active user watching one of ``keys``, with their watch row."""
    if not keys:
        return []
    stmt = (
        select(Watch, User)
        .join(User, User.id == Watch.user_id)
        .where(
            Watch.product_id == product_id,
            Watch.object_type == object_type,
            Watch.object_key.in_(list(keys)),
            User.active.is_(True),
        )
        .order_by(Watch.id)
    )
    return [(w, u) for w, u in session.execute(stmt).tuples()]


def any_watch(session: Session, product_id: int, object_types: Sequence[str]) -> bool:
    """Whether anyone watches an object of one of ``object_types`` in this product."""
    found = session.scalar(
        select(Watch.id)
        .where(Watch.product_id == product_id, Watch.object_type.in_(list(object_types)))
        .limit(1)
    )
    return found is not None


def watches_of(session: Session, product_id: int, object_type: str) -> list[Watch]:
    return list(
        session.scalars(
            select(Watch).where(Watch.product_id == product_id, Watch.object_type == object_type)
        )
    )


def in_app(
    session: Session, user_id: int, product_id: int, *, unread_only: bool, limit: int
) -> list[Notification]:
    stmt = select(Notification).where(
        Notification.user_id == user_id,
        Notification.product_id == product_id,
        Notification.channel == "in_app",
    )
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def unread_count(session: Session, user_id: int, product_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id,
                Notification.product_id == product_id,
                Notification.channel == "in_app",
                Notification.read_at.is_(None),
            )
        )
        or 0
    )


def mark_read(
    session: Session, user_id: int, product_id: int, ids: Sequence[int] | None, at: dt.datetime
) -> int:
    """Mark the user's unread in-app notifications read (only ``ids``, when given)."""
    stmt = update(Notification).where(
        Notification.user_id == user_id,
        Notification.product_id == product_id,
        Notification.channel == "in_app",
        Notification.read_at.is_(None),
    )
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    result = session.execute(stmt.values(read_at=at))
    return int(getattr(result, "rowcount", 0) or 0)


def members(
    session: Session, product_id: int, roles: Sequence[str], *, prefix: str = "", limit: int = 500
) -> list[User]:
    """Active users with one of ``roles`` on the product whose e-mail or name starts with
    ``prefix`` (any case), by name then e-mail."""
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.product_id == product_id,
            Membership.role.in_(list(roles)),
            User.active.is_(True),
        )
    )
    if prefix:
        pattern = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            or_(
                func.lower(User.email).like(pattern + "%", escape="\\"),
                func.lower(User.name).like(pattern + "%", escape="\\"),
                func.lower(User.name).like("% " + pattern + "%", escape="\\"),
            )
        )
    return list(session.scalars(stmt.order_by(User.name, User.email).limit(limit)))


def comments_on(session: Session, object_type: str, row_id: int) -> list[Comment]:
    column = COMMENT_COLUMN[object_type]
    return list(session.scalars(select(Comment).where(column == row_id).order_by(Comment.id)))
