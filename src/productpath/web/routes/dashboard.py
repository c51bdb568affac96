"""The dashboard (``/``) and its twin ``/dashboard.json``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from productpath.services.history import recent_activity
from productpath.services.pages.overview import Dashboard, dashboard
from productpath.web.deps import HandleDep, render

router = APIRouter(tags=["dashboard"])
ACTIVITY_SHOWN = 10  # the recent-activity feed; /api/v1/activity gives more


# HEAD too, for link checkers and `curl -I`; the pages are not in the OpenAPI document.
@router.api_route(
    "/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def dashboard_page(request: Request, handle: HandleDep) -> Response:
    view = dashboard(handle)
    return render(
        request,
        "dashboard.html",
        {
            "title": f"{view.product.name} dashboard",
            "view": view,
            "activity": recent_activity(handle, limit=ACTIVITY_SHOWN),
        },
        json_url=request.url_for("dashboard_json").path,
    )


@router.get("/dashboard.json", response_model=Dashboard)
def dashboard_json(handle: HandleDep) -> Dashboard:
    """The dashboard's data: objectives, initiative counts, milestones and feedback totals."""
    return dashboard(handle)
