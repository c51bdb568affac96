"""``/api/v1/initiatives``: list with filters, one with its score and evidence, and edits with
optimistic concurrency (the same service the initiative page's form uses)."""

from __future__ import annotations

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
from productpath.services.initiative_edit import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    InitiativeChanges,
    update_initiative,
)
from productpath.web.api.common import (
    COMMON_ERRORS,
    DEFAULT_LIMIT,
    NOT_FOUND,
    ApiRoute,
    LimitQuery,
    OffsetQuery,
    Page,
)
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep

router = APIRouter(tags=["initiatives"], route_class=ApiRoute, responses=COMMON_ERRORS)


class InitiativeUpdate(BaseModel):
    """Fields to change (left out: unchanged) and the ``version`` the edit is based on: the one
    the client last read. A stale version is refused with 409."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"version": 3, "status": "planned", "public": True}]},
    )
    version: int = Field(ge=1, description="the version the client last read")
    status: InitiativeStatus | None = None
    public: bool | None = None
    title: str | None = Field(default=None, min_length=1, max_length=MAX_TITLE)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)


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
    """Change the status, public flag, title or description. ``version`` must be the stored
    one (409 otherwise, with the stored initiative as ``current``: nothing is overwritten);
    a successful edit returns the new version."""
    try:
        update_initiative(
            handle,
            key,
            InitiativeChanges(
                status=changes.status.value if changes.status else None,
                public=changes.public,
                title=changes.title,
                description=changes.description,
            ),
            expected_version=changes.version,
            actor=principal.email or principal.name,
            via="api",
        )
    except ConflictError as exc:
        current = get_initiative(handle, key)
        body = InitiativeConflict(detail=str(exc), current=current)
        return JSONResponse(body.model_dump(mode="json"), status_code=409)
    return get_initiative(handle, key)
