"""The learning pages: KPIs (``/kpis``, ``/kpis/{key}``), decisions (``/decisions``,
``/decisions/{key}``) and experiment read-outs (``/experiments/{key}``), each with its JSON
twin."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from productpath.charts.learning import kpi_svg
from productpath.domain.views import ProductInfo
from productpath.services.learning.decisions import (
    DecisionPage,
    DecisionsPage,
    decision_detail,
    list_decisions,
)
from productpath.services.learning.experiments import (
    ExperimentReport,
    ExperimentSummary,
    experiment_detail,
    list_experiments,
)
from productpath.services.learning.kpis import KpiDetail, KpiSummary, kpi_detail, list_kpis
from productpath.services.page_common import product_info
from productpath.web.deps import HandleDep, render

router = APIRouter(tags=["learning"])


class KpisPage(BaseModel):
    model_config = ConfigDict(frozen=True)
    product: ProductInfo
    kpis: tuple[KpiSummary, ...]
    experiments: tuple[ExperimentSummary, ...]


def _kpis_page(handle: HandleDep) -> KpisPage:
    return KpisPage(
        product=product_info(handle),
        kpis=tuple(list_kpis(handle)),
        experiments=tuple(list_experiments(handle)),
    )


@router.api_route(
    "/kpis", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def kpis_html(request: Request, handle: HandleDep) -> Response:
    view = _kpis_page(handle)
    return render(
        request,
        "kpis.html",
        {"title": f"{view.product.name} KPIs", "view": view},
        json_url=request.url_for("kpis_json").path,
    )


@router.get("/kpis.json", response_model=KpisPage)
def kpis_json(handle: HandleDep) -> KpisPage:
    """Every KPI with its span and latest value, and the stored experiments."""
    return _kpis_page(handle)


def _kpi(handle: HandleDep, key: str, segment: str) -> KpiDetail:
    return kpi_detail(handle, key, segment=segment)


# Twins first: "/kpis/{key}" would otherwise take "x.json" as the key "x.json".
@router.get("/kpis/{key}.json", response_model=KpiDetail)
def kpi_json(key: str, handle: HandleDep, segment: str = "") -> KpiDetail:
    """One KPI: values, expected level, trend, weekly pattern, anomalies, the methods used."""
    return _kpi(handle, key, segment)


@router.api_route(
    "/kpis/{key}", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def kpi_html(key: str, request: Request, handle: HandleDep, segment: str = "") -> Response:
    view = _kpi(handle, key, segment)
    json_url = request.url_for("kpi_json", key=key).path
    if segment:
        json_url += f"?segment={quote(segment)}"
    return render(
        request,
        "kpi.html",
        {"title": f"{view.name} · {view.product.name}", "view": view, "chart": kpi_svg(view)},
        json_url=json_url,
    )


@router.api_route(
    "/decisions", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def decisions_html(request: Request, handle: HandleDep) -> Response:
    view = list_decisions(handle)
    return render(
        request,
        "decisions.html",
        {"title": f"{view.product.name} decisions", "view": view},
        json_url=request.url_for("decisions_json").path,
    )


@router.get("/decisions.json", response_model=DecisionsPage)
def decisions_json(handle: HandleDep) -> DecisionsPage:
    """The decision log, newest first, each with what its KPI says now."""
    return list_decisions(handle)


def _decision(handle: HandleDep, key: str, today: dt.date | None = None) -> DecisionPage:
    return decision_detail(handle, key, today=today)


@router.get("/decisions/{key}.json", response_model=DecisionPage)
def decision_json(key: str, handle: HandleDep) -> DecisionPage:
    """One decision: options, evidence (deleted targets flagged), expected and actual outcome."""
    return _decision(handle, key)


@router.api_route(
    "/decisions/{key}",
    methods=["GET", "HEAD"],
    response_class=HTMLResponse,
    include_in_schema=False,
)
def decision_html(key: str, request: Request, handle: HandleDep) -> Response:
    view = _decision(handle, key)
    return render(
        request,
        "decision.html",
        {"title": f"{view.decision.title} · {view.product.name}", "view": view},
        json_url=request.url_for("decision_json", key=key).path,
    )


def _experiment(handle: HandleDep, key: str) -> ExperimentReport:
    return experiment_detail(handle, key)


@router.get("/experiments/{key}.json", response_model=ExperimentReport)
def experiment_json(key: str, handle: HandleDep) -> ExperimentReport:
    """A stored experiment read-out: the SRM check, and each comparison with lift, CI and p."""
    return _experiment(handle, key)


@router.api_route(
    "/experiments/{key}",
    methods=["GET", "HEAD"],
    response_class=HTMLResponse,
    include_in_schema=False,
)
def experiment_html(key: str, request: Request, handle: HandleDep) -> Response:
    view = _experiment(handle, key)
    return render(
        request,
        "experiment.html",
        {"title": f"{view.name} · {view.product.name}", "view": view},
        json_url=request.url_for("experiment_json", key=key).path,
    )
