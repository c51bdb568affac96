"""``/api/v1/initiatives``: list with filters, one with its score and evidence, and edits with
optimistic concurrency (the same service the initiative page's form uses)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from productpath.domain.roadmap import InitiativeStatus
from productpath.errors import ConflictError
from productpath.services.api.api_initiatives import (
    InitiativeFilters,
    InitiativePublic,
    InitiativeSummary,
    get_initiative,
    list_initiatives,
)
from productpath.services.initiative_edit import MAX_DESCRIPTION, MAX_TITLE, STATUSES
from productpath.services.roadmap_edit import create_object, edit_object, remove_object
from productpath.web.api.common import (
    COMMON_ERRORS,
    DEFAULT_LIMIT,
    NOT_FOUND,
    ApiRoute,
    LimitQuery,
    OffsetQuery,
    Page,
    Text,
)
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep
from productpath.web.principal import Principal

router = APIRouter(tags=["initiatives"], route_class=ApiRoute, responses=COMMON_ERRORS)


class EstimateBody(BaseModel):
    """A three-point estimate in ideal weeks (optimistic <= likely <= pessimistic)."""

    model_config = ConfigDict(extra="forbid")
    optimistic: float
    likely: float
    pessimistic: float


class InitiativeFields(BaseModel):
    """An initiative's fields as roadmap.yaml names them; keys name the team, objective and
    milestone. Values are checked by the rules of ``roadmap apply``, with its error wording."""

    model_config = ConfigDict(extra="forbid")
    title: Text | None = Field(default=None, max_length=MAX_TITLE)
    description: Text | None = Field(default=None, max_length=MAX_DESCRIPTION)
    status: str | None = Field(
        default=None, max_length=20, description=f"one of {', '.join(STATUSES)}"
    )
    team: str | None = Field(default=None, max_length=64, description="a team's key")
    objective: str | None = Field(default=None, max_length=64, description="an objective's key")
    milestone: str | None = Field(default=None, max_length=64, description="a milestone's key")
    estimate: EstimateBody | None = None
    depends_on: list[str] | None = Field(
        default=None, max_length=500, description="keys of the initiatives it waits for"
    )
    themes: list[int] | None = Field(
        default=None, max_length=500, description="numbers of the linked themes"
    )
    public: bool | None = None
    start: dt.date | None = Field(default=None, description="planned start")
    target: dt.date | None = Field(default=None, description="planned finish (not before start)")


class InitiativeCreate(InitiativeFields):
    """A new initiative: ``title`` is needed; ``key`` defaults to the slug of the title."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Split bills", "team": "payments", "milestone": "ga"}]
        },
    )
    key: str | None = Field(default=None, max_length=64, description="the stable id")
    title: Text = Field(max_length=MAX_TITLE)


class InitiativeUpdate(InitiativeFields):
    """Fields to change (left out: unchanged; null: unset) and the ``version`` the edit is
    based on: the one the client last read. A stale version is refused with 409."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"version": 3, "status": "planned", "public": True}]},
    )
    version: int = Field(ge=1, description="the version the client last read")


def _values(body: InitiativeFields) -> dict[str, Any]:
    values = body.model_dump(mode="json", exclude_unset=True, exclude={"version", "key"})
    if isinstance(body, InitiativeCreate) and body.key:
        values["id"] = body.key
    return values


@router.get("/initiatives", response_model=Page[InitiativeSummary])
def initiatives(
    handle: HandleDep,
    _: ViewerDep,
    status: Annotated[InitiativeStatus | None, Query(description="only this status")] = None,
    team: Annotated[str | None, Query(description="only this team (its key)")] = None,
    milestone: Annotated[str | None, Query(description="only this milestone (its key)")] = None,
    public: Annotated[bool | None, Query(description="only those on the portal (or not)")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[InitiativeSummary]:
    """The product's initiatives in roadmap order, filtered; each with its ``version``."""
    filters = InitiativeFilters(
        status=status.value if status else None, team=team, milestone=milestone, public=public
    )
    total, rows = list_initiatives(handle, filters, limit=limit, offset=offset)
    return Page[InitiativeSummary](items=rows, total=total, limit=limit, offset=offset)


@router.get("/initiatives/{key}", response_model=InitiativePublic, responses={**NOT_FOUND})
def initiative(key: str, handle: HandleDep, _: ViewerDep) -> InitiativePublic:
    """One initiative: its fields, score breakdown (each term with its source), the evidence
    behind it, votes and comments."""
    return get_initiative(handle, key)


class InitiativeConflict(BaseModel):
    """A stale edit: why, and the initiative as it is now stored (its ``version`` included), so
    the client can show both changes and send again the one the person keeps."""

    detail: str
    current: InitiativePublic


STALE: dict[int | str, dict[str, Any]] = {
    409: {
        "model": InitiativeConflict,
        "description": "The initiative changed since the version the request names; "
        "`current` is the stored one.",
    }
}


def _actor(principal: Principal) -> str:
    return principal.email or principal.name


def _conflict(handle: HandleDep, key: str, exc: ConflictError) -> JSONResponse:
    body = InitiativeConflict(detail=str(exc), current=get_initiative(handle, key))
    return JSONResponse(body.model_dump(mode="json"), status_code=409)


@router.post(
    "/initiatives",
    response_model=InitiativePublic,
    status_code=201,
    responses={**NOT_FOUND},
)
def create_initiative(
    body: InitiativeCreate, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep
) -> InitiativePublic:
    """Add an initiative. ``key`` defaults to the slug of the title; an existing key, an
    unknown team, objective or milestone, a dependency cycle or a target before the start is
    refused (422, naming the field) with the words of ``roadmap apply``: nothing is saved."""
    saved = create_object(handle, "initiative", _values(body), actor=_actor(principal), via="api")
    return get_initiative(handle, saved.key)


@router.patch(
    "/initiatives/{key}",
    response_model=InitiativePublic,
    responses={**NOT_FOUND, **STALE},
)
def edit_initiative(
    key: str,
    changes: InitiativeUpdate,
    handle: HandleDep,
    principal: EditorDep,
    _csrf: CsrfDep,
) -> InitiativePublic | JSONResponse:
    """Change any field. ``version`` must be the stored one (409 otherwise, with the stored
    initiative as ``current``: nothing is overwritten); a successful edit returns the new
    version. Bad values are refused (422) as ``roadmap apply`` refuses them."""
    try:
        edit_object(
            handle,
            "initiative",
            key,
            _values(changes),
            expected_version=changes.version,
            actor=_actor(principal),
            via="api",
        )
    except ConflictError as exc:
        return _conflict(handle, key, exc)
    return get_initiative(handle, key)


@router.delete(
    "/initiatives/{key}",
    response_model=InitiativePublic,
    responses={**NOT_FOUND, **STALE},
)
def archive_initiative(
    key: str,
    handle: HandleDep,
    principal: EditorDep,
    _csrf: CsrfDep,
    version: Annotated[
        int | None, Query(ge=1, description="refuse (409) unless this is the stored version")
    ] = None,
) -> InitiativePublic | JSONResponse:
    """Archive the initiative (``status: archived``): it leaves boards, schedules, forecasts
    and scoring, and keeps its page and history. Undo it with a PATCH of its status."""
    try:
        remove_object(
            handle,
            "initiative",
            key,
            expected_version=version,
            actor=_actor(principal),
            via="api",
        )
    except ConflictError as exc:
        return _conflict(handle, key, exc)
    return get_initiative(handle, key)
