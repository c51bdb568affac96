"""``/api/v1/feedback``: search and filter feedback a page at a time; add an item (source
``api``); correct an item's kind and sentiment; move items to a theme or dismiss them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.responses import Response

from productpath.errors import NotFoundError
from productpath.services.api.api_feedback import (
    MAX_TEXT,
    FeedbackPublic,
    FeedbackSearch,
    add_feedback,
    get_feedback,
    search_feedback,
)
from productpath.services.curation import dismiss_items, move_items
from productpath.services.feedback_labels import label_items
from productpath.web.api.common import (
    COMMON_ERRORS,
    CONFLICT,
    DEFAULT_LIMIT,
    NOT_FOUND,
    ApiRoute,
    LimitQuery,
    OffsetQuery,
    Page,
    Text,
)
from productpath.web.api.themes import CurationDone, done
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep

router = APIRouter(tags=["feedback"], route_class=ApiRoute, responses=COMMON_ERRORS)

Kind = Literal["bug", "feature_request", "question", "praise", "other"]
Sentiment = Query(
    ge=-1, le=1, allow_inf_nan=False, description="sentiment bound, from -1 to 1 (inclusive)"
)


class FeedbackPage(Page[FeedbackPublic]):
    """A page of feedback. ``total`` stops at 10,000 (``total_capped`` is then true), so a
    broad filter stays fast; paging goes on past it."""

    total_capped: bool


class FeedbackCreate(BaseModel):
    """One piece of feedback. Personal data in ``text`` (e-mail addresses, phone and card
    numbers, ...) is redacted before it is stored. Send your own ``external_id`` to make
    retries safe: the same id again returns the stored item."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Please let me freeze my card from the app",
                    "external_id": "ticket-881",
                    "created_at": "2030-02-01T10:00:00Z",
                    "customer": "acme",
                }
            ]
        },
    )
    text: Text = Field(min_length=1, max_length=MAX_TEXT)
    external_id: Text | None = Field(default=None, max_length=200)
    created_at: AwareDatetime | None = Field(
        default=None, description="when the customer said it, with a time zone (default: now)"
    )
    customer: Text | None = Field(
        default=None, min_length=1, max_length=200, description="the customer's key"
    )


@router.get("/feedback", response_model=FeedbackPage)
def feedback(
    handle: HandleDep,
    _: ViewerDep,
    q: Annotated[
        str | None, Query(max_length=200, description="text contains this (any case)")
    ] = None,
    theme: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="theme number")] = None,
    kind: Annotated[Kind | None, Query(description="the insight engine's kind")] = None,
    sentiment_min: Annotated[float | None, Sentiment] = None,
    sentiment_max: Annotated[float | None, Sentiment] = None,
    segment: Annotated[str | None, Query(max_length=64, description="segment key")] = None,
    source: Annotated[str | None, Query(max_length=100, description="e.g. intercom, api")] = None,
    since: Annotated[dt.date | None, Query(description="said on or after this UTC day")] = None,
    until: Annotated[dt.date | None, Query(description="said on or before this UTC day")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> FeedbackPage:
    """Feedback matching every filter given, newest first. Kind, sentiment and theme filters
    match only items the insight engine has read (``productpath insights run``)."""
    found = search_feedback(
        handle,
        FeedbackSearch(
            q=q,
            theme=theme,
            kind=kind,
            sentiment_min=sentiment_min,
            sentiment_max=sentiment_max,
            segment=segment,
            source=source,
            since=since,
            until=until,
        ),
        limit=limit,
        offset=offset,
    )
    return FeedbackPage(
        items=list(found.items),
        total=found.total,
        total_capped=found.total_capped,
        limit=limit,
        offset=offset,
    )


@router.get("/feedback/{item_id}", response_model=FeedbackPublic, responses={**NOT_FOUND})
def feedback_item(
    item_id: Annotated[int, Path(ge=1, le=2**31 - 1)], handle: HandleDep, _: ViewerDep
) -> FeedbackPublic:
    """One feedback item by its id."""
    found = get_feedback(handle, item_id)
    if found is None:
        raise NotFoundError(f"no feedback item {item_id} in this workspace")
    return found


class FeedbackLabelBody(BaseModel):
    """A person's correction of an item's kind and/or sentiment. It is kept through every
    ``insights run``, shown with ``kind_set_by``/``sentiment_set_by`` = ``person``, and the
    next run's kind classifier learns from it. A field left out keeps its value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"kind": "bug", "sentiment": -0.5}]},
    )
    kind: Kind | None = None
    sentiment: float | None = Field(default=None, ge=-1, le=1, allow_inf_nan=False)


@router.patch(
    "/feedback/{item_id}",
    response_model=FeedbackPublic,
    responses={**NOT_FOUND},
)
def label_feedback(
    item_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: FeedbackLabelBody,
    handle: HandleDep,
    principal: EditorDep,
    _csrf: CsrfDep,
) -> FeedbackPublic:
    """Set the item's kind and/or sentiment as a person (editor); 422 when neither is given."""
    label_items(
        handle,
        [str(item_id)],
        kind=body.kind,
        sentiment=body.sentiment,
        set_by=principal.email or principal.name,
        numbers_only=True,
    )
    found = get_feedback(handle, item_id)
    if found is None:
        raise NotFoundError(f"no feedback item {item_id} in this workspace")
    return found


class FeedbackMove(BaseModel):
    """Items to put in a theme; later runs leave them there."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"items": ["1042", "t-77"], "theme": 3}]}
    )
    items: list[Text] = Field(min_length=1, max_length=1000, description="item ids or external ids")
    theme: int = Field(ge=1, le=2**31 - 1, description="the theme's number")


class FeedbackDismiss(BaseModel):
    """Items that are not feedback: they leave their themes and no run puts them in one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"items": ["1042"]}]})
    items: list[Text] = Field(min_length=1, max_length=1000, description="item ids or external ids")


@router.post("/feedback/move", response_model=CurationDone, responses={**NOT_FOUND})
def move_feedback(
    body: FeedbackMove, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep
) -> CurationDone:
    """Move items to a theme (editor), as ``productpath feedback move`` does."""
    return done(
        move_items(
            handle, body.items, body.theme, set_by=principal.email or principal.name, via="api"
        )
    )


@router.post("/feedback/dismiss", response_model=CurationDone, responses={**NOT_FOUND})
def dismiss_feedback(
    body: FeedbackDismiss, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep
) -> CurationDone:
    """Dismiss items as not feedback (editor), as ``productpath feedback dismiss`` does."""
    by = principal.email or principal.name
    return done(dismiss_items(handle, body.items, set_by=by, via="api"))


@router.post(
    "/feedback",
    response_model=FeedbackPublic,
    status_code=201,
    responses={
        200: {"model": FeedbackPublic, "description": "Stored already under this external_id."},
        **CONFLICT,
    },
)
def create_feedback(
    body: FeedbackCreate, handle: HandleDep, _: EditorDep, _csrf: CsrfDep
) -> Response:
    """Add one item, of source ``api``; 201 with the item (200 when ``external_id`` is stored
    already with the same text, 409 when with another text)."""
    item, added = add_feedback(
        handle,
        body.text,
        external_id=body.external_id,
        created_at=body.created_at,
        customer=body.customer,
    )
    return JSONResponse(item.model_dump(mode="json"), status_code=201 if added else 200)
