"""The roadmap document: what ``roadmap.yaml`` holds and what the store keeps.

These models are the single definition of the roadmap's shape. The YAML reader validates into
them, the store loads and saves them, and the diff compares two of them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Key = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="a stable id: letters, digits, '-', '_' or '.'",
    ),
]


class InitiativeStatus(StrEnum):
    PROPOSED = "proposed"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Estimate(_Strict):
    """Three-point estimate in ideal weeks (a week of one person's focused work)."""

    optimistic: float = Field(ge=0)
    likely: float = Field(ge=0)
    pessimistic: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if not self.optimistic <= self.likely <= self.pessimistic:
            raise ValueError("must satisfy optimistic <= likely <= pessimistic")
        return self


class ProductSpec(_Strict):
    id: Key
    name: str = Field(min_length=1)
    description: str = ""


class KeyResultSpec(_Strict):
    id: Key
    title: str = Field(min_length=1)
    target: float | None = None
    unit: str | None = None


class ObjectiveSpec(_Strict):
    id: Key
    title: str = Field(min_length=1)
    description: str = ""
    key_results: tuple[KeyResultSpec, ...] = ()


class MemberSpec(_Strict):
    name: str = Field(min_length=1)
    email: str | None = None


class TeamSpec(_Strict):
    id: Key
    name: str = Field(min_length=1)
    capacity_per_week: float = Field(
        gt=0, description="ideal weeks of work the team completes per calendar week"
    )
    members: tuple[MemberSpec, ...] = ()


class MilestoneSpec(_Strict):
    id: Key
    name: str = Field(min_length=1)
    target_date: dt.date
    description: str = ""


class InitiativeSpec(_Strict):
    id: Key
    title: str = Field(min_length=1)
    description: str = ""
    objective: Key | None = None
    team: Key | None = None
    status: InitiativeStatus = InitiativeStatus.PROPOSED
    estimate: Estimate | None = None
    depends_on: tuple[Key, ...] = ()
    milestone: Key | None = None
    themes: tuple[str, ...] = ()


class RoadmapDoc(_Strict):
    """One product's roadmap. Order of every list is kept: it is the order people wrote."""

    version: int = 1
    product: ProductSpec
    objectives: tuple[ObjectiveSpec, ...] = ()
    teams: tuple[TeamSpec, ...] = ()
    milestones: tuple[MilestoneSpec, ...] = ()
    initiatives: tuple[InitiativeSpec, ...] = ()
