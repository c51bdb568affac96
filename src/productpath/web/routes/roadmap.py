"""The roadmap page (``/roadmap``) and its twin ``/roadmap.json``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from productpath.charts.planning import gantt_svg
from productpath.services.overview import RoadmapView, roadmap_view
from productpath.web.deps import HandleDep, render

router = APIRouter(tags=["roadmap"])


@router.api_route(
    "/roadmap", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def roadmap_page(request: Request, handle: HandleDep) -> Response:
    view = roadmap_view(handle)
    plan = view.plan
    gantt = (
        gantt_svg(plan.schedule, plan.team_names, today=plan.start)
        if plan.schedule is not None and plan.schedule.slots
        else None
    )
    return render(
        request,
        "roadmap.html",
        {"title": f"{view.product.name} roadmap", "view": view, "gantt": gantt},
        json_url=request.url_for("roadmap_json").path,
    )


@router.get("/roadmap.json", response_model=RoadmapView)
def roadmap_json(handle: HandleDep) -> RoadmapView:
    """Milestones with their initiatives, the now / next / later lanes, and the plan: the
    capacity-aware schedule (Gantt) and a seeded forecast of every milestone."""
    return roadmap_view(handle)
