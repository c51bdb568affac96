"""`productpath report exec|engineering|customer|release-notes`."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import typer

from productpath.cli.common import open_from, print_json, write_atomically

app = typer.Typer(
    help="Reports per audience (exec, engineering, customer, release notes) as Markdown, HTML "
    "or PDF.",
    no_args_is_help=True,
)


class FormatChoice(StrEnum):
    md = "md"
    html = "html"
    pdf = "pdf"


FORMAT = typer.Option(FormatChoice.md, "--format", help="md (Markdown), html or pdf.")
OUT = typer.Option(
    None,
    "--out",
    dir_okay=False,
    help="Write the report to this file (replaced whole, or not at all); default: print it "
    "(a PDF needs --out).",
)
SINCE = typer.Option(
    None,
    "--since",
    formats=["%Y-%m-%d"],
    help="YYYY-MM-DD. Shipped reports: what shipped since this day (default: the last report "
    "of the kind, else 30 days ago). Engineering: the flow-metrics window start.",
)
MILESTONE = typer.Option(None, "--milestone", help="Only this milestone (its id in the roadmap).")
NO_RECORD = typer.Option(
    False,
    "--no-record",
    help="A preview: do not record this report, so the next one compares with the last "
    "recorded one.",
)
POLISH = typer.Option(
    False,
    "--polish",
    help="Rewrite the text in the tone set under [llm] in productpath.toml (md or html only). "
    "If the endpoint fails or drops a figure, the generated text is kept, with a warning.",
)
QUEUE = typer.Option(
    False,
    "--queue",
    help="Generate it in the background, through the job queue: prints the job's number at "
    "once; a worker ('productpath worker', or 'serve') renders and records it, and keeps the "
    "file for 'productpath report download JOB'. Progress: 'productpath jobs show JOB'.",
)

QUEUED_JSON = typer.Option(False, "--json", help="With --queue: print the queued job as JSON.")


def _run(
    ctx: typer.Context,
    kind: str,
    fmt: FormatChoice,
    out: Path | None,
    since: dt.datetime | None,
    milestone: str | None,
    no_record: bool,
    polish: bool = False,
    queue: bool = False,
    as_json: bool = False,
) -> None:
    from productpath.errors import InputError

    if queue:
        _queue(ctx, kind, fmt, out, since, milestone, no_record, polish, as_json)
        return
    if as_json:
        raise InputError("--json goes with --queue (it prints the queued job)")
    from productpath.services.reporting.reports import render_report

    if fmt is FormatChoice.pdf and out is None:
        raise InputError("a PDF report needs --out FILE")
    day = since.date() if since else None
    with open_from(ctx) as handle:
        if polish:
            # Only --polish needs the LLM client (urllib, http, ssl): imported for it alone.
            from productpath.services.reporting.report_polish import render_polished

            report, warning = render_polished(
                handle, kind, fmt.value, since=day, milestone=milestone, record=not no_record
            )
            if warning:
                typer.echo(f"warning: {warning}", err=True)
        else:
            report = render_report(
                handle, kind, fmt.value, since=day, milestone=milestone, record=not no_record
            )
    if out is None:
        sys.stdout.write(report.content.decode("utf-8"))
    else:
        write_atomically(out, report.content)
        typer.echo(f"Wrote {report.title} ({fmt.value}) to {out}", err=True)
    if report.jargon:
        typer.echo(
            "jargon left (add plain phrases for these to glossary.yaml): "
            + ", ".join(report.jargon),
            err=True,
        )


# One command per report kind; they differ only in the kind and the help text.
COMMANDS = {
    "exec": "One page for executives: objectives, milestone confidence, top risks, customer "
    "asks, decisions needed; technical terms translated through glossary.yaml.",
    "engineering": "For engineers: scope, timeline, burn-ups, blockers, dependencies, flow "
    "metrics, code-health warnings and the forecast retrospective.",
    "customer": "For customers: what shipped since a date, each change with what they told us "
    "it answers, and what is coming next.",
    "release-notes": "For users and support teams: delivered initiatives with their changes, "
    "titles cleaned of commit prefixes, ticket keys and internal names.",
}


def _command(kind: str, help_text: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        fmt: FormatChoice = FORMAT,
        out: Path | None = OUT,
        since: dt.datetime | None = SINCE,
        milestone: str | None = MILESTONE,
        no_record: bool = NO_RECORD,
        polish: bool = POLISH,
        queue: bool = QUEUE,
        as_json: bool = QUEUED_JSON,
    ) -> None:
        _run(ctx, kind, fmt, out, since, milestone, no_record, polish, queue, as_json)

    command.__doc__ = help_text
    return command


for _kind, _help in COMMANDS.items():
    app.command(_kind)(_command(_kind, _help))


def _queue(
    ctx: typer.Context,
    kind: str,
    fmt: FormatChoice,
    out: Path | None,
    since: dt.datetime | None,
    milestone: str | None,
    no_record: bool,
    polish: bool,
    as_json: bool,
) -> None:
    from productpath.errors import InputError
    from productpath.services.background.job_admin import show_job
    from productpath.services.background.job_kinds import standard_runner
    from productpath.services.background.report_jobs import queue_report

    for given, option in ((out, "--out"), (no_record, "--no-record"), (polish, "--polish")):
        if given:
            raise InputError(
                f"{option} does not go with --queue: a queued report is recorded and kept for "
                "'productpath report download JOB'"
            )
    with open_from(ctx) as handle:
        job_id = queue_report(
            handle,
            standard_runner(),
            kind,
            fmt.value,
            since=since.date() if since else None,
            milestone=milestone,
        )
        row = show_job(handle, job_id)
    if as_json:
        print_json(row.model_dump(mode="json"))
        return
    typer.echo(
        f"Queued job #{job_id} ({kind} report, {fmt.value}). Follow it with 'productpath jobs "
        f"show {job_id}'; once done, 'productpath report download {job_id} --out FILE'."
    )


@app.command("download")
def download(
    ctx: typer.Context,
    job_id: int = typer.Argument(..., help="The number of the report job (see 'jobs list')."),
    out: Path | None = typer.Option(
        None,
        "--out",
        dir_okay=False,
        help="Write the file here (replaced whole, or not at all); default: the report's own "
        "file name in the current folder.",
    ),
) -> None:
    """Save the file a queued report job generated (report ... --queue, or the reports page)."""
    from productpath.services.background.report_jobs import report_file

    with open_from(ctx) as handle:
        found = report_file(handle, job_id)
    target = out or Path(found.filename)
    write_atomically(target, found.content)
    typer.echo(f"Wrote {found.title} ({found.format}) from job #{job_id} to {target}", err=True)


def register(root: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    root.add_typer(app, name="report")
