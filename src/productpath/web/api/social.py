"""Votes and comments on initiatives: ``/api/v1/initiatives/{key}/votes`` and ``.../comments``.

Portal semantics (services.portal): stakeholders reach only public initiatives (a private one
reads as 404, so its existence does not leak); people with a team role (viewer and up) reach
every initiative. Voting needs an account: in local mode (no users) a vote is refused with 422.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from productpath.services.portal import (
    MAX_COMMENT,
    CommentPublic,
    VoteResult,
    comment,
    initiative_social,
    portal_item,
    unvote,
    vote,
)
from productpath.web.api.common import COMMON_ERRORS, NOT_FOUND, ApiRoute, Text
from productpath.web.deps import CsrfDep, HandleDep, PrincipalDep
from productpath.web.principal import Principal

router = APIRouter(tags=["votes and comments"], route_class=ApiRoute, responses=COMMON_ERRORS)


class CommentCreate(BaseModel):
    """A comment; personal data in ``body`` is redacted before it is stored."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"body": "We need this before Q3."}]}
    )
    body: Text = Field(min_length=1, max_length=MAX_COMMENT)


def _team(principal: Principal) -> bool:
    """People with a team role see private initiatives too; stakeholders only public ones."""
    return principal.at_least("viewer")


@router.post("/initiatives/{key}/votes", response_model=VoteResult, responses={**NOT_FOUND})
def add_vote(key: str, handle: HandleDep, principal: PrincipalDep, _csrf: CsrfDep) -> VoteResult:
    """Vote for the initiative (once per person: voting again changes nothing). The vote's
    weight is 1 plus the voter's customer's revenue over the product's mean revenue."""
    return vote(handle, key, principal.user_id, include_private=_team(principal))


@router.delete("/initiatives/{key}/votes", response_model=VoteResult, responses={**NOT_FOUND})
def remove_vote(key: str, handle: HandleDep, principal: PrincipalDep, _csrf: CsrfDep) -> VoteResult:
    """Take back one's vote (without one, nothing changes)."""
    return unvote(handle, key, principal.user_id, include_private=_team(principal))


@router.get(
    "/initiatives/{key}/comments",
    response_model=list[CommentPublic],
    responses={**NOT_FOUND},
)
def comments(key: str, handle: HandleDep, principal: PrincipalDep) -> list[CommentPublic]:
    """The initiative's comments, oldest first."""
    if _team(principal):
        return list(initiative_social(handle, key).comments)
    return list(portal_item(handle, key, principal.user_id).comments)


@router.post(
    "/initiatives/{key}/comments",
    response_model=CommentPublic,
    status_code=201,
    responses={**NOT_FOUND},
)
def add_comment(
    key: str,
    body: CommentCreate,
    handle: HandleDep,
    principal: PrincipalDep,
    _csrf: CsrfDep,
) -> CommentPublic:
    """Comment on the initiative, as the caller (local mode: "local user")."""
    return comment(
        handle,
        key,
        principal.name or principal.email,
        body.body,
        principal.user_id,
        include_private=_team(principal),
    )
