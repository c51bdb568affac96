"""Long tasks started from the web UI (an insights run, a feedback import), run in the background.

A job is a ``job`` row (kind, status, stage, done/total, a one-line message) and a thread in a
small pool the web app owns (:class:`JobRunner`). Requests never wait for one: they queue it and
return; the page polls the row. For each product at most one job of each kind is queued or
running at a time, checked in the database, so the rule holds across server worker processes.

Progress reaches the row at most every :data:`PUBLISH_EVERY` seconds (and at each new stage).
An import holds the write transaction from start to finish; on SQLite that is the database's
one write lock, so there its progress stays in the memory of the process running it (the
pages that process serves show it) and reaches the row when the import ends.

When the server stops, running jobs stop at their next progress report (an import rolls back
whole) and are marked failed; a server that starts marks jobs an earlier one left queued or
running as failed ("interrupted").
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from productpath.domain.views import ProductInfo
from productpath.errors import ConflictError, InputError, NotFoundError, ProductpathError
from productpath.services.page_common import product_info
from productpath.services.workspace import OpenWorkspace
from productpath.store import job_repo, product_repo
from productpath.store.models import Job
from productpath.store.models.base import utcnow

log = logging.getLogger(__name__)

# Seconds between two progress writes to the job row.
PUBLISH_EVERY = 0.5
# Threads for jobs in one server process; more jobs wait their turn in the queue.
MAX_THREADS = 2
INTERRUPTED = "interrupted: the server stopped before the job finished"

# stage, done, total
Reporter = Callable[[str, int, int | None], None]
# The work of one kind: the workspace, the job's parameters, a progress reporter; returns the
# one-line summary shown when it is done.
Work = Callable[[OpenWorkspace, Mapping[str, Any], Reporter], str]


class JobInterruptedError(ProductpathError):
    """Raised from a progress report when the server is stopping."""


@dataclass(frozen=True)
class JobKind:
    label: str
    work: Work
    # Whether the work holds a write transaction throughout (see the module docstring).
    holds_write_lock: bool = False


class JobView(BaseModel):
    """One job as the pages and their JSON twins show it."""

    id: int
    kind: str
    label: str
    status: str  # queued | running | done | failed
    stage: str
    done: int
    total: int
    # 0-100 when the total is known, else None (the bar is then indeterminate).
    percent: int | None
    message: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.status in job_repo.ACTIVE


class JobsPage(BaseModel):
    product: ProductInfo
    jobs: list[JobView]
    active: bool
    max_upload_mb: int


class JobRunner:
    """The pool that runs jobs, and the kinds of work it knows. One per web app."""

    def __init__(self, max_threads: int = MAX_THREADS) -> None:
        self._pool = ThreadPoolExecutor(max_threads, thread_name_prefix="productpath-job")
        self._kinds: dict[str, JobKind] = {}
        self._live: dict[int, tuple[str, int, int]] = {}
        self._stopping = threading.Event()
        self.started_at = utcnow()

    def register(self, kind: str, spec: JobKind) -> None:
        self._kinds[kind] = spec

    def label(self, kind: str) -> str:
        spec = self._kinds.get(kind)
        return spec.label if spec else kind.replace("_", " ").capitalize()

    def recover(self, handle: OpenWorkspace) -> int:
        """Mark jobs an earlier server left queued or running as failed; how many there were."""
        with handle.store.write() as session:
            return job_repo.interrupt(session, self.started_at, INTERRUPTED)

    def start_job(
        self,
        handle: OpenWorkspace,
        kind: str,
        params: Mapping[str, Any],
        user_id: int | None,
    ) -> int:
        """Queue a job of ``kind`` and return its id; the work runs in a pool thread.

        Raises ConflictError while a job of the same kind is queued or running for the product.
        """
        if kind not in self._kinds:
            raise InputError(f"unknown job kind '{kind}'", field="kind")
        if self._stopping.is_set():
            raise ConflictError("the server is stopping; start the job again once it is back")
        with handle.store.write() as session:
            product_id = product_repo.find_id(session, handle.workspace.product)
            if product_id is None:
                raise NotFoundError(f"product '{handle.workspace.product}' is not in this database")
            job_repo.lock_product(session, product_id)
            running = job_repo.active(session, product_id, kind)
            if running is not None:
                raise ConflictError(
                    f"job #{running.id} ({self.label(kind).lower()}) is already "
                    f"{running.status}; wait for it to finish"
                )
            job_id = job_repo.add(session, product_id, kind, user_id, "queued").id
        self._pool.submit(self._run, handle, job_id, kind, dict(params))
        return job_id

    def live(self, job_id: int) -> tuple[str, int, int] | None:
        """(stage, done, total) of a job this process runs, fresher than its row."""
        return self._live.get(job_id)

    def shutdown(self) -> None:
        """Stop running jobs at their next progress report and wait for the threads."""
        self._stopping.set()
        self._pool.shutdown(wait=True)

    def _run(self, handle: OpenWorkspace, job_id: int, kind: str, params: dict[str, Any]) -> None:
        spec = self._kinds[kind]
        reporter = _Reporter(
            self,
            handle,
            job_id,
            publish=not (spec.holds_write_lock and handle.workspace.uses_sqlite),
        )
        try:
            if self._stopping.is_set():
                raise JobInterruptedError(INTERRUPTED)
            _set(handle, job_id, status="running", stage="starting", started_at=utcnow())
            message = spec.work(handle, params, reporter)
        except Exception as exc:
            if not isinstance(exc, ProductpathError):
                log.exception("job %s (%s) failed", job_id, kind)
            stage, done, total = self._live.get(job_id, ("", 0, 0))
            _set(
                handle,
                job_id,
                status="failed",
                stage=stage,
                done=done,
                total=total,
                message=one_line(exc),
                finished_at=utcnow(),
            )
        else:
            stage, done, total = self._live.get(job_id, ("", 0, 0))
            _set(
                handle,
                job_id,
                status="done",
                stage="finished",
                done=max(done, total),
                total=max(done, total),
                message=message,
                finished_at=utcnow(),
            )
        finally:
            self._live.pop(job_id, None)
            upload = params.get("upload")
            if upload:
                Path(upload).unlink(missing_ok=True)


class _Reporter:
    """The progress callback a job's work receives: kept in memory, written to the row
    throttled, and the place where a stopping server interrupts the work."""

    def __init__(self, runner: JobRunner, handle: OpenWorkspace, job_id: int, publish: bool):
        self._runner = runner
        self._handle = handle
        self._job_id = job_id
        self._publish = publish
        self._stage = ""
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self._runner._stopping.is_set():
            raise JobInterruptedError(INTERRUPTED)
        self._runner._live[self._job_id] = (stage, done, total or 0)
        now = time.monotonic()
        if self._publish and (stage != self._stage or now - self._last >= PUBLISH_EVERY):
            self._stage, self._last = stage, now
            # "running" again: a sibling server process that started late may have marked
            # this job interrupted; the next report puts that right.
            _set(
                self._handle,
                self._job_id,
                status="running",
                stage=stage,
                done=done,
                total=total or 0,
            )


def _set(handle: OpenWorkspace, job_id: int, **values: Any) -> None:
    with handle.store.write() as session:
        job_repo.set_fields(session, job_id, **values)


def one_line(exc: BaseException) -> str:
    """An error as one sentence: a user error's own words, otherwise its type and text."""
    text = str(exc) if isinstance(exc, ProductpathError) else f"{type(exc).__name__}: {exc}"
    line = " ".join(text.split())
    return line[:500] or type(exc).__name__


