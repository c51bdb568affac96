"""Background jobs (``job`` rows): queueing one, its progress, and reading them back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from productpath.store.models import Job, Product
from productpath.store.models.base import utcnow

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")


def lock_product(session: Session, product_id: int) -> None:
    """Serialise job starts for one product (PostgreSQL row lock; SQLite's write transaction
    already holds the database lock)."""
    session.execute(select(Product.id).where(Product.id == product_id).with_for_update())


def active(session: Session, product_id: int, kind: str, subject: str = "") -> Job | None:
    """The queued or running job of ``kind`` (about ``subject``) for this product, if any."""
    stmt = (
        select(Job)
        .where(
            Job.product_id == product_id,
            Job.kind == kind,
            Job.subject == subject,
            Job.status.in_(ACTIVE),
        )
        .order_by(Job.id)
        .limit(1)
    )
    return session.scalar(stmt)


def add(
    session: Session,
    product_id: int,
    kind: str,
    user_id: int | None,
    stage: str,
    *,
    params: str = "{}",
    subject: str = "",
) -> Job:
    job = Job(
        product_id=product_id,
        kind=kind,
        status="queued",
        stage=stage,
        done=0,
        total=0,
        message="",
        created_by=user_id,
        params=params,
        subject=subject,
        worker="",
        attempts=0,
    )
    session.add(job)
    session.flush()
    return job


def set_fields(session: Session, job_id: int, **values: Any) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(**values))


def claim(session: Session, job_id: int, worker: str, statuses: tuple[str, ...]) -> Job | None:
    """Mark the job running on ``worker`` if its status is one of ``statuses``; the job, or
    None when another worker took it first or it was cancelled or finished meanwhile."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(statuses))
        .values(
            status="running",
            worker=worker,
            attempts=Job.attempts + 1,
            stage="starting",
            message="",
            started_at=utcnow(),
            finished_at=None,
        )
    )
    if not getattr(result, "rowcount", 0):
        return None
    return session.get(Job, job_id, populate_existing=True)


def set_if_running(session: Session, job_id: int, worker: str, **values: Any) -> bool:
    """Update a job ``worker`` runs; False when it no longer does (cancelled, or taken over)."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", Job.worker == worker)
        .values(**values)
    )
    return bool(getattr(result, "rowcount", 0))


# The stage of a job a write queued itself, inside its own transaction (``request``): on
# PostgreSQL the queue's tick hands such rows to procrastinate; SQLite's runner takes every
# queued row anyway.
REQUESTED = "requested"


def request(session: Session, product_id: int, kind: str) -> int | None:
    """Queue a job of ``kind`` (no parameters) from inside the caller's write transaction,
    unless one is queued already: a queued job has not started, so it will read this write's
    data too. Returns the new job's id, or None."""
    waiting = session.scalar(
        select(Job.id)
        .where(Job.product_id == product_id, Job.kind == kind, Job.status == "queued")
        .limit(1)
    )
    if waiting is not None:
        return None
    return add(session, product_id, kind, None, REQUESTED).id


def requested_ids(session: Session, product_id: int) -> list[int]:
    """The queued jobs that writes requested and no queue has been told of yet."""
    stmt = (
        select(Job.id)
        .where(Job.product_id == product_id, Job.status == "queued", Job.stage == REQUESTED)
        .order_by(Job.id)
    )
    return list(session.scalars(stmt))


def queued_ids(session: Session, product_id: int, limit: int) -> list[int]:
    stmt = (
        select(Job.id)
        .where(Job.product_id == product_id, Job.status == "queued")
        .order_by(Job.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def running(session: Session, product_id: int) -> list[Job]:
    stmt = select(Job).where(Job.product_id == product_id, Job.status == "running")
    return list(session.scalars(stmt))


def last_created(
    session: Session, product_id: int, kind: str, subject: str = ""
) -> dt.datetime | None:
    """When the newest job of ``kind`` about ``subject`` was queued."""
    stmt = select(func.max(Job.created_at)).where(
        Job.product_id == product_id, Job.kind == kind, Job.subject == subject
    )
    return session.scalar(stmt)


def listing(session: Session, product_id: int, status: str | None, limit: int) -> list[Job]:
    stmt = select(Job).where(Job.product_id == product_id)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    return list(session.scalars(stmt.order_by(Job.id.desc()).limit(limit)))


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


def statuses(session: Session, job_ids: list[int]) -> list[tuple[int, str, str]]:
    """(id, status, message) of each of ``job_ids`` still present, by id."""
    rows: list[tuple[int, str, str]] = []
    for start in range(0, len(job_ids), 900):
        stmt = select(Job.id, Job.status, Job.message).where(
            Job.id.in_(job_ids[start : start + 900])
        )
        rows.extend((row[0], row[1], row[2]) for row in session.execute(stmt))
    return sorted(rows)
