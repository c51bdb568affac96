"""The forecast page (``/forecast``): each milestone's chance and fan chart, each initiative's
P50/P85/P95 finish; and its twin ``/forecast.json``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from productpath.charts.planning import fan_svg
from productpath.services.pages.overview import ForecastView, forecast_view
from productpath.web.deps import HandleDep, render

router = APIRouter(tags=["planning"])


@router.api_route(
    "/forecast", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def forecast_page(request: Request, handle: HandleDep, calibrate: bool = False) -> Response:
    view = forecast_view(handle, calibrate=calibrate)
    forecast = view.plan.forecast
    fans = {}
    if forecast is not None:
        fans = {m.key: fan_svg(m, forecast.start) for m in forecast.milestones if m.fan}
    return render(
        request,
        "forecast.html",
        {"title": f"{view.product.name} forecast", "view": view, "fans": fans},
        json_url=request.url_for("forecast_json").path + ("?calibrate=true" if calibrate else ""),
    )


@router.get("/forecast.json", response_model=ForecastView)
def forecast_json(handle: HandleDep, calibrate: bool = False) -> ForecastView:
    """Roadmap-wide Monte Carlo (seeded, so the page is stable): P(each milestone met), its
    fan of finish dates, and P50/P85/P95 finish of every initiative; the schedule it uses.
    ``calibrate=true`` rescales each team's estimates by its retrospective factor."""
    return forecast_view(handle, calibrate=calibrate)