# --- Reading jobs back ---------------------------------------------------------------------


def job_view(job: Job, runner: JobRunner | None = None) -> JobView:
    stage, done, total = job.stage, job.done, job.total
    live = runner.live(job.id) if runner is not None and job.status == "running" else None
    if live is not None:
        stage, done, total = live
    percent = min(100, round(100 * done / total)) if total > 0 else None
    if job.status == "done":
        percent = 100
    return JobView(
        id=job.id,
        kind=job.kind,
        label=runner.label(job.kind) if runner else job.kind,
        status=job.status,
        stage=stage,
        done=done,
        total=total,
        percent=percent,
        message=job.message,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def jobs_page(
    handle: OpenWorkspace, runner: JobRunner | None, *, limit: int = 50, max_upload_mb: int = 0
) -> JobsPage:
    """The product's newest jobs, newest first."""
    info = product_info(handle)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        rows = [] if product_id is None else job_repo.recent(session, product_id, limit)
        views = [job_view(job, runner) for job in rows]
    return JobsPage(
        product=info,
        jobs=views,
        active=any(v.active for v in views),
        max_upload_mb=max_upload_mb,
    )


def get_job(handle: OpenWorkspace, job_id: int, runner: JobRunner | None = None) -> JobView:
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        job = None if product_id is None else job_repo.get(session, product_id, job_id)
        if job is None:
            raise NotFoundError(f"no job #{job_id}")
        return job_view(job, runner)
