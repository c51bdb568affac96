"""Bookkeeping about the database itself, not about any product."""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from productpath.store.models.base import Base


class DataVersion(Base):
    """One row (id 1) whose ``n`` every committed write transaction adds one to.

    ``Store.write()`` bumps it, so any change by any process (CLI, web worker, job) moves the
    number; the web's response cache (``web/response_cache.py``) keys its entries on it.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
