"""``/api/v1/themes``: the insight engine's themes, and one theme with its quotes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from productpath.services.pages.themes_view import (
    ThemeDetail,
    ThemeSummary,
    theme_detail,
    themes_page,
)
from productpath.web.api.common import (
    COMMON_ERRORS,
    DEFAULT_LIMIT,
    NOT_FOUND,
    ApiRoute,
    LimitQuery,
    OffsetQuery,
    Page,
    page_of,
)
from productpath.web.deps import HandleDep, ViewerDep

router = APIRouter(tags=["themes"], route_class=ApiRoute, responses=COMMON_ERRORS)


@router.get("/themes", response_model=Page[ThemeSummary])
def themes(
    handle: HandleDep, _: ViewerDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> Page[ThemeSummary]:
    """Active themes, largest first: size, share, sentiment, weekly trend, whether it is
    emerging (with the test's evidence), and the customers and segments behind it."""
    return page_of(themes_page(handle).themes, limit, offset)


@router.get("/themes/{number}", response_model=ThemeDetail, responses={**NOT_FOUND})
def theme(
    number: Annotated[int, Path(ge=1, le=2**31 - 1, description="the theme's number (#3 is 3)")],
    handle: HandleDep,
    _: ViewerDep,
) -> ThemeDetail:
    """One theme: its summary, the quotes closest to its centre, kinds, customers, segments."""
    return theme_detail(handle, number)
