"""``POST /api/v1/{objectives|milestones|teams}``, ``PATCH`` and ``DELETE`` of one, and
``GET /api/v1/teams[/{key}]``: the roadmap's other objects edited through the service the
browser's forms use (services.roadmap_edit), with the rules and wording of ``roadmap apply``.

Each answer is the object as roadmap.yaml writes it, with its ``version``; a stale version is
409 with the stored object as ``current``. Deleting one that initiatives still name is 422.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from productpath.errors import ConflictError
from productpath.services.roadmap_edit import (
    create_object,
    edit_object,
    list_objects,
    object_spec,
    remove_object,
)
from productpath.web.api.common import COMMON_ERRORS, NOT_FOUND, ApiRoute, Text
from productpath.web.deps import CsrfDep, EditorDep, HandleDep, ViewerDep

router = APIRouter(route_class=ApiRoute, responses=COMMON_ERRORS)


class RoadmapObject(BaseModel):
    """One objective, milestone or team: its ``fields`` as roadmap.yaml writes them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "team",
                    "key": "payments",
                    "version": 2,
                    "fields": {"id": "payments", "name": "Payments", "capacity_per_week": 3},
                }
            ]
        }
    )
    type: str
    key: str
    version: int = Field(description="name it in the next PATCH or DELETE")
    fields: dict[str, Any]


class ObjectConflict(BaseModel):
    """A stale edit: why, and the object as it is stored now (its ``version`` included)."""

    detail: str
    current: RoadmapObject


STALE: dict[int | str, dict[str, Any]] = {
    409: {"model": ObjectConflict, "description": "Changed since the version named."}
}


class KeyResultBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(max_length=64)
    title: Text = Field(max_length=500)
    target: float | None = None
    unit: Text | None = Field(default=None, max_length=50)
    kpi: str | None = Field(default=None, max_length=64)


class ObjectiveFields(BaseModel):
    """An objective; ``key_results`` replaces the whole list (the order is kept)."""

    model_config = ConfigDict(extra="forbid")
    title: Text | None = Field(default=None, max_length=500)
    description: Text | None = Field(default=None, max_length=20_000)
    key_results: list[KeyResultBody] | None = Field(default=None, max_length=200)


class MilestoneFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text | None = Field(default=None, max_length=200)
    target_date: dt.date | None = None
    description: Text | None = Field(default=None, max_length=20_000)


class TeamFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text | None = Field(default=None, max_length=200)
    capacity_per_week: float | None = Field(
        default=None, description="ideal weeks of work the team completes per calendar week"
    )


class ObjectiveCreate(ObjectiveFields):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"key": "O3", "title": "Earn trust"}]}
    )
    key: str = Field(max_length=64)
    title: Text = Field(max_length=500)


class MilestoneCreate(MilestoneFields):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"key": "v2", "name": "Version 2", "target_date": "2031-01-31"}]
        },
    )
    key: str = Field(max_length=64)
    name: Text = Field(max_length=200)
    target_date: dt.date


class TeamCreate(TeamFields):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"key": "mobile", "name": "Mobile", "capacity_per_week": 2}]
        },
    )
    key: str = Field(max_length=64)
    name: Text = Field(max_length=200)
    capacity_per_week: float


class ObjectiveUpdate(ObjectiveFields):
    version: int = Field(ge=1, description="the version the client last read")


class MilestoneUpdate(MilestoneFields):
    version: int = Field(ge=1, description="the version the client last read")


class TeamUpdate(TeamFields):
    version: int = Field(ge=1, description="the version the client last read")


# URL segment -> (object type, body of a create, body of an update)
KINDS: dict[str, tuple[str, type[BaseModel], type[BaseModel]]] = {
    "objectives": ("objective", ObjectiveCreate, ObjectiveUpdate),
    "milestones": ("milestone", MilestoneCreate, MilestoneUpdate),
    "teams": ("team", TeamCreate, TeamUpdate),
}


def current(handle: HandleDep, kind: str, key: str) -> RoadmapObject:
    fields, version = object_spec(handle, kind, key)
    return RoadmapObject(type=kind, key=key, version=version, fields=fields)


