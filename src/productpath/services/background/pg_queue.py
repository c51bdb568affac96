"""The job queue on PostgreSQL: procrastinate, its tables in the workspace's own database.

Queuing a job (:func:`defer`) inserts a procrastinate job naming our ``job`` row, in the same
transaction as the row, so a job is never queued half. Each workspace's product has its own
queue (:func:`queue_name`), so several workspaces can share one database.

A worker (:func:`run_worker`, or the web app's embedded one from :func:`start_embedded`) runs
two tasks:

- ``productpath.run_job``: claim the row and run its work (``JobRunner.execute``). procrastinate
  hands each queued job to one worker (``SELECT ... FOR UPDATE SKIP LOCKED``) and a lock per row
  keeps a job from running twice at once. A worker that stops midway queues the job again.
- ``productpath.tick``: a periodic task, deferred once per tick across all workers
  (procrastinate keeps one periodic defer per timestamp), which gives the jobs of workers that
  stopped sending heartbeats (killed) back to the queue, queues the periodic work that is
  due (``schedule.py``), and hands the queue the jobs writes requested in their own
  transactions (:func:`defer_requested`, such as the watchers' risk check).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import procrastinate

from productpath.services.background.jobs import INTERRUPTED, JobInterruptedError, JobRunner
from productpath.services.background.queue_defer import RUN_JOB, conninfo, defer, queue_name
from productpath.services.workspace import OpenWorkspace
from productpath.store import job_repo, product_repo
from productpath.store.models import Job

log = logging.getLogger(__name__)

TICK = "productpath.tick"
# Seconds between heartbeats; a worker silent for STALLED_AFTER heartbeats counts as dead.
HEARTBEAT = 10.0
STALLED_AFTER = 3
# Seconds between two ticks of the periodic schedule (and stalled-job checks).
TICK_EVERY = 10
# A job interrupted by its worker stopping is queued again, up to this many times.
MAX_INTERRUPTIONS = 20


def build_app(
    handle: OpenWorkspace,
    runner: JobRunner,
    *,
    tick_every: int = TICK_EVERY,
    stalled_after: float = HEARTBEAT * STALLED_AFTER,
    schedule: bool = True,
) -> procrastinate.App:
    """A procrastinate app whose tasks run ``runner``'s jobs for this workspace."""
    from productpath.services.background import schedule as periodic

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(handle.workspace.database_url))
    )
    queue = queue_name(handle)

    @app.task(
        name=RUN_JOB,
        queue=queue,
        retry=procrastinate.RetryStrategy(
            max_attempts=MAX_INTERRUPTIONS, wait=1, retry_exceptions={JobInterruptedError}
        ),
    )
    def run_job(job_id: int) -> str:
        return runner.execute(handle, job_id)

    @app.periodic(cron=f"* * * * * */{tick_every}", periodic_id=queue)
    @app.task(name=TICK, queue=queue, pass_context=True)
    async def tick(context: procrastinate.JobContext, timestamp: int) -> int:
        stalled = await app.job_manager.get_stalled_jobs(
            queue=queue, task_name=RUN_JOB, seconds_since_heartbeat=stalled_after
        )
        stalled = list(stalled)
        for job in stalled:
            log.warning("job %s: its worker stopped sending heartbeats; queued again", job.id)
            await app.job_manager.retry_job(job)
            await asyncio.to_thread(_requeue_row, handle, int(str(job.task_kwargs["job_id"])))
        if schedule and not runner.stopping:
            await asyncio.to_thread(periodic.enqueue_due, handle, runner)
        await asyncio.to_thread(defer_requested, handle)
        return len(stalled)

    del run_job, tick
    return app


def defer_requested(handle: OpenWorkspace) -> int:
    """Hand the jobs that writes queued inside their own transactions (``job_repo.request``:
    the services below the queue cannot reach procrastinate) to the queue; how many."""
    # Read first: a write transaction moves the data version (and the web's cache) even when
    # it changes nothing, and this runs every tick.
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None or not job_repo.requested_ids(session, product_id):
            return 0
    with handle.store.write() as session:
        job_repo.lock_product(session, product_id)  # two workers ticking at once: one hands
        ids = job_repo.requested_ids(session, product_id)
        for job_id in ids:
            defer(session, handle, job_id)
            job_repo.set_fields(session, job_id, stage="queued")
    return len(ids)


def _requeue_row(handle: OpenWorkspace, job_id: int) -> None:
    with handle.store.write() as session:
        job = session.get(Job, job_id)
        if job is not None and job.status == "running":
            job.status, job.message = "queued", INTERRUPTED


def worker_options(
    runner: JobRunner, concurrency: int, heartbeat: float = HEARTBEAT
) -> dict[str, Any]:
    return {
        "name": runner.name,
        "concurrency": concurrency,
        "update_heartbeat_interval": heartbeat,
        "stalled_worker_timeout": heartbeat * STALLED_AFTER,
        # Our rows keep the history; the queue keeps only what is still to do.
        "delete_jobs": "successful",
        "fetch_job_polling_interval": 2.0,
    }


def run_worker(
    handle: OpenWorkspace,
    runner: JobRunner,
    *,
    concurrency: int,
    heartbeat: float = HEARTBEAT,
    tick_every: int = TICK_EVERY,
) -> None:
    """Run jobs until the process is told to stop (SIGINT/SIGTERM)."""
    app = build_app(handle, runner, tick_every=tick_every, stalled_after=heartbeat * STALLED_AFTER)

    async def main() -> None:
        async with app.open_async():
            try:
                await app.run_worker_async(
                    queues=[queue_name(handle)], **worker_options(runner, concurrency, heartbeat)
                )
            finally:
                runner.shutdown()

    asyncio.run(main())


async def start_embedded(
    handle: OpenWorkspace, runner: JobRunner, concurrency: int = 2, *, schedule: bool = True
) -> tuple[procrastinate.App, asyncio.Task[None]]:
    """A worker inside the web app's event loop (stop it with :func:`stop_embedded`)."""
    app = build_app(handle, runner, schedule=schedule)
    await app.open_async()
    task = asyncio.create_task(
        app.run_worker_async(
            queues=[queue_name(handle)],
            install_signal_handlers=False,
            **worker_options(runner, concurrency),
        )
    )
    return app, task


async def stop_embedded(app: procrastinate.App, task: asyncio.Task[None]) -> None:
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    finally:
        await app.close_async()
