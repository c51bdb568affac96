"""``/api/v1/{initiatives|objectives|milestones|teams}/{key}/history`` and ``.../undo``, and the
product's recent activity (``/api/v1/activity``): the change history of services.history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from productpath.services.history import (
    MAX_ENTRIES,
    HistoryEntry,
    UndoResult,
    object_history,
    recent_activity,
    undo,
)
from productpath.web.api.common import COMMON_ERRORS, CONFLICT, NOT_FOUND, ApiRoute
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep

router = APIRouter(route_class=ApiRoute, responses=COMMON_ERRORS)

# URL segment -> object type in the history.
KINDS = {
    "initiatives": "initiative",
    "objectives": "objective",
    "milestones": "milestone",
    "teams": "team",
}
HistoryLimit = Annotated[int, Query(ge=1, le=MAX_ENTRIES, description="at most this many")]


class UndoRequest(BaseModel):
    """Which edit to undo; left out, the object's latest."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})
    edit: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        description="an `edit` id from the object's history",
    )


def _history_route(kind: str) -> Callable[..., list[HistoryEntry]]:
    def history(
        key: str, handle: HandleDep, _: ViewerDep, limit: HistoryLimit = 100
    ) -> list[HistoryEntry]:
        return object_history(handle, kind, key, limit=limit)

    history.__doc__ = (
        f"Every change of the {kind}, newest first: when, who, through what (web, api, cli, "
        "roadmap-apply, sync), which field, and its value before and after."
    )
    history.__name__ = f"{kind}_history"
    return history


def _undo_route(kind: str) -> Callable[..., UndoResult]:
    def undo_change(
        key: str,
        handle: HandleDep,
        principal: EditorDep,
        _csrf: CsrfDep,
        request: Annotated[UndoRequest | None, Body()] = None,
    ) -> UndoResult:
        return undo(
            handle,
            kind,
            key,
            edit=request.edit if request else None,
            actor=principal.email or principal.name,
            via="api",
        )

    undo_change.__doc__ = (
        f"Put back the values one edit of the {kind} replaced (default: its latest edit). "
        "409 when a later edit changed one of the same fields; 422 when the old values no "
        "longer fit the roadmap. The undo is itself recorded."
    )
    undo_change.__name__ = f"undo_{kind}_change"
    return undo_change


for segment, kind in KINDS.items():
    router.add_api_route(
        f"/{segment}/{{key}}/history",
        _history_route(kind),
        methods=["GET"],
        response_model=list[HistoryEntry],
        responses={**NOT_FOUND},
        tags=[segment],
    )
    router.add_api_route(
        f"/{segment}/{{key}}/undo",
        _undo_route(kind),
        methods=["POST"],
        response_model=UndoResult,
        responses={**NOT_FOUND, **CONFLICT},
        tags=[segment],
    )


@router.get("/activity", response_model=list[HistoryEntry], tags=["activity"])
def activity(handle: HandleDep, _: ViewerDep, limit: HistoryLimit = 50) -> Any:
    """The product's latest changes of any object, newest first (the dashboard's feed)."""
    return recent_activity(handle, limit=limit)
