"""productpath worker / jobs: run background jobs, and list, show, retry or cancel them."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

jobs_app = typer.Typer(
    help="Background jobs (imports, syncs, insights runs, digests): list, show, retry, cancel.",
    no_args_is_help=True,
)


def worker(
    ctx: typer.Context,
    concurrency: int = typer.Option(
        2, "--concurrency", min=1, max=64, help="Jobs this worker runs at once."
    ),
    heartbeat: float = typer.Option(
        10.0,
        "--heartbeat",
        min=0.2,
        max=600,
        help="Seconds between heartbeats (PostgreSQL); a worker silent for three is taken "
        "for dead and its jobs run again elsewhere.",
    ),
    tick: int = typer.Option(
        10,
        "--tick",
        min=1,
        max=59,
        help="Seconds between looks at the periodic schedule (source syncs, digests, the "
        "nightly insights run) and at stalled jobs.",
    ),
) -> None:
    """Run queued and periodic jobs until stopped (Ctrl-C). On PostgreSQL any number of workers
    on any number of machines share the queue; on SQLite it runs this machine's jobs."""
    from productpath.services.background.job_kinds import standard_runner
    from productpath.services.background.schedule import enqueue_due

    with open_from(ctx) as handle:
        runner = standard_runner(max_threads=concurrency)
        where = "SQLite" if handle.workspace.uses_sqlite else "PostgreSQL"
        typer.echo(
            f"Worker {runner.name} running jobs of '{handle.workspace.product}' ({where}, "
            f"{concurrency} at once); Ctrl-C stops it",
            err=True,
        )
        if handle.workspace.uses_sqlite:

            def stop(_signum: int, _frame: Any) -> None:
                runner.shutdown_soon()

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            runner.start_local(handle, enqueue_due, every=tick)
            runner.wait()
            runner.shutdown()
        else:
            from productpath.services.background.pg_queue import run_worker

            run_worker(
                handle, runner, concurrency=concurrency, heartbeat=heartbeat, tick_every=tick
            )
    typer.echo("Worker stopped", err=True)


@jobs_app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: str | None = typer.Option(
        None,
        "--status",
        help="Only jobs with this status: queued, running, done, failed, cancelled.",
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="How many, newest first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the newest jobs: state, progress, worker and errors."""
    from productpath.services.background.job_admin import list_jobs

    with open_from(ctx) as handle:
        rows = list_jobs(handle, status=status, limit=limit)
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    if not rows:
        typer.echo("No jobs yet.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for column in ("id", "kind", "status", "progress", "worker", "queued", "message"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row.id),
            row.label + (f" ({row.subject})" if row.subject and row.kind != "probe" else ""),
            row.status,
            _progress(row.stage, row.done, row.total, row.percent),
            row.worker,
            f"{row.created_at:%Y-%m-%d %H:%M:%S}",
            row.message,
        )
    Console().print(table)


@jobs_app.command("show")
def show(
    ctx: typer.Context,
    job_id: int = typer.Argument(..., help="The job's number."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one job."""
    from productpath.services.background.job_admin import show_job

    with open_from(ctx) as handle:
        row = show_job(handle, job_id)
    if as_json:
        print_json(row.model_dump(mode="json"))
        return
    typer.echo(f"Job #{row.id}: {row.label}" + (f" ({row.subject})" if row.subject else ""))
    typer.echo(f"  status: {row.status}")
    typer.echo(f"  progress: {_progress(row.stage, row.done, row.total, row.percent)}")
    typer.echo(f"  worker: {row.worker or 'none yet'} (attempts: {row.attempts})")
    typer.echo(f"  queued: {row.created_at:%Y-%m-%d %H:%M:%S}")
    if row.started_at:
        typer.echo(f"  started: {row.started_at:%Y-%m-%d %H:%M:%S}")
    if row.finished_at:
        typer.echo(f"  finished: {row.finished_at:%Y-%m-%d %H:%M:%S}")
    if row.message:
        typer.echo(f"  message: {row.message}")


@jobs_app.command("retry")
def retry(
    ctx: typer.Context,
    job_id: int = typer.Argument(..., help="The job's number."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Queue a failed or cancelled job again."""
    from productpath.services.background.job_admin import retry_job

    with open_from(ctx) as handle:
        row = retry_job(handle, job_id)
    if as_json:
        print_json(row.model_dump(mode="json"))
        return
    typer.echo(f"Queued job #{row.id} ({row.label}) again")


@jobs_app.command("cancel")
def cancel(
    ctx: typer.Context,
    job_id: int = typer.Argument(..., help="The job's number."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Cancel a queued or running job (a running one stops at its next progress report)."""
    from productpath.services.background.job_admin import cancel_job

    with open_from(ctx) as handle:
        row = cancel_job(handle, job_id)
    if as_json:
        print_json(row.model_dump(mode="json"))
        return
    typer.echo(f"Cancelled job #{row.id} ({row.label})")


@jobs_app.command("probe")
def probe(
    ctx: typer.Context,
    count: int = typer.Option(1, "--count", min=1, max=100_000, help="How many checks."),
    seconds: float = typer.Option(1.0, "--seconds", min=0, max=3600, help="How long each waits."),
    log: Path | None = typer.Option(
        None, "--log", help="Append a line per finished check to this file (one machine)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Queue checks that only wait: see that workers take jobs, and how fast."""
    from productpath.services.background.job_admin import queue_probes

    with open_from(ctx) as handle:
        ids = queue_probes(handle, count, seconds, log)
    if as_json:
        print_json({"queued": ids})
        return
    typer.echo(f"Queued {len(ids)} queue checks (jobs #{ids[0]}..#{ids[-1]})")


def _progress(stage: str, done: int, total: int, percent: int | None) -> str:
    if percent is not None:
        return f"{stage} {done}/{total} ({percent}%)".strip()
    return stage


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.add_typer(jobs_app, name="jobs")
