"""`productpath digest send|log`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

if TYPE_CHECKING:
    from productpath.services.reporting.digest_models import DigestRun

group = typer.Typer(
    help="Send each stakeholder the report for their audience, on their cadence.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(group, name="digest")


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"'{value}' is not a date like 2026-11-30") from exc


@group.command("send")
def send(
    ctx: typer.Context,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show who would get what; send and record nothing."
    ),
    as_json: bool = JSON_OPTION,
    today: str | None = typer.Option(
        None,
        "--today",
        help="Treat this date (YYYY-MM-DD) as today: it picks the period (default: today).",
    ),
    polish: bool = typer.Option(
        False, "--polish", help="Reword the text in the [llm] tone (needs [llm] settings)."
    ),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Do not attach the PDF to e-mails."),
) -> None:
    """Send the digests due this period, and pending notifications; one line per recipient.

    Exits 1 when any delivery failed or was skipped (the next run tries those again). Each
    channel is independent: without SMTP settings the e-mails are skipped, the webhooks sent.
    """
    from rich.console import Console

    from productpath.services.reporting.digests import send_digests

    day = _date(today)
    err = Console(stderr=True)
    with open_from(ctx) as handle, err.status("Rendering and sending digests..."):
        run = send_digests(handle, dry_run=dry_run, today=day, polish=polish, attach_pdf=not no_pdf)
    if as_json:
        print_json(run.model_dump(mode="json"))
    else:
        _print_run(run)
    for warning in run.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if run.count("failed") or run.count("skipped"):
        raise typer.Exit(1)


def _print_run(run: DigestRun) -> None:
    if not run.digests and not run.notifications:
        typer.echo(
            "Nothing to send: no stakeholder has a channel and a cadence, and no "
            "notification is waiting."
        )
        return
    for line in run.digests:
        where = f"{line.channel} {line.recipient}".strip()
        detail = f": {line.error}" if line.error else ""
        tries = f" after {line.attempts} attempts" if line.attempts > 1 else ""
        typer.echo(
            f"{_label(line.status)} {line.stakeholder} ({where}) {line.report} "
            f"{line.period}{tries}{detail}"
        )
    for note in run.notifications:
        detail = f": {note.error}" if note.error else ""
        where = note.recipient or note.email
        via = f" (webhook {where})" if note.channel == "webhook" else f" to {where}"
        typer.echo(f"{_label(note.status)} notification{via}: {note.subject}{detail}")
    if not run.dry_run:
        skipped = run.count("skipped")
        more = f", {skipped} skipped (see the warning)" if skipped else ""
        typer.echo(f"{run.count('sent')} sent, {run.count('failed')} failed{more}.")


def _label(status: str) -> str:
    return {
        "sent": "sent        ",
        "failed": "FAILED      ",
        "would_send": "would send  ",
        "would_fail": "would FAIL  ",
        "already_sent": "already sent",
        "in_progress": "in progress ",
        "skipped": "skipped     ",
    }.get(status, status)


@group.command("log")
def log(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    limit: int = typer.Option(50, "--limit", min=1, help="Show at most this many, newest first."),
) -> None:
    """List digests sent (and failed), newest first."""
    from productpath.services.reporting.digests import digest_log

    with open_from(ctx) as handle:
        rows = digest_log(handle, limit)
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    if not rows:
        typer.echo("No digests sent yet; try 'productpath digest send --dry-run'.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("when", "stakeholder", "period", "channel", "report", "status", "tries", "error")
    for row in rows:
        when = (row.sent_at or row.created_at).astimezone().strftime("%Y-%m-%d %H:%M")
        table.add_row(
            when,
            row.stakeholder,
            row.period,
            row.channel,
            row.report,
            row.status,
            str(row.attempts),
            row.error,
        )
    Console().print(table)
