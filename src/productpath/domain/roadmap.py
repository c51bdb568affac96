"""The roadmap document: what ``roadmap.yaml`` holds and what the store keeps.

These models are the single definition of the roadmap's shape. The YAML reader validates into
them, the store loads and saves them, and the diff compares two of them. Field order here is the
key order of an exported file, so it is chosen for reading, not alphabetically.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _printable(value: str) -> str:
    # Control characters and lone surrogates cannot be stored in PostgreSQL text or written
    # back as tidy YAML; newlines and tabs are ordinary text.
    for char in value:
        if char not in "\n\t" and unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValueError(f"contains the control character U+{ord(char):04X}")
    return value


Text = Annotated[str, AfterValidator(_printable)]
# Lengths match the columns in store/models.py, so a valid document always fits the tables.
Name = Annotated[Text, Field(min_length=1, max_length=200)]
Title = Annotated[Text, Field(min_length=1, max_length=500)]
Key = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="a stable id: letters, digits, '-', '_' or '.'",
    ),
]
Email = Annotated[str, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]


class InitiativeStatus(StrEnum):
    PROPOSED = "proposed"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class _Strict(BaseModel):
    # allow_inf_nan=False: NaN never equals itself, which would break diffs and round trips.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


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
    name: Name
    description: Text = ""


class KeyResultSpec(_Strict):
    id: Key
    title: Title
    target: float | None = None
    unit: Annotated[Text, Field(max_length=50)] | None = None


class ObjectiveSpec(_Strict):
    id: Key
    title: Title
    description: Text = ""
    key_results: tuple[KeyResultSpec, ...] = ()


class MemberSpec(_Strict):
    name: Name
    email: Email | None = None


class TeamSpec(_Strict):
    id: Key
    name: Name
    capacity_per_week: float = Field(
        gt=0, description="ideal weeks of work the team completes per calendar week"
    )
    members: tuple[MemberSpec, ...] = ()


class MilestoneSpec(_Strict):
    id: Key
    name: Name
    target_date: dt.date
    description: Text = ""


class InitiativeSpec(_Strict):
    id: Key
    title: Title
    description: Text = ""
    objective: Key | None = None
    team: Key | None = None
    milestone: Key | None = None
    status: InitiativeStatus = InitiativeStatus.PROPOSED
    estimate: Estimate | None = None
    depends_on: tuple[Key, ...] = ()
    # Theme ids from the insight engine; kept as given until themes have their own table.
    themes: tuple[Key, ...] = ()


class RoadmapDoc(_Strict):
    """One product's roadmap. Order of every list is kept: it is the order people wrote."""

    version: Literal[1] = 1
    product: ProductSpec
    objectives: tuple[ObjectiveSpec, ...] = ()
    teams: tuple[TeamSpec, ...] = ()
    milestones: tuple[MilestoneSpec, ...] = ()
    initiatives: tuple[InitiativeSpec, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the document names a product and nothing else."""
        return not (self.objectives or self.teams or self.milestones or self.initiatives)
