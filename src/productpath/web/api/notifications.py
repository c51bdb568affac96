"""Watches, notifications, comments on milestones, themes and decisions, and the people a
comment may @mention: ``/api/v1/notifications``, ``.../{key}/watch``, ``.../{key}/comments``,
``/api/v1/users``.

For the team (viewer and up). Watching, reading one's notifications and commenting are one's
own doing, like a portal vote: a viewer may, and nothing else of the workspace changes.
Initiatives' comments are ``social.py``'s (the portal's conversation).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from productpath.services.comments import add_comment, comments
from productpath.services.notifications import (
    MAX_LIST,
    MentionCandidate,
    NotificationsPage,
    WatchState,
    mark_read,
    mention_candidates,
    notifications,
    unread_count,
    unwatch,
    watch,
)
from productpath.services.portal import CommentPublic
from productpath.web.api.common import COMMON_ERRORS, NOT_FOUND, ApiRoute
from productpath.web.api.social import CommentCreate
from productpath.web.deps import CsrfDep, HandleDep, PrincipalDep

router = APIRouter(route_class=ApiRoute, responses=COMMON_ERRORS)
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


class MarkRead(BaseModel):
    """Which notifications to mark read: ``ids``, or every unread one when left out."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"ids": [3, 4]}]})
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, max_length=MAX_LIST
    )


class MarkedRead(BaseModel):
    marked: int = Field(description="how many were unread and are read now")
    unread: int = Field(description="how many are still unread")


@router.get("/notifications", response_model=NotificationsPage, tags=["notifications"])
def list_notifications(
    handle: HandleDep,
    who: PrincipalDep,
    unread: Annotated[bool, Query(description="only the unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 50,
) -> NotificationsPage:
    """Your in-app notifications on this product, newest first, with the unread count."""
    return notifications(handle, who.user_id, unread_only=unread, limit=limit)


@router.post("/notifications/read", response_model=MarkedRead, tags=["notifications"])
def read_notifications(
    body: MarkRead, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep
) -> MarkedRead:
    """Mark your notifications read (the listed ``ids``, or all)."""
    marked = mark_read(handle, who.user_id, body.ids)
    return MarkedRead(marked=marked, unread=unread_count(handle, who.user_id))


@router.post(
    "/initiatives/{key}/watch",
    response_model=WatchState,
    tags=["notifications"],
    responses={**NOT_FOUND},
)
def watch_initiative(key: str, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep) -> WatchState:
    """Watch the initiative: you are told when it changes (watching twice changes nothing)."""
    return watch(handle, who.user_id, "initiative", key)


@router.delete(
    "/initiatives/{key}/watch",
    response_model=WatchState,
    tags=["notifications"],
    responses={**NOT_FOUND},
)
def unwatch_initiative(
    key: str, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep
) -> WatchState:
    """Stop watching the initiative."""
    return unwatch(handle, who.user_id, "initiative", key)


@router.post(
    "/milestones/{key}/watch",
    response_model=WatchState,
    tags=["notifications"],
    responses={**NOT_FOUND},
)
def watch_milestone(key: str, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep) -> WatchState:
    """Watch the milestone: you are told when it changes (watching twice changes nothing)."""
    return watch(handle, who.user_id, "milestone", key)


@router.delete(
    "/milestones/{key}/watch",
    response_model=WatchState,
    tags=["notifications"],
    responses={**NOT_FOUND},
)
def unwatch_milestone(key: str, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep) -> WatchState:
    """Stop watching the milestone."""
    return unwatch(handle, who.user_id, "milestone", key)


@router.post(
    "/themes/{number}/watch",
    response_model=WatchState,
    tags=["notifications"],
    responses={**NOT_FOUND},
)
def watch_theme(number: str, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep) -> WatchState:
    """Watch the theme: you are told when it changes (watching twice changes nothing)."""
    return watch(handle, who.user_id, "theme", number)


@router.delete(
    "/themes/{number}/watch",
    response_model=WatchState,
    tags=["notifications"],
    responses={**NOT_FOUND},
)
def unwatch_theme(number: str, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep) -> WatchState:
    """Stop watching the theme."""
    return unwatch(handle, who.user_id, "theme", number)


@router.get(
    "/milestones/{key}/comments",
    response_model=list[CommentPublic],
    tags=["comments"],
    responses={**NOT_FOUND},
)
def milestone_comments(key: str, handle: HandleDep) -> list[CommentPublic]:
    """The milestone's comments, oldest first."""
    return comments(handle, "milestone", key)


@router.post(
    "/milestones/{key}/comments",
    response_model=CommentPublic,
    status_code=201,
    tags=["comments"],
    responses={**NOT_FOUND},
)
def comment_on_milestone(
    key: str, body: CommentCreate, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep
) -> CommentPublic:
    """Comment on the milestone; the people it @mentions are notified."""
    return add_comment(handle, "milestone", key, who.name or who.email, body.body, who.user_id)


@router.get(
    "/themes/{number}/comments",
    response_model=list[CommentPublic],
    tags=["comments"],
    responses={**NOT_FOUND},
)
def theme_comments(number: str, handle: HandleDep) -> list[CommentPublic]:
    """The theme's comments, oldest first."""
    return comments(handle, "theme", number)


@router.post(
    "/themes/{number}/comments",
    response_model=CommentPublic,
    status_code=201,
    tags=["comments"],
    responses={**NOT_FOUND},
)
def comment_on_theme(
    number: str, body: CommentCreate, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep
) -> CommentPublic:
    """Comment on the theme; the people it @mentions are notified."""
    return add_comment(handle, "theme", number, who.name or who.email, body.body, who.user_id)


@router.get(
    "/decisions/{key}/comments",
    response_model=list[CommentPublic],
    tags=["comments"],
    responses={**NOT_FOUND},
)
def decision_comments(key: str, handle: HandleDep) -> list[CommentPublic]:
    """The decision's comments, oldest first."""
    return comments(handle, "decision", key)


@router.post(
    "/decisions/{key}/comments",
    response_model=CommentPublic,
    status_code=201,
    tags=["comments"],
    responses={**NOT_FOUND},
)
def comment_on_decision(
    key: str, body: CommentCreate, handle: HandleDep, who: PrincipalDep, _csrf: CsrfDep
) -> CommentPublic:
    """Comment on the decision; the people it @mentions are notified."""
    return add_comment(handle, "decision", key, who.name or who.email, body.body, who.user_id)


@router.get("/users", response_model=list[MentionCandidate], tags=["comments"])
def users_by_prefix(
    handle: HandleDep,
    prefix: Annotated[
        str, Query(max_length=200, description="the start of an e-mail or a name")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[MentionCandidate]:
    """Team members a comment may @mention, whose e-mail or a word of whose name starts with
    ``prefix`` (what the comment box completes as you type)."""
    return mention_candidates(handle, prefix, limit=limit)
