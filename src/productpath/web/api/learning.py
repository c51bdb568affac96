"""``/api/v1/decisions`` (list, one, record a new one) and ``/api/v1/kpis`` (list, one with its
points), over the learning services the CLI and pages use."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from productpath.errors import InputError
from productpath.services.learning.decisions import (
    DecisionView,
    add_decision,
    decision_detail,
    list_decisions,
)
from productpath.services.learning.kpis import KpiDetail, KpiSummary, kpi_detail, list_kpis
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

router = APIRouter(route_class=ApiRoute, responses=COMMON_ERRORS)

# theme:3, feedback:1234 and forecast:12 name rows by number: more digits than any id has
# would only overflow the database's integer.
_NUMBERED = re.compile(r"^\s*(theme|feedback|forecast)\s*:\s*#?\s*(\d+)", re.IGNORECASE)
MAX_NUMBER_DIGITS = 9


class DecisionCreate(BaseModel):
    """A decision to record. Evidence items are ``KIND:REF`` or ``KIND:REF=NOTE`` with KIND one
    of theme, feedback, kpi, experiment, forecast (``theme:3``, ``kpi:activation=baseline``).
    An expected outcome needs both ``kpi`` and ``direction``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Ship guided onboarding before instant transfers",
                    "decision": "Onboarding first: activation is the bottleneck.",
                    "options": ["onboarding first", "transfers first"],
                    "owner": "Dana",
                    "initiative": "onboarding",
                    "kpi": "activation",
                    "direction": "increase",
                    "target": 45,
                    "review_on": "2030-04-30",
                    "evidence": ["theme:3"],
                }
            ]
        },
    )
    title: Text = Field(min_length=1, max_length=500)
    decision: Text = Field(default="", max_length=20_000)
    options: list[Annotated[Text, Field(max_length=500)]] = Field(default=[], max_length=50)
    owner: Text = Field(default="", max_length=200)
    decided_on: dt.date | None = Field(default=None, description="default: today")
    review_on: dt.date | None = None
    key: Text | None = Field(
        default=None, max_length=64, description="default: made from the title"
    )
    initiative: Text | None = Field(default=None, max_length=64)
    kpi: Text | None = Field(default=None, max_length=200, description="expected outcome's KPI")
    direction: Literal["increase", "decrease"] | None = None
    target: float | None = Field(default=None, allow_inf_nan=False)
    by: dt.date | None = None
    evidence: list[Annotated[Text, Field(max_length=1000)]] = Field(default=[], max_length=50)


@router.get("/decisions", response_model=Page[DecisionView], tags=["decisions"])
def decisions(
    handle: HandleDep, _: ViewerDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> Page[DecisionView]:
    """The decision log, newest first, each with what its KPI says now."""
    return page_of(list_decisions(handle).decisions, limit, offset)


@router.get(
    "/decisions/{key}", response_model=DecisionView, tags=["decisions"], responses={**NOT_FOUND}
)
def decision(key: str, handle: HandleDep, _: ViewerDep) -> DecisionView:
    """One decision: options, evidence (deleted targets flagged), expected and actual outcome."""
    return decision_detail(handle, key).decision


@router.post(
    "/decisions",
    response_model=DecisionView,
    status_code=201,
    tags=["decisions"],
    responses={**NOT_FOUND},
)
def create_decision(
    body: DecisionCreate, handle: HandleDep, _: EditorDep, _csrf: CsrfDep
) -> DecisionView:
    """Record a decision. References (initiative, KPI, evidence) must name something that
    exists (404 otherwise); a key already used is refused (422, field ``key``)."""
    for item in body.evidence:
        found = _NUMBERED.match(item)
        if found and len(found.group(2).lstrip("0")) > MAX_NUMBER_DIGITS:
            raise InputError(f"{found.group(1)} {found.group(2)} does not exist", field="evidence")
    return add_decision(
        handle,
        title=body.title,
        decision=body.decision,
        options=tuple(body.options),
        owner=body.owner,
        decided_on=body.decided_on,
        review_on=body.review_on,
        key=body.key,
        initiative=body.initiative,
        expect_kpi=body.kpi,
        direction=body.direction,
        target=body.target,
        by=body.by,
        evidence=tuple(body.evidence),
    )


@router.get("/kpis", response_model=Page[KpiSummary], tags=["kpis"])
def kpis(
    handle: HandleDep, _: ViewerDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> Page[KpiSummary]:
    """Every KPI with its span and latest whole-product value."""
    return page_of(list_kpis(handle), limit, offset)


@router.get("/kpis/{key}", response_model=KpiDetail, tags=["kpis"], responses={**NOT_FOUND})
def kpi(
    key: str,
    handle: HandleDep,
    _: ViewerDep,
    segment: Annotated[str, Query(description='a segment\'s values ("": whole product)')] = "",
    start: Annotated[dt.date | None, Query(description="first day (default: the first)")] = None,
    end: Annotated[dt.date | None, Query(description="last day (default: the last)")] = None,
) -> KpiDetail:
    """One KPI (by key or name): its points with the expected level and anomalies, the trend
    and weekly pattern, and the methods used to read them."""
    return kpi_detail(handle, key, segment=segment, start=start, end=end)
