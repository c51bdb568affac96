"""Arranging the roadmap in the browser: the board's move buttons (``/initiatives/{key}/move``),
the timeline page (``/timeline`` and its twin ``/timeline.json``) and its date fields
(``/initiatives/{key}/dates``). Every form works without JavaScript (post/redirect/get);
static/arrange.js adds dragging and keys on top, through the JSON API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from productpath.charts.planned import planned_svg
from productpath.errors import ConflictError, InputError
from productpath.services.pages.planned_timeline import PlannedTimeline, planned_timeline
from productpath.services.roadmap_arrange import move_initiative, set_planned_dates
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, render

router = APIRouter(tags=["roadmap"])

KEY = Annotated[str | None, Form(max_length=64)]


@router.api_route(
    "/timeline", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def timeline_page(request: Request, handle: HandleDep) -> Response:
    view = planned_timeline(handle)
    chart = planned_svg(view.rows, first=view.first, last=view.last, today=view.today)
    return render(
        request,
        "timeline.html",
        {"title": f"{view.product.name} timeline", "view": view, "chart": chart},
        json_url=request.url_for("timeline_json").path,
    )


@router.get("/timeline.json", response_model=PlannedTimeline)
def timeline_json(handle: HandleDep) -> PlannedTimeline:
    """Open initiatives in roadmap order with their planned start and target and version."""
    return planned_timeline(handle)


@router.post("/initiatives/{key}/move", response_class=HTMLResponse, include_in_schema=False)
def initiative_move(
    key: str,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    version: Annotated[int, Form(ge=1)],
    before: KEY = None,
    after: KEY = None,
) -> Response:
    """Move a card up (before the one above it) or down (after the one below) in its column."""
    try:
        move_initiative(
            handle,
            key,
            before=before or None,
            after=after or None,
            expected_version=version,
            actor=who.email or who.name,
            via="web",
        )
    except (ConflictError, InputError) as exc:
        said = urlencode({"arrange_error": _said(exc)})
        return RedirectResponse(f"/roadmap?{said}#lanes-h", status_code=303)
    return RedirectResponse(f"/roadmap?moved={key}#card-{key}", status_code=303)


@router.post("/initiatives/{key}/dates", response_class=HTMLResponse, include_in_schema=False)
def initiative_dates(
    key: str,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    version: Annotated[int, Form(ge=1)],
    start: Annotated[str, Form(max_length=10)] = "",
    target: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Set the planned start and target; a refusal is said next to the row's fields."""
    try:
        set_planned_dates(
            handle,
            key,
            start=_date(start, "start"),
            target=_date(target, "target"),
            expected_version=version,
            actor=who.email or who.name,
            via="web",
        )
    except (ConflictError, InputError) as exc:
        field = exc.field if isinstance(exc, InputError) else None
        said = urlencode(
            {
                "error_key": key,
                "error": _said(exc),
                "error_field": field or "",
                "start": start,
                "target": target,
            }
        )
        return RedirectResponse(f"/timeline?{said}#row-{key}", status_code=303)
    return RedirectResponse(f"/timeline?saved={key}#row-{key}", status_code=303)


def _date(text: str, field: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"'{text}' is not a date (YYYY-MM-DD)", field=field) from None


def _said(exc: ConflictError | InputError) -> str:
    return exc.reason if isinstance(exc, InputError) else str(exc)
