"""Comments on initiatives, milestones, themes and decisions, with @mentions.

An initiative's comments are the portal's conversation (``services.portal``: shown on the
portal too when the initiative is public); the other kinds are the team's only. Every comment
is cleaned and redacted the same way, and a comment that @mentions a team member, by e-mail
address or display name, tells them (``services.notifications``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from productpath.errors import NotFoundError
from productpath.ingest.pii import redact
from productpath.services import portal
from productpath.services.notifications import notify_mention, object_link
from productpath.services.portal import MAX_AUTHOR, MAX_COMMENT, CommentPublic, public_name
from productpath.services.workspace import OpenWorkspace
from productpath.store import notification_repo, product_repo
from productpath.store.models import Comment, utcnow

COMMENTABLE: tuple[str, ...] = ("initiative", "milestone", "theme", "decision")


def comments(handle: OpenWorkspace, object_type: str, key: str) -> list[CommentPublic]:
    """The object's comments, oldest first; NotFoundError for an unknown object."""
    if object_type == "initiative":
        return list(portal.initiative_social(handle, key).comments)
    with handle.store.read() as session:
        row_id = _row_id(session, handle, object_type, key)[1]
        rows = notification_repo.comments_on(session, object_type, row_id)
        return [_view(c) for c in rows]


def add_comment(
    handle: OpenWorkspace,
    object_type: str,
    key: str,
    author: str,
    body: str,
    user_id: int | None,
) -> CommentPublic:
    """Comment on an object as ``author`` (a team member: private initiatives too)."""
    if object_type == "initiative":
        return portal.comment(handle, key, author, body, user_id, include_private=True)
    text = portal.clean_text(body, "body", MAX_COMMENT)
    name = public_name(" ".join(author.split())[:MAX_AUTHOR]) or "anonymous"
    with handle.store.write() as session:
        product_id, row_id = _row_id(session, handle, object_type, key)
        stored = Comment(user_id=user_id, author=name, body=redact(text).text, created_at=utcnow())
        setattr(stored, f"{object_type}_id", row_id)
        session.add(stored)
        session.flush()
        what = notification_repo.object_title(session, product_id, object_type, key)
        notify_mention(
            session,
            product_id,
            text,
            shown=stored.body,
            author=public_name(name),
            author_id=user_id,
            what=what,
            link=object_link(object_type, key, comments=True),
        )
        return _view(stored)


def _row_id(session: Session, handle: OpenWorkspace, object_type: str, key: str) -> tuple[int, int]:
    if object_type not in COMMENTABLE:
        raise NotFoundError(f"a {object_type} has no comments")
    product_id = product_repo.find_id(session, handle.workspace.product)
    row_id = (
        None
        if product_id is None
        else notification_repo.object_id(session, product_id, object_type, key)
    )
    if product_id is None or row_id is None:
        raise NotFoundError(f"no {object_type} '{key}' in this workspace")
    return product_id, row_id


def _view(row: Comment) -> CommentPublic:
    return CommentPublic(
        id=row.id, author=public_name(row.author), body=row.body, created_at=row.created_at
    )
