"""Live sources (a GitHub repository read through its API...) and the log of their syncs.

A source stores the *name* of the environment variable that holds its token, never the token:
the database, its backups and ``export --all`` carry no credential.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from productpath.store.models.base import Base, utcnow


class Source(Base):
    """A registered connector: what it reads (``settings``, JSON) and where the last sync got
    to (``cursor``, JSON: the ``since`` timestamp and the ETags of the requests to repeat)."""

    __tablename__ = "source"
    __table_args__ = (UniqueConstraint("product_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # github
    settings: Mapped[str] = mapped_column(Text)  # JSON: repo, api_url
    token_env: Mapped[str | None] = mapped_column(String(200))  # a variable name, not a token
    every_seconds: Mapped[int | None] = mapped_column(Integer)  # how often to sync; None: by hand
    cursor: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_synced_at: Mapped[dt.datetime | None]


class SyncRun(Base):
    """One sync of a source: counts, the items skipped with their reasons (JSON), and the error
    that stopped it, if one did (a run without ``finished_at`` was cut off)."""

    __tablename__ = "sync_run"
    __table_args__ = (Index("ix_sync_run_source_started", "source_id", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    full: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of reasons
    requests: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