def _values(body: BaseModel) -> dict[str, Any]:
    values = body.model_dump(mode="json", exclude_unset=True, exclude={"version", "key"})
    key = getattr(body, "key", None)
    if key is not None and "version" not in type(body).model_fields:
        values["id"] = key
    return values


def _conflict(handle: HandleDep, kind: str, key: str, exc: ConflictError) -> JSONResponse:
    body = ObjectConflict(detail=str(exc), current=current(handle, kind, key))
    return JSONResponse(body.model_dump(mode="json"), status_code=409)


def _create_route(kind: str, model: type[BaseModel]) -> Callable[..., RoadmapObject]:
    def create(body: Any, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep) -> Any:
        saved = create_object(
            handle, kind, _values(body), actor=principal.email or principal.name, via="api"
        )
        return current(handle, kind, saved.key)

    create.__annotations__["body"] = model
    create.__doc__ = (
        f"Add a {kind}. An existing key or a bad value is refused (422, naming the field) with "
        "the words of `roadmap apply`; nothing is saved."
    )
    create.__name__ = f"create_{kind}"
    return create


def _edit_route(kind: str, model: type[BaseModel]) -> Callable[..., Any]:
    def edit(key: str, body: Any, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep) -> Any:
        try:
            edit_object(
                handle,
                kind,
                key,
                _values(body),
                expected_version=int(getattr(body, "version")),  # noqa: B009
                actor=principal.email or principal.name,
                via="api",
            )
        except ConflictError as exc:
            return _conflict(handle, kind, key, exc)
        return current(handle, kind, key)

    edit.__annotations__["body"] = model
    edit.__doc__ = (
        f"Change the {kind}'s fields (left out: unchanged). `version` must be the stored one: "
        "409 otherwise, with the stored object as `current`."
    )
    edit.__name__ = f"edit_{kind}"
    return edit


def _delete_route(kind: str) -> Callable[..., Any]:
    def delete(
        key: str,
        handle: HandleDep,
        principal: EditorDep,
        _csrf: CsrfDep,
        version: Annotated[
            int | None, Query(ge=1, description="refuse (409) unless this is the stored version")
        ] = None,
    ) -> Any:
        try:
            gone = current(handle, kind, key)
            remove_object(
                handle,
                kind,
                key,
                expected_version=version,
                actor=principal.email or principal.name,
                via="api",
            )
        except ConflictError as exc:
            return _conflict(handle, kind, key, exc)
        return gone

    delete.__doc__ = (
        f"Delete the {kind}; refused (422) while an initiative names it. Answers with the "
        "object as it was."
    )
    delete.__name__ = f"delete_{kind}"
    return delete


for segment, (kind, create_model, update_model) in KINDS.items():
    router.add_api_route(
        f"/{segment}",
        _create_route(kind, create_model),
        methods=["POST"],
        status_code=201,
        response_model=RoadmapObject,
        tags=[segment],
    )
    router.add_api_route(
        f"/{segment}/{{key}}",
        _edit_route(kind, update_model),
        methods=["PATCH"],
        response_model=RoadmapObject,
        responses={**NOT_FOUND, **STALE},
        tags=[segment],
    )
    router.add_api_route(
        f"/{segment}/{{key}}",
        _delete_route(kind),
        methods=["DELETE"],
        response_model=RoadmapObject,
        responses={**NOT_FOUND, **STALE},
        tags=[segment],
    )


@router.get("/teams", response_model=list[RoadmapObject], tags=["teams"])
def teams(handle: HandleDep, _: ViewerDep) -> list[RoadmapObject]:
    """The product's teams in roadmap order, each with its capacity and ``version``."""
    return [
        RoadmapObject(type="team", key=str(fields["id"]), version=version, fields=fields)
        for fields, version in list_objects(handle, "team")
    ]


@router.get("/teams/{key}", response_model=RoadmapObject, tags=["teams"], responses={**NOT_FOUND})
def team(key: str, handle: HandleDep, _: ViewerDep) -> RoadmapObject:
    """One team with its capacity and ``version``."""
    return current(handle, "team", key)
