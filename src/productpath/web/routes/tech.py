"""The tech radar (``/radar``) and code health (``/code-health``) pages, with their twins."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from productpath.charts.tech import radar_svg
from productpath.services.pages.tech_view import (
    CodeHealthView,
    RadarView,
    code_health_view,
    radar_view,
)
from productpath.web.deps import HandleDep, render

router = APIRouter(tags=["tech"])


@router.api_route(
    "/radar", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def radar_page(request: Request, handle: HandleDep) -> Response:
    view = radar_view(handle)
    return render(
        request,
        "radar.html",
        {"title": f"{view.product.name} tech radar", "view": view, "chart": radar_svg(view)},
        json_url=request.url_for("radar_json").path,
    )


@router.get("/radar.json", response_model=RadarView)
def radar_json(handle: HandleDep) -> RadarView:
    """The radar's entries by quadrant and ring, and each repository's flagged dependencies."""
    return radar_view(handle)


@router.api_route(
    "/code-health", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def code_health_page(request: Request, handle: HandleDep) -> Response:
    view = code_health_view(handle)
    return render(
        request,
        "code_health.html",
        {"title": f"{view.product.name} code health", "view": view},
        json_url=request.url_for("code_health_json").path,
    )


@router.get("/code-health.json", response_model=CodeHealthView)
def code_health_json(handle: HandleDep) -> CodeHealthView:
    """Hotspots, bus factor and abandoned areas of each ingested repository on disk."""
    return code_health_view(handle)
