"""The products a caller of the JSON API may see: those they hold a role on.

In local mode (no user accounts: ``user_id`` None) the one local person is the admin of the
workspace's product, and sees that product.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from productpath.services.workspace import OpenWorkspace
from productpath.store.models import Membership, Product


class ProductPublic(BaseModel):
    """A product and the caller's role on it; ``current`` marks the one this request reads."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "key": "pocket",
                    "name": "Pocket",
                    "description": "Payments in your pocket.",
                    "role": "editor",
                    "current": True,
                }
            ]
        },
    )
    key: str
    name: str
    description: str
    role: str
    current: bool


def visible_products(
    handle: OpenWorkspace, user_id: int | None, *, local_role: str = "admin"
) -> list[ProductPublic]:
    """The products ``user_id`` holds a role on, by key; the workspace's product in local mode."""
    current = handle.workspace.product
    with handle.store.read() as session:
        if user_id is None:
            rows = [
                (product, local_role)
                for product in session.scalars(select(Product).where(Product.key == current))
            ]
        else:
            rows = [
                (product, role)
                for product, role in session.execute(
                    select(Product, Membership.role)
                    .join(Membership, Membership.product_id == Product.id)
                    .where(Membership.user_id == user_id)
                    .order_by(Product.key)
                )
            ]
        return [
            ProductPublic(
                key=product.key,
                name=product.name,
                description=product.description,
                role=role,
                current=product.key == current,
            )
            for product, role in rows
        ]
