"""The change history: one row per field of every edit, whoever made it and however."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from productpath.store.models.base import Base, utcnow


class ChangeRecord(Base):
    """One field of one object changed by one edit (``edit`` groups the rows of an edit).

    ``before`` and ``after`` are JSON text in the shape ``roadmap export`` writes (a status as
    its name, an estimate as its three numbers), so an undo can put a value back exactly and the
    history reads like the file. A created object has the field ``created`` and its whole
    document as ``after``; a removed one ``removed`` and the document as ``before``.
    """

    __tablename__ = "change_history"
    __table_args__ = (
        Index("ix_change_history_object", "product_id", "object_type", "object_key", "id"),
        Index("ix_change_history_product", "product_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    edit: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    # web, api, cli, roadmap-apply or sync: which door the change came through.
    via: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(20))
    object_key: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(300))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
