"""Long tasks (an insights run, a feedback import, a source sync, a digest send), run in the
background by a queue rather than by the request that asked for them.

A job is a ``job`` row (kind, parameters, status, stage, done/total, a one-line message, the
worker that ran it). Requests never wait for one: they queue it and return; pages poll the row.
For each product at most one job of each kind (and subject: one sync per source) is queued or
running at a time, checked in the database under a row lock, so the rule holds across processes.

Who runs the row depends on the database (docs/deployment.md):

- PostgreSQL: queuing the row also defers a procrastinate job in the same transaction
  (``pg_queue.py``); ``productpath worker`` processes on any number of machines (and ``serve``
  itself unless ``PRODUCTPATH_WEB_RUNS_JOBS=false``) take them. A worker killed mid-job stops
  sending heartbeats; another worker's tick puts the job back in the queue and runs it again.
- SQLite: the process that serves the workspace (``serve`` or ``productpath worker``) runs
  queued rows in a small thread pool (:meth:`JobRunner.start_local`); a row left running by a
  process that has died is queued again.

Whoever runs a job first claims its row (queued -> running, naming the worker) in one update,
so two workers never run the same job at once. Progress reaches the row at most every
:data:`PUBLISH_EVERY` seconds (and at each new stage); a report that finds the row no longer
running on this worker (cancelled) stops the work. An import holds the write transaction from
start to finish; on SQLite that is the database's one write lock, so there its progress stays in
the memory of the process running it and reaches the row when the import ends.

A worker that stops (Ctrl-C, a server restart) interrupts its jobs at their next progress report
and queues them again, so they run once it (or another worker) is back.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
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
# Threads for jobs in one process on SQLite; more jobs wait their turn in the queue.
MAX_THREADS = 2
# Seconds between two looks for queued rows on SQLite (a job queued here wakes it at once).
POLL_EVERY = 0.5
INTERRUPTED = "interrupted: the worker stopped before the job finished; it will run again"
CANCELLED = "cancelled"

# stage, done, total
Reporter = Callable[[str, int, int | None], None]
# The work of one kind: the workspace, the job's parameters, a progress reporter; returns the
# one-line summary shown when it is done.
Work = Callable[[OpenWorkspace, Mapping[str, Any], Reporter], str]
# Called on each tick of the local loop (SQLite): queues the periodic work that is due.
Tick = Callable[[OpenWorkspace, "JobRunner"], object]


class JobInterruptedError(ProductpathError):
    """Raised from a progress report when the worker is stopping."""


class JobCancelledError(ProductpathError):
    """Raised from a progress report when someone cancelled the job."""


@dataclass(frozen=True)
class JobKind:
    label: str
    work: Work
    # Whether the work holds a write transaction throughout (see the module docstring).
    holds_write_lock: bool = False


class JobView(BaseModel):
    """One job as the pages, their JSON twins and ``productpath jobs`` show it."""

    id: int
    kind: str
    label: str
    subject: str
    status: str  # queued | running | done | failed | cancelled
    stage: str
    done: int
    total: int
    # 0-100 when the total is known, else None (the bar is then indeterminate).
    percent: int | None
    message: str
    worker: str
    attempts: int
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


def worker_name() -> str:
    """This process as a worker: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class JobRunner:
    """The kinds of work jobs do, queuing them, and running them in this process."""

    def __init__(self, max_threads: int = MAX_THREADS, name: str | None = None) -> None:
        self._max_threads = max_threads
        self._pool: ThreadPoolExecutor | None = None
        self._loop: threading.Thread | None = None
        self._kinds: dict[str, JobKind] = {}
        self._live: dict[int, tuple[str, int, int]] = {}
        self._mine: set[int] = set()
        # The jobs :meth:`execute` runs in this process right now.
        self._running: set[int] = set()
        self._guard = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self.name = name or worker_name()
        self.started_at = utcnow()

    def register(self, kind: str, spec: JobKind) -> None:
        self._kinds[kind] = spec

    def knows(self, kind: str) -> bool:
        return kind in self._kinds

    def label(self, kind: str) -> str:
        spec = self._kinds.get(kind)
        return spec.label if spec else kind.replace("_", " ").capitalize()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def recover(self, handle: OpenWorkspace) -> int:
        """Queue again the jobs left running by a process of this host that has died (SQLite:
        one machine); how many there were. On PostgreSQL the queue's heartbeats do this."""
        if not handle.workspace.uses_sqlite:
            return 0
        host = socket.gethostname()
        # Read first: a write transaction moves the data version (and the web's cache) even
        # when it changes nothing, and this runs every second.
        with handle.store.read() as session:
            product_id = product_repo.find_id(session, handle.workspace.product)
            rows = [] if product_id is None else job_repo.running(session, product_id)
            dead = [job.id for job in rows if _dead_here(job.worker, host)]
        count = 0
        if dead:
            with handle.store.write() as session:
                for job_id in dead:
                    job = session.get(Job, job_id)
                    if job is not None and job.status == "running" and _dead_here(job.worker, host):
                        job.status, job.message = "queued", INTERRUPTED
                        count += 1
        if count:
            self._wake.set()
        return count

    def start_job(
        self,
        handle: OpenWorkspace,
        kind: str,
        params: Mapping[str, Any],
        user_id: int | None,
        *,
        subject: str = "",
        unless_since: dt.datetime | None = None,
    ) -> int:
        """Queue a job of ``kind`` and return its id.

        Raises ConflictError while a job of the same kind and subject is queued or running for
        the product, or (with ``unless_since``) when one was queued since then: a periodic
        schedule asks that way, so workers ticking at once queue it once.
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
            running = job_repo.active(session, product_id, kind, subject)
            if running is not None:
                raise ConflictError(
                    f"job #{running.id} ({self.label(kind).lower()}) is already "
                    f"{running.status}; wait for it to finish"
                )
            if unless_since is not None:
                last = job_repo.last_created(session, product_id, kind, subject)
                if last is not None and last >= unless_since:
                    raise ConflictError(f"a {self.label(kind).lower()} was queued at {last}")
            job = job_repo.add(
                session,
                product_id,
                kind,
                user_id,
                "queued",
                params=json.dumps(dict(params), sort_keys=True),
                subject=subject,
            )
            job_id = job.id
            if not handle.workspace.uses_sqlite:
                from productpath.services.background import queue_defer

                queue_defer.defer(session, handle, job_id)
        self._wake.set()
        return job_id

    def live(self, job_id: int) -> tuple[str, int, int] | None:
        """(stage, done, total) of a job this process runs, fresher than its row."""
        return self._live.get(job_id)

    # --- Running jobs -----------------------------------------------------------------------

    def execute(self, handle: OpenWorkspace, job_id: int, *, queued_only: bool = False) -> str:
        """Claim job ``job_id`` and run it here; its final status ("skipped" when another worker
        has it, when this runner runs it already, or it was cancelled or finished). Raises
        JobInterruptedError when this worker stops midway (the row is queued again first)."""
        # A running row can be claimed again (a stalled job's retry), so a job this runner is
        # running must be refused here: on PostgreSQL a run waiting on its embedding batches
        # runs queued ones itself while the queue may hand the same batch to one of our slots.
        with self._guard:
            if job_id in self._running:
                return "skipped"
            self._running.add(job_id)
        try:
            return self._execute(handle, job_id, queued_only=queued_only)
        finally:
            with self._guard:
                self._running.discard(job_id)

    def _execute(self, handle: OpenWorkspace, job_id: int, *, queued_only: bool) -> str:
        statuses = ("queued",) if queued_only else job_repo.ACTIVE
        with handle.store.write() as session:
            job = job_repo.claim(session, job_id, self.name, statuses)
            if job is None:
                return "skipped"
            kind, params = job.kind, json.loads(job.params or "{}")
        spec = self._kinds.get(kind)
        reporter = _Reporter(
            self,
            handle,
            job_id,
            publish=spec is None or not (spec.holds_write_lock and handle.workspace.uses_sqlite),
        )
        try:
            if spec is None:
                raise InputError(f"this worker does not know job kind '{kind}'")
            if self._stopping.is_set():
                raise JobInterruptedError(INTERRUPTED)
            message = spec.work(handle, params, reporter)
        except JobInterruptedError:
            self._finish(handle, job_id, status="queued", message=INTERRUPTED, finished_at=None)
            raise
        except JobCancelledError:
            return CANCELLED
        except Exception as exc:
            if not isinstance(exc, ProductpathError):
                log.exception("job %s (%s) failed", job_id, kind)
            stage, done, total = self._live.get(job_id, ("", 0, 0))
            self._finish(
                handle,
                job_id,
                status="failed",
                stage=stage,
                done=done,
                total=total,
                message=one_line(exc),
                finished_at=utcnow(),
            )
            return "failed"
        else:
            stage, done, total = self._live.get(job_id, ("", 0, 0))
            self._finish(
                handle,
                job_id,
                status="done",
                stage="finished",
                done=max(done, total),
                total=max(done, total),
                message=message,
                finished_at=utcnow(),
            )
            return "done"
        finally:
            self._live.pop(job_id, None)
            upload = params.get("upload")
            if upload and _settled(handle, job_id):
                Path(upload).unlink(missing_ok=True)

    def _finish(self, handle: OpenWorkspace, job_id: int, **values: Any) -> None:
        with handle.store.write() as session:
            job_repo.set_if_running(session, job_id, self.name, **values)

    def start_local(
        self, handle: OpenWorkspace, tick: Tick | None = None, every: float = 60
    ) -> None:
        """Run this workspace's queued jobs in this process (SQLite), and ``tick`` (the periodic
        schedule) every ``every`` seconds, until :meth:`shutdown`."""
        self._pool = ThreadPoolExecutor(self._max_threads, thread_name_prefix="productpath-job")
        self._loop = threading.Thread(
            target=self._local_loop,
            args=(handle, tick, every),
            name="productpath-jobs",
            daemon=True,
        )
        self._loop.start()

    def _local_loop(self, handle: OpenWorkspace, tick: Tick | None, every: float) -> None:
        next_tick = time.monotonic() + every
        while not self._stopping.is_set():
            try:
                if tick is not None and time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + every
                    tick(handle, self)
                self.recover(handle)
                self._take_queued(handle)
            except Exception:
                log.exception("the job loop failed; trying again")
            self._wake.wait(POLL_EVERY)
            self._wake.clear()

    def _take_queued(self, handle: OpenWorkspace) -> None:
        assert self._pool is not None
        with self._guard:
            free = self._max_threads - len(self._mine)
        if free <= 0:
            return
        with handle.store.read() as session:
            product_id = product_repo.find_id(session, handle.workspace.product)
            ids = [] if product_id is None else job_repo.queued_ids(session, product_id, free + 8)
        for job_id in ids:
            with self._guard:
                if job_id in self._mine or len(self._mine) >= self._max_threads:
                    continue
                self._mine.add(job_id)
            self._pool.submit(self._run_local, handle, job_id)

    def _run_local(self, handle: OpenWorkspace, job_id: int) -> None:
        try:
            self.execute(handle, job_id, queued_only=True)
        except JobInterruptedError:
            pass
        except Exception:
            log.exception("job %s could not be run", job_id)
        finally:
            with self._guard:
                self._mine.discard(job_id)
            self._wake.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`shutdown` is called (a worker's main thread); whether it was."""
        return self._stopping.wait(timeout)

    def shutdown_soon(self) -> None:
        """Ask running jobs to stop at their next report (safe from a signal handler);
        :meth:`wait` returns and the caller then calls :meth:`shutdown`."""
        self._stopping.set()
        self._wake.set()

    def shutdown(self) -> None:
        """Stop running jobs at their next progress report and wait for the threads."""
        self._stopping.set()
        self._wake.set()
        if self._loop is not None:
            self._loop.join()
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _dead_here(worker: str, host: str) -> bool:
    """Whether ``worker`` (host:pid) was a process of this host that is gone; a row from before
    workers were named (no worker) counts as gone too."""
    owner, _, pid = worker.rpartition(":")
    if not worker:
        return True
    return owner == host and pid.isdigit() and not _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _settled(handle: OpenWorkspace, job_id: int) -> bool:
    """Whether the job has ended for good (its upload is no longer needed)."""
    with handle.store.read() as session:
        job = session.get(Job, job_id)
        return job is None or job.status in job_repo.FINISHED


class _Reporter:
    """The progress callback a job's work receives: kept in memory, written to the row
    throttled, and the place where a stopping worker or a cancel interrupts the work. Its
    ``job_id`` names the job, for work that keeps what it made under the job's number (a
    generated report's file)."""

    def __init__(self, runner: JobRunner, handle: OpenWorkspace, job_id: int, publish: bool):
        self._runner = runner
        self._handle = handle
        self._job_id = job_id
        self.job_id = job_id
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
            with self._handle.store.write() as session:
                mine = job_repo.set_if_running(
                    session,
                    self._job_id,
                    self._runner.name,
                    stage=stage,
                    done=done,
                    total=total or 0,
                )
            if not mine:
                raise JobCancelledError(CANCELLED)


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
        subject=job.subject,
        status=job.status,
        stage=stage,
        done=done,
        total=total,
        percent=percent,
        message=job.message,
        worker=job.worker,
        attempts=job.attempts,
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
