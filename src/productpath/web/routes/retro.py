"""The retrospective page (``/retro``) and its JSON twin: forecast hit rates, estimate
calibration and the outcome review of shipped initiatives."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from productpath.charts.retro import hit_rate_svg
from productpath.domain.views import ProductInfo
from productpath.learning.retro import EstimateRetro, ForecastRetro
from productpath.services.forecasting.retro import OutcomeRow, outcome_review, retrospective
from productpath.services.page_common import product_info
from productpath.web.deps import HandleDep, render

router = APIRouter(tags=["learning"])


class RetroPage(BaseModel):
    model_config = ConfigDict(frozen=True)
    product: ProductInfo
    forecasts: ForecastRetro
    estimates: EstimateRetro
    outcomes: tuple[OutcomeRow, ...]


def _page(handle: HandleDep) -> RetroPage:
    result = retrospective(handle)
    return RetroPage(
        product=product_info(handle),
        forecasts=result.forecasts,
        estimates=result.estimates,
        outcomes=tuple(outcome_review(handle)),
    )


@router.api_route(
    "/retro", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def retro_html(request: Request, handle: HandleDep) -> Response:
    view = _page(handle)
    return render(
        request,
        "retro.html",
        {
            "title": f"{view.product.name} retrospective",
            "view": view,
            "chart": hit_rate_svg(view.forecasts.overall),
        },
        json_url=request.url_for("retro_json").path,
    )


@router.get("/retro.json", response_model=RetroPage)
def retro_json(handle: HandleDep) -> RetroPage:
    """Forecast hit rates (overall, by team, by month), estimate calibration, KPI outcomes."""
    return _page(handle)
