"""Sources and their sync runs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.store.models import Source, SyncRun


def find(session: Session, product_id: int, name: str) -> Source | None:
    return session.scalar(
        select(Source).where(Source.product_id == product_id, Source.name == name)
    )


def list_sources(session: Session, product_id: int) -> list[Source]:
    return list(
        session.scalars(select(Source).where(Source.product_id == product_id).order_by(Source.name))
    )


def last_run(session: Session, source_id: int) -> SyncRun | None:
    return session.scalar(
        select(SyncRun)
        .where(SyncRun.source_id == source_id)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(1)
    )


def runs(session: Session, source_id: int, limit: int) -> list[SyncRun]:
    return list(
        session.scalars(
            select(SyncRun)
            .where(SyncRun.source_id == source_id)
            .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
            .limit(limit)
        )
    )
