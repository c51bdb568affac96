"""``/api/v1/products``: the products the caller holds a role on."""

from __future__ import annotations

from fastapi import APIRouter

from productpath.services.api.api_products import ProductPublic, visible_products
from productpath.web.api.common import COMMON_ERRORS, ApiRoute
from productpath.web.deps import HandleDep, ViewerDep

router = APIRouter(tags=["products"], route_class=ApiRoute, responses=COMMON_ERRORS)


@router.get("/products", response_model=list[ProductPublic])
def list_products(handle: HandleDep, principal: ViewerDep) -> list[ProductPublic]:
    """Every product the caller has a role on, with that role; ``current`` marks the product
    this request reads (switch with ``?product=KEY`` on any request)."""
    return visible_products(handle, principal.user_id, local_role=principal.role)
