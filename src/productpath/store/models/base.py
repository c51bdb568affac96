"""Shared column types and the declarative base: aware UTC datetimes, timestamps."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import Date
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from productpath.store.types import UTCDateTime

__all__ = ["Base", "Timestamped", "UTCDateTime", "utcnow"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime, dt.date: Date}


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
