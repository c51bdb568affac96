"""Small pieces the web's read models share."""

from __future__ import annotations

from sqlalchemy import select

from productpath.domain.views import ProductInfo
from productpath.errors import NotFoundError
from productpath.services.workspace import OpenWorkspace
from productpath.store.models import Product


def product_info(handle: OpenWorkspace) -> ProductInfo:
    """The workspace's product, as the pages show it in their header."""
    with handle.store.read() as session:
        product = session.scalar(select(Product).where(Product.key == handle.workspace.product))
        if product is None:
            raise NotFoundError(
                f"product '{handle.workspace.product}' is not in this workspace's database"
            )
        return ProductInfo(key=product.key, name=product.name, description=product.description)
