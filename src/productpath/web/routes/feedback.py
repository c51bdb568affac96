"""/feedback: the feedback explorer (search, filters, pagination, CSV export), with its twins
``/feedback.json`` and ``/feedback.csv`` (every item the current filter matches), and its bulk
action bar (``POST /feedback/bulk``: move the ticked items to a theme, dismiss them, label
their kind), which theme pages use for their members too."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from starlette.responses import Response

from productpath.errors import InputError
from productpath.services.curation import dismiss_items, move_items
from productpath.services.feedback_labels import label_items
from productpath.services.pages.feedback_explorer import (
    FeedbackExplorer,
    FeedbackQuery,
    explore,
    export_csv,
    validate,
)
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep, render
from productpath.web.form_errors import refused

router = APIRouter(tags=["feedback"])


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _number(value: str | None, field: str) -> int | None:
    value = _text(value)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(f"'{value}' is not a whole number", field=field) from None


def _whole(value: str | None, field: str, default: int) -> int:
    number = _number(value, field)
    return default if number is None else number


def _day(value: str | None, field: str) -> dt.date | None:
    value = _text(value)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{value}' is not a date (YYYY-MM-DD)", field=field) from None


def feedback_query(
    q: Annotated[str | None, Query(description="Text the item contains (any case).")] = None,
    theme: Annotated[str | None, Query(description="A theme's number.")] = None,
    kind: Annotated[
        str | None, Query(description="bug, feature_request, question, praise or other.")
    ] = None,
    sentiment: Annotated[str | None, Query(description="neg, neutral or pos.")] = None,
    segment: Annotated[str | None, Query(description="A customer segment's key.")] = None,
    source: Annotated[str | None, Query(description="The import source.")] = None,
    since: Annotated[str | None, Query(description="First day, YYYY-MM-DD (UTC).")] = None,
    until: Annotated[str | None, Query(description="Last day, YYYY-MM-DD (UTC).")] = None,
    page: Annotated[str | None, Query(description="Page number, from 1.")] = None,
    per_page: Annotated[str | None, Query(description="Items per page, 1 to 200.")] = None,
) -> FeedbackQuery:
    """The explorer's filter from the URL. Empty fields (a form's "any") filter nothing; a
    value out of range answers 422 naming the field."""
    try:
        return validate(
            FeedbackQuery(
                q=_text(q),
                theme=_number(theme, "theme"),
                kind=_text(kind),
                sentiment=_text(sentiment),
                segment=_text(segment),
                source=_text(source),
                since=_day(since, "since"),
                until=_day(until, "until"),
                # Only a missing value takes the default: page=0 is refused like page=-1.
                page=_whole(page, "page", 1),
                per_page=_whole(per_page, "per_page", 50),
            )
        )
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


QueryDep = Annotated[FeedbackQuery, Depends(feedback_query)]


@router.api_route(
    "/feedback", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def feedback_page(
    request: Request, handle: HandleDep, query: QueryDep, _who: ViewerDep
) -> Response:
    view = explore(handle, query)
    return render(
        request,
        "feedback_explorer.html",
        {
            "title": f"Feedback · {view.product.name}",
            "view": view,
            "query": query,
            "csv_url": "/feedback.csv" + _with(query.params(page=None, per_page=None)),
            "prev_url": "/feedback" + _with(query.params(page=query.page - 1))
            if query.page > 1
            else None,
            "next_url": "/feedback" + _with(query.params(page=query.page + 1))
            if view.has_next
            else None,
        },
        json_url="/feedback.json" + _with(query.params()),
    )


@router.get("/feedback.json", response_model=FeedbackExplorer)
def feedback_json(handle: HandleDep, query: QueryDep, _who: ViewerDep) -> FeedbackExplorer:
    """One page of feedback matching the filter, newest first, with the total (counted up to
    1,000: ``total_capped`` says there are more) and the choices the filter form offers."""
    return explore(handle, query)


@router.get(
    "/feedback.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The matching items as CSV."}},
)
def feedback_csv(handle: HandleDep, query: QueryDep, _who: ViewerDep) -> StreamingResponse:
    """Every item matching the filter (all pages) as CSV, newest first. Text cells that a
    spreadsheet would run as a formula start with an apostrophe."""
    rows = export_csv(handle, query)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="feedback-{stamp}.csv"'},
    )


def _with(params: str) -> str:
    return "?" + params if params else ""


BULK_ACTIONS = ("move", "dismiss", "label")


@router.post("/feedback/bulk", include_in_schema=False)
def feedback_bulk(
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    action: Annotated[str, Form(max_length=20)] = "",
    items: Annotated[list[str] | None, Form()] = None,
    theme: Annotated[str, Form(max_length=20)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/feedback",
) -> Response:
    """One action on the ticked items; back to the page the form was on."""
    chosen = [item for item in (items or []) if item.strip()]
    by = who.email or who.name
    with refused():
        if action not in BULK_ACTIONS:
            raise InputError(f"unknown action '{action}' (move, dismiss or label)", field="action")
        if not chosen:
            raise InputError("tick at least one item", field="items")
        if action == "move":
            if not theme.strip():
                raise InputError("choose the theme to move them to", field="theme")
            move_items(handle, chosen, theme, set_by=by, numbers_only=True, via="web")
        elif action == "dismiss":
            dismiss_items(handle, chosen, set_by=by, numbers_only=True, via="web")
        else:
            label_items(handle, chosen, kind=kind or None, sentiment=None, set_by=by,
                        numbers_only=True)  # fmt: skip
    return RedirectResponse(_local(next), status_code=303)


def _local(target: str) -> str:
    """Only a path on this site (never another host) to go back to."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/feedback"
