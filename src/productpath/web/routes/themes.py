"""The themes page (``/themes``) and each theme's page (``/themes/{number}``), with their JSON
twins; the theme page's forms rename, merge and split the theme (curation decisions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from productpath.charts.theme import sparkline_svg, weekly_svg
from productpath.errors import InputError
from productpath.services.curation import merge_themes, rename_theme, split_theme
from productpath.services.pages.theme_history import theme_history
from productpath.services.pages.themes_view import (
    ThemeDetail,
    ThemesPage,
    theme_detail,
    themes_page,
)
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, render
from productpath.web.form_errors import refused

router = APIRouter(tags=["themes"])
HISTORY_SHOWN = 20  # the theme page's history; /api/v1/themes/{number}/history gives the rest


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
            "others": [t for t in themes_page(handle).themes if t.number != view.theme.number],
            "history": theme_history(handle, view.theme.number, limit=HISTORY_SHOWN),
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


@router.post("/themes/{number}/rename", include_in_schema=False)
def rename_form(
    number: str,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    label: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The theme page's rename form: the label is kept by every later run."""
    with refused():
        rename_theme(handle, _theme_number(number), label, set_by=who.email or who.name, via="web")
    return RedirectResponse(f"/themes/{_theme_number(number)}", status_code=303)


@router.post("/themes/{number}/merge", include_in_schema=False)
def merge_form(
    number: str,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    other: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """ "Merge with…": the themes chosen fold into this one."""
    kept = _theme_number(number)
    with refused():
        merge_themes(handle, [kept, *(other or [])], set_by=who.email or who.name, via="web")
    return RedirectResponse(f"/themes/{kept}", status_code=303)


@router.post("/themes/{number}/split", include_in_schema=False)
def split_form(
    number: str,
    handle: HandleDep,
    who: EditorDep,
    _csrf: CsrfDep,
    into: Annotated[str, Form(max_length=5)] = "2",
    items: Annotated[list[str] | None, Form()] = None,
    picked: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Split: the ticked members become a new theme, or the members are re-clustered."""
    kept = _theme_number(number)
    chosen = [item for item in (items or []) if item.strip()]
    with refused():
        if picked and not chosen:
            raise InputError("tick the members that should become a new theme", field="items")
        parts = int(into) if into.strip().isdigit() and len(into) < 3 else 0
        split_theme(
            handle,
            kept,
            into=parts,
            items=chosen,
            set_by=who.email or who.name,
            numbers_only=True,
            via="web",
        )
    return RedirectResponse(f"/themes/{kept}", status_code=303)
