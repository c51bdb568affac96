"""Looking up and creating products by their key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.store.models import Product


def find(session: Session, key: str) -> Product | None:
    return session.scalar(select(Product).where(Product.key == key))


def find_id(session: Session, key: str) -> int | None:
    return session.scalar(select(Product.id).where(Product.key == key))


def ensure(session: Session, key: str, name: str) -> Product:
    """The product row for ``key``, created on first use (call inside a write transaction)."""
    product = find(session, key)
    if product is None:
        product = Product(key=key, name=name)
        session.add(product)
        session.flush()
    return product
