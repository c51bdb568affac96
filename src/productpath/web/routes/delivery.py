"""The delivery page (``/delivery``) and each initiative's page (``/initiatives/{key}``), with
their JSON twins."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from productpath.charts.delivery import burnup_svg
from productpath.services.history import object_history
from productpath.services.pages.delivery_view import DeliveryPage, delivery_page
from productpath.services.pages.initiative_view import InitiativeDetail, initiative_detail
from productpath.web.deps import HandleDep, render

router = APIRouter(tags=["delivery"])

HISTORY_SHOWN = 20  # the initiative page's history; the API and CLI give the rest
RISK_LABELS = {
    "slipping": "Slipping",
    "dependency_slipped": "Dependency slipping",
    "stale": "Stale",
    "scope_growth": "Scope growing",
    "concentration": "One person",
}
RULE_LABELS = {
    "manual": "linked by hand",
    "trailer": "Initiative: trailer",
    "message_key": "key in the message",
    "pr_title": "key in the pull request title",
    "branch": "branch name",
    "epic": "epic in work.epics",
    "label": "label in work.labels",
}


@router.api_route(
    "/delivery", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def delivery_html(request: Request, handle: HandleDep) -> Response:
    view = delivery_page(handle)
    charts = {}
    if view.status is not None:
        burnups = {b.milestone: b for b in view.burnups}
        charts = {m.key: burnup_svg(m, burnups[m.key], view.today) for m in view.status.milestones}
    return render(
        request,
        "delivery.html",
        {
            "title": f"{view.product.name} delivery",
            "view": view,
            "charts": charts,
            "risk_labels": RISK_LABELS,
        },
        json_url=request.url_for("delivery_json").path,
    )


@router.get("/delivery.json", response_model=DeliveryPage)
def delivery_json(handle: HandleDep) -> DeliveryPage:
    """Per milestone: scope, burn-up, projection against the target, risks; flow metrics."""
    return delivery_page(handle)


# The twin first: "/initiatives/{key}" would otherwise take "x.json" as the key "x.json".
@router.get("/initiatives/{key}.json", response_model=InitiativeDetail)
def initiative_json(key: str, handle: HandleDep) -> InitiativeDetail:
    """One initiative: roadmap fields, dependencies, linked commits and items, contributors."""
    return _detail(handle, key)


@router.api_route(
    "/initiatives/{key}",
    methods=["GET", "HEAD"],
    response_class=HTMLResponse,
    include_in_schema=False,
)
def initiative_html(key: str, request: Request, handle: HandleDep) -> Response:
    view = _detail(handle, key)
    return render(
        request,
        "initiative.html",
        {
            "title": f"{view.title} · {view.product.name}",
            "view": view,
            "history": object_history(handle, "initiative", key, limit=HISTORY_SHOWN),
            "rule_labels": RULE_LABELS,
            "risk_labels": RISK_LABELS,
        },
        json_url=request.url_for("initiative_json", key=key).path,
    )


def _detail(handle: HandleDep, key: str) -> InitiativeDetail:
    return initiative_detail(handle, key)
