"""A milestone's own page (``/milestones/{key}``) and its twin ``/milestones/{key}.json``.

Its watch button and comment box post to the routes in ``web/routes/notifications.py``; its
edit form is ``/milestones/{key}/edit`` (``web/routes/roadmap_edit.py``, editors only).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from productpath.services.pages.milestone_view import MilestonePage, milestone_page
from productpath.web.deps import HandleDep, render
from productpath.web.routes.delivery import RISK_LABELS

router = APIRouter(tags=["delivery"])


# The twin first: "/milestones/{key}" would otherwise take "x.json" as the key "x.json".
@router.get("/milestones/{key}.json", response_model=MilestonePage)
def milestone_json(key: str, handle: HandleDep) -> MilestonePage:
    """One milestone: target date, its initiatives with status and risks, the forecast's P50
    and P85 dates against the target, delivery's projection, and its latest changes."""
    return milestone_page(handle, key)


@router.api_route(
    "/milestones/{key}",
    methods=["GET", "HEAD"],
    response_class=HTMLResponse,
    include_in_schema=False,
)
def milestone_html(key: str, request: Request, handle: HandleDep) -> Response:
    view = milestone_page(handle, key)
    return render(
        request,
        "milestone.html",
        {"title": f"{view.name} · {view.product.name}", "view": view, "risk_labels": RISK_LABELS},
        json_url=request.url_for("milestone_json", key=key).path,
    )
