"""Putting a job row on the PostgreSQL queue: a procrastinate job that names it, inserted on the
row's own connection and transaction (the rest of the queue: ``pg_queue.py``)."""

from __future__ import annotations

from typing import Any

import procrastinate
from procrastinate.sync_psycopg_connector import SyncPsycopgConnector
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from productpath.services.workspace import OpenWorkspace

RUN_JOB = "productpath.run_job"

_deferrer: procrastinate.App | None = None


def queue_name(handle: OpenWorkspace) -> str:
    return f"productpath:{handle.workspace.product}"[:100]


def conninfo(url: str) -> str:
    """A libpq connection string from the SQLAlchemy URL (``postgresql+psycopg://``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def defer(session: Session, handle: OpenWorkspace, job_id: int) -> int:
    """Queue our row ``job_id`` for the workers, inside ``session``'s transaction."""
    global _deferrer
    if _deferrer is None:
        # Never opened: every defer passes the caller's connection.
        _deferrer = procrastinate.App(connector=SyncPsycopgConnector())
    raw: Any = session.connection().connection.driver_connection
    return _deferrer.configure_task(
        RUN_JOB, queue=queue_name(handle), lock=f"job-{job_id}", connection=raw
    ).defer(job_id=job_id)
