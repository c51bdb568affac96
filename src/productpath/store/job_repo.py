"""Background jobs (``job`` rows): queueing one, its progress, and reading them back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from productpath.store.models import Job, Product
from productpath.store.models.base import utcnow

ACTIVE = ("queued", "running")


def lock_product(session: Session, product_id: int) -> None:
    """Serialise job starts for one product (PostgreSQL row lock; SQLite's write transaction
    already holds the database lock)."""
    session.execute(select(Product.id).where(Product.id == product_id).with_for_update())


def active(session: Session, product_id: int, kind: str) -> Job | None:
    """The queued or running job of ``kind`` for this product, if there is one."""
    stmt = (
        select(Job)
        .where(Job.product_id == product_id, Job.kind == kind, Job.status.in_(ACTIVE))
        .order_by(Job.id)
        .limit(1)
    )
    return session.scalar(stmt)


def add(session: Session, product_id: int, kind: str, user_id: int | None, stage: str) -> Job:
    job = Job(
        product_id=product_id,
        kind=kind,
        status="queued",
        stage=stage,
        done=0,
        total=0,
        message="",
        created_by=user_id,
    )
    session.add(job)
    session.flush()
    return job


def set_fields(session: Session, job_id: int, **values: Any) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(**values))


def get(session: Session, product_id: int, job_id: int) -> Job | None:
    return session.scalar(select(Job).where(Job.id == job_id, Job.product_id == product_id))


def recent(session: Session, product_id: int, limit: int) -> list[Job]:
    stmt = select(Job).where(Job.product_id == product_id).order_by(Job.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def interrupt(session: Session, before: dt.datetime, message: str) -> int:
    """Mark every job still queued or running that was created before ``before`` as failed.

    Called when a server starts: no thread of an earlier server runs them any more.
    """
    result = session.execute(
        update(Job)
        .where(Job.status.in_(ACTIVE), Job.created_at < before)
        .values(status="failed", message=message, finished_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
