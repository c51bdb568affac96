"""``/api/v1/themes``: the insight engine's themes, and one theme with its quotes; rename,
merge and split them (curation that later runs keep)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from productpath.services.curation import (
    Decided,
    decisions,
    merge_themes,
    rename_theme,
    split_theme,
    undo,
)
from productpath.services.pages.theme_history import MAX_ENTRIES, ThemeChange, theme_history
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
    Text,
    page_of,
)
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep
from productpath.web.principal import Principal

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


@router.get("/themes/{number}/history", response_model=list[ThemeChange], responses={**NOT_FOUND})
def history(
    number: Annotated[int, Path(ge=1, le=2**31 - 1, description="the theme's number (#3 is 3)")],
    handle: HandleDep,
    _: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_ENTRIES, description="at most this many")] = 100,
) -> list[ThemeChange]:
    """Every curation decision that touched the theme, newest first, in the shape of the
    roadmap's history (``at``, ``actor``, ``via``, ``field``, ``before``, ``after``) plus the
    decision's number, action and summary: ``label`` for a rename, ``merged`` (themes merged,
    the one kept), ``split`` (theme split, its parts), ``members`` (item ids that joined
    or left), ``dismissed`` (item ids that left as not feedback); an undo repeats the entry it
    took back, before and after swapped."""
    return theme_history(handle, number, limit=limit)


class CurationDone(BaseModel):
    """A curation decision just taken: its number in the log (``productpath curation undo N``
    takes it back), what it did, and the themes it touched."""

    number: int
    action: str
    summary: str
    themes: list[int]
    items: int


class ThemeRename(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"label": "Double charges"}]}
    )
    label: Text = Field(max_length=2000, description="the new label, 1 to 200 characters")


class ThemeMerge(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"themes": [3, 7]}]})
    themes: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        min_length=2, max_length=50, description="two or more theme numbers; the first is kept"
    )


class ThemeSplit(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"into": 2}]})
    into: int = Field(default=2, ge=2, le=10, description="sub-themes to re-cluster into")
    items: list[Text] = Field(
        default_factory=list,
        max_length=1000,
        description="pick these items (ids or external ids) into a new theme instead",
    )


Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="the theme's number (#3 is 3)")]


def done(decided: Decided) -> CurationDone:
    return CurationDone(
        number=decided.number,
        action=decided.action,
        summary=decided.summary,
        themes=list(decided.themes),
        items=decided.items,
    )


def _who(principal: Principal) -> str | None:
    return principal.email or principal.name


@router.patch("/themes/{number}", response_model=CurationDone, responses={**NOT_FOUND})
def rename(
    number: Number, body: ThemeRename, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep
) -> CurationDone:
    """Rename a theme (editor): the label and the theme's members are kept by every later run,
    incremental or full, and the label shows as set by a person."""
    return done(rename_theme(handle, number, body.label, set_by=_who(principal), via="api"))


@router.post("/themes/merge", response_model=CurationDone, responses={**NOT_FOUND})
def merge(
    body: ThemeMerge, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep
) -> CurationDone:
    """Merge two or more themes into the first (editor); later runs keep them merged."""
    return done(merge_themes(handle, body.themes, set_by=_who(principal), via="api"))


@router.post("/themes/{number}/split", response_model=CurationDone, responses={**NOT_FOUND})
def split(
    number: Number, body: ThemeSplit, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep
) -> CurationDone:
    """Split a theme (editor): re-cluster its members into ``into`` parts, or make the picked
    ``items`` a new theme. The largest part keeps the number; later runs keep the split."""
    return done(
        split_theme(
            handle,
            number,
            into=body.into,
            items=body.items,
            set_by=_who(principal),
            via="api",
        )
    )


class CurationEntry(BaseModel):
    number: int
    action: str
    summary: str
    set_by: str | None
    set_at: dt.datetime
    undone_at: dt.datetime | None


@router.get("/curation", response_model=list[CurationEntry])
def curation(handle: HandleDep, _: ViewerDep) -> list[CurationEntry]:
    """The curation log, oldest first: every rename, merge, split, move and dismissal, who took
    it and when, and when it was undone."""
    return [CurationEntry(**row.as_dict()) for row in decisions(handle)]


@router.post("/curation/{number}/undo", response_model=CurationDone, responses={**NOT_FOUND})
def undo_decision(
    number: Annotated[int, Path(ge=1, le=2**31 - 1, description="the decision's number")],
    handle: HandleDep,
    principal: EditorDep,
    _csrf: CsrfDep,
) -> CurationDone:
    """Take back one decision (editor); later decisions keep their effect."""
    return done(undo(handle, number, by=_who(principal), via="api"))
