"""``productpath jobs``: list, show, retry and cancel jobs, and queue the queue check.

These work on the rows alone, so they answer the same on SQLite and PostgreSQL and from any
machine: a retry queues the row again (on PostgreSQL with a fresh procrastinate job), a cancel
marks it cancelled, and a worker running it stops at its next progress report.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from productpath.errors import ConflictError, InputError, NotFoundError
from productpath.services.background.job_kinds import standard_runner
from productpath.services.background.jobs import CANCELLED, JobView, job_view
from productpath.services.workspace import OpenWorkspace
from productpath.store import job_repo, product_repo
from productpath.store.models import Job
from productpath.store.models.base import utcnow

STATUSES = ("queued", "running", "done", "failed", "cancelled")


def list_jobs(
    handle: OpenWorkspace, *, status: str | None = None, limit: int = 50
) -> list[JobView]:
    """The newest jobs, newest first (``status``: only those)."""
    if status is not None and status not in STATUSES:
        raise InputError(
            f"unknown status '{status}' (one of {', '.join(STATUSES)})", field="status"
        )
    runner = standard_runner()
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        rows = [] if product_id is None else job_repo.listing(session, product_id, status, limit)
        return [job_view(job, runner) for job in rows]


def show_job(handle: OpenWorkspace, job_id: int) -> JobView:
    with handle.store.read() as session:
        return job_view(_job(session, handle, job_id), standard_runner())


def retry_job(handle: OpenWorkspace, job_id: int) -> JobView:
    """Queue a failed or cancelled job again, with the same parameters."""
    with handle.store.write() as session:
        job = _job(session, handle, job_id)
        if job.status not in ("failed", "cancelled"):
            raise ConflictError(
                f"job #{job_id} is {job.status}; only a failed or cancelled job can be retried"
            )
        job_repo.lock_product(session, job.product_id)
        other = job_repo.active(session, job.product_id, job.kind, job.subject)
        if other is not None:
            raise ConflictError(f"job #{other.id} of the same kind is {other.status}; wait for it")
        job.status, job.stage, job.message = "queued", "queued", ""
        job.done, job.total, job.finished_at = 0, 0, None
        if not handle.workspace.uses_sqlite:
            from productpath.services.background import queue_defer

            session.flush()
            queue_defer.defer(session, handle, job_id)
        session.flush()
        return job_view(job, standard_runner())


def cancel_job(handle: OpenWorkspace, job_id: int) -> JobView:
    """Cancel a queued or running job; a running one stops at its next progress report."""
    with handle.store.write() as session:
        job = _job(session, handle, job_id)
        if job.status not in job_repo.ACTIVE:
            raise ConflictError(f"job #{job_id} is {job.status} already")
        job.status, job.message, job.finished_at = "cancelled", CANCELLED, utcnow()
        session.flush()
        return job_view(job, standard_runner())


def queue_probes(
    handle: OpenWorkspace, count: int, seconds: float, log: Path | None = None
) -> list[int]:
    """Queue ``count`` queue checks that each wait ``seconds`` (see ``job_kinds.probe_job``)."""
    if not 1 <= count <= 100_000:
        raise InputError("--count must be between 1 and 100000", field="count")
    if not 0 <= seconds <= 3600:
        raise InputError("--seconds must be between 0 and 3600", field="seconds")
    runner = standard_runner()
    ids = []
    for number in range(count):
        params: dict[str, object] = {"seconds": seconds, "number": number}
        if log is not None:
            params["log"] = str(log.resolve())
        ids.append(
            runner.start_job(
                handle, "probe", params, None, subject=f"probe-{number}-{utcnow().timestamp()}"
            )
        )
    return ids


def _job(session: Session, handle: OpenWorkspace, job_id: int) -> Job:
    product_id = product_repo.find_id(session, handle.workspace.product)
    job = None if product_id is None else job_repo.get(session, product_id, job_id)
    if job is None:
        raise NotFoundError(f"no job #{job_id}")
    return job
