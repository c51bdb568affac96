"""The themes page (``/themes``) and each theme's page (``/themes/{number}``), with their JSON
twins."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from productpath.charts.theme import sparkline_svg, weekly_svg
from productpath.services.pages.themes_view import (
    ThemeDetail,
    ThemesPage,
    theme_detail,
    themes_page,
)
from productpath.web.deps import HandleDep, render

router = APIRouter(tags=["themes"])


@router.api_route(
    "/themes", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
)
def themes_html(request: Request, handle: HandleDep) -> Response:
    view = themes_page(handle)
    return render(
        request,
        "themes.html",
        {
            "title": f"{view.product.name} themes",
            "view": view,
            "sparklines": {t.number: sparkline_svg(t) for t in view.themes},
        },
        json_url=request.url_for("themes_json").path,
    )


@router.get("/themes.json", response_model=ThemesPage)
def themes_json(handle: HandleDep) -> ThemesPage:
    """Every theme: size, share, sentiment, weekly trend, emerging evidence, who asks for it."""
    return themes_page(handle)


# The twin first: "/themes/{number}" would otherwise try to read "3.json" as a number.
@router.get("/themes/{number}.json", response_model=ThemeDetail)
def theme_json(number: str, handle: HandleDep) -> ThemeDetail:
    """One theme: quotes, kinds, weekly trend, segments and customers, emerging evidence."""
    return _detail(handle, _theme_number(number))


@router.api_route(
    "/themes/{number}",
    methods=["GET", "HEAD"],
    response_class=HTMLResponse,
    include_in_schema=False,
)
def theme_html(number: str, request: Request, handle: HandleDep) -> Response:
    view = _detail(handle, _theme_number(number))
    return render(
        request,
        "theme.html",
        {
            "title": f"#{view.theme.number} {view.theme.label} · {view.product.name}",
            "view": view,
            "chart": weekly_svg(view.theme),
        },
        json_url=request.url_for("theme_json", number=str(view.theme.number)).path,
    )


def _theme_number(raw: str) -> int:
    # The number is a path segment, so "/themes/abc" names no page (404), rather than being a
    # malformed request (FastAPI's 422 for an int parameter).
    if not (raw.isascii() and raw.isdigit()):
        raise HTTPException(status_code=404, detail=f"no theme '{raw}'")
    return int(raw)


def _detail(handle: HandleDep, number: int) -> ThemeDetail:
    return theme_detail(handle, number)
