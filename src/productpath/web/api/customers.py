"""``/api/v1/customers``: customers with their segment, revenue and feedback count."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from productpath.errors import NotFoundError
from productpath.services.customers import CustomerRow, list_customers
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

router = APIRouter(tags=["customers"], route_class=ApiRoute, responses=COMMON_ERRORS)


class CustomerPublic(BaseModel):
    """A customer; ``key`` is its id in the imported files, ``segment`` the segment's name."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "key": "acme",
                    "name": "Acme Corp",
                    "segment": "Enterprise",
                    "annual_revenue": 120000.0,
                    "feedback_count": 14,
                }
            ]
        },
    )
    key: str
    name: str
    segment: str | None
    annual_revenue: float | None
    feedback_count: int


def _public(row: CustomerRow) -> CustomerPublic:
    return CustomerPublic(
        key=row.id,
        name=row.name,
        segment=row.segment,
        annual_revenue=row.annual_revenue,
        feedback_count=row.feedback_count,
    )


@router.get("/customers", response_model=Page[CustomerPublic])
def customers(
    handle: HandleDep, _: ViewerDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> Page[CustomerPublic]:
    """Every customer by key."""
    return page_of([_public(row) for row in list_customers(handle)], limit, offset)


@router.get("/customers/{key}", response_model=CustomerPublic, responses={**NOT_FOUND})
def customer(key: str, handle: HandleDep, _: ViewerDep) -> CustomerPublic:
    """One customer."""
    found = next((row for row in list_customers(handle) if row.id == key), None)
    if found is None:
        raise NotFoundError(f"no customer '{key}' in this workspace")
    return _public(found)
