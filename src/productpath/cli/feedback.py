"""productpath feedback ...: import customer feedback from files, list it, export it."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from productpath.cli.common import (
    JSON_OPTION,
    atomic_output,
    open_from,
    print_json,
    progress_bar,
    widen_to_fit,
)

if TYPE_CHECKING:
    from productpath.services.listings import FeedbackRow

app = typer.Typer(help="Import, list and export customer feedback.", no_args_is_help=True)


class InputFormat(StrEnum):
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    github_issues = "github-issues"
    jira = "jira"
    app_store = "app-store"
    google_play = "google-play"


class PiiType(StrEnum):
    # The CLI must not import the ingest package for its help; the values are PiiKind's.
    email = "email"
    iban = "iban"
    card = "card"
    ip = "ip"
    phone = "phone"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV, JSON (an array of objects) or JSONL file."),
    text_column: list[str] = typer.Option(
        [],
        "--text-column",
        help="Column with the feedback text; repeat it to join several (title, then body) "
        "with a blank line. Not with --format github-issues or jira.",
    ),
    id_column: str | None = typer.Option(
        None, "--id-column", help="Column with a unique id (default: a hash of the row)."
    ),
    date_column: str | None = typer.Option(
        None, "--date-column", help="Column with when it was said (ISO 8601 preferred)."
    ),
    customer_column: str | None = typer.Option(
        None, "--customer-column", help="Column with the customer's id."
    ),
    kind_column: str | None = typer.Option(
        None,
        "--kind-column",
        help="Column with each item's kind (bug, defect, feature, enhancement, question, "
        "support, praise, ...): those items are labelled and teach the kind classifier.",
    ),
    source: str | None = typer.Option(
        None, "--source", help="Name of the source (default: the file name without extension)."
    ),
    file_format: InputFormat | None = typer.Option(
        None,
        "--format",
        help="File format (default: from the extension); github-issues (the REST API's issues "
        "JSON) and jira (a Jira CSV export) read each issue as feedback: title, blank line, body; "
        "app-store (an App Store Connect reviews JSON) and google-play (Google Play's review "
        "CSV, UTF-16) read each review, with its rating, version and territory or language; "
        "both are recognised without --format when no --text-column is given.",
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Skip bad rows (each one reported) instead of stopping."
    ),
    keep_pii: bool = typer.Option(
        False,
        "--keep-pii",
        help="Store the text as it is, without replacing e-mail addresses, phone and card "
        "numbers, IBANs and IP addresses by placeholders.",
    ),
    keep_pii_types: list[PiiType] = typer.Option(
        [],
        "--keep-pii-type",
        help="Keep this kind of personal data as it is, redact the others (repeat for more).",
    ),
    keep_local_ips: bool = typer.Option(
        False,
        "--keep-local-ips",
        help="Keep loopback, private and documentation IP addresses (127.0.0.1, 10.x, "
        "192.168.x, 192.0.2.x, ...): they identify no one.",
    ),
) -> None:
    """Import feedback from FILE. Idempotent: rows already imported are left as they are.

    Personal data in the text is replaced by placeholders such as [EMAIL] before it is stored,
    unless --keep-pii.
    """
    from productpath.errors import InputError
    from productpath.services.feedback import import_feedback, redaction_policy

    pii = redaction_policy([kind.value for kind in keep_pii_types], keep_local_ips=keep_local_ips)

    with open_from(ctx) as handle, progress_bar(f"Importing {file}", file) as progress:
        report = import_feedback(
            handle,
            file,
            text_column=text_column or None,
            id_column=id_column,
            date_column=date_column,
            customer_column=customer_column,
            kind_column=kind_column,
            source=source,
            file_format=file_format.value if file_format else None,
            skip_invalid=skip_invalid,
            keep_pii=keep_pii,
            progress=progress,
            pii=pii,
        )
    for skip in report.skipped:
        where = InputError(skip.reason, file=file, line=skip.line, field=skip.field)
        typer.echo(f"skipped {where}", err=True)
    noun = "item" if report.added == 1 else "items"
    typer.echo(
        f"Imported {report.added} new {noun} from {file} (source '{report.source}'); "
        f"{report.unchanged} already present; {len(report.skipped)} skipped"
    )
    if kind_column is not None:
        noun = "item" if report.labelled == 1 else "items"
        typer.echo(f"Labelled {report.labelled} {noun} with the kind from column '{kind_column}'")
    if report.unmapped_kinds:
        # Listed once, most frequent first: a value to map by hand, never a failed import.
        values = ", ".join(
            f"'{value}' ({count})" for value, count in report.unmapped_kinds.most_common()
        )
        typer.echo(
            f"warning: {file}: field '{kind_column}': values that name no kind, their items "
            f"left unlabelled: {values}",
            err=True,
        )
    if report.updated:
        noun = "item" if report.updated == 1 else "items"
        typer.echo(f"Redacted the text of {report.updated} {noun} already stored")
    if report.redacted_items:
        # Counts only: the summary must never repeat what was redacted.
        kinds = ", ".join(
            f"{count} {kind.value}" for kind, count in sorted(report.redacted.items())
        )
        noun = "item" if report.redacted_items == 1 else "items"
        typer.echo(f"Redacted PII in {report.redacted_items} {noun}: {kinds}")
    nuls = report.removed_nuls
    if nuls.characters:
        where = InputError(
            f"removed {nuls.characters} NUL {'character' if nuls.characters == 1 else 'characters'}"
            f" from the text of {nuls.rows} {'row' if nuls.rows == 1 else 'rows'} (first here)",
            file=file,
            line=nuls.first_line,
        )
        typer.echo(f"warning: {where}", err=True)
    if report.first_future is not None:
        # Kept, since the date may be meant; trends leave such items out (docs/insights.md).
        line, day = report.first_future
        noun = "item" if report.future_dated == 1 else "items"
        where = InputError(
            f"dated {day}, after today; trends leave out the {report.future_dated} new {noun} "
            "dated after today",
            file=file,
            line=line,
            field=date_column,
        )
        typer.echo(f"warning: {where}", err=True)


@app.command("label")
def label(
    ctx: typer.Context,
    items: list[str] = typer.Argument(
        ..., help="Items to label: each one's external id or its number (the id in the list)."
    ),
    kind: str | None = typer.Option(
        None, "--kind", help="The kind: bug, feature_request, question, praise or other."
    ),
    sentiment: str | None = typer.Option(
        None,
        "--sentiment",
        help="A score from -1 to 1, or positive (0.5), neutral (0) or negative (-0.5).",
    ),
) -> None:
    """Correct the kind and/or sentiment of one or more items. The correction is shown as set
    by a person, kept through every 'insights run' (incremental or --full), and the next run's
    kind classifier learns from it."""
    from productpath.services.feedback_labels import label_items

    with open_from(ctx) as handle:
        done = label_items(handle, items, kind=kind, sentiment=sentiment, set_by="cli")
    what = ", ".join(
        part
        for part in (
            f"kind {done.kind}" if done.kind else "",
            f"sentiment {done.sentiment:+.2f}" if done.sentiment is not None else "",
        )
        if part
    )
    noun = "item" if len(done.ids) == 1 else "items"
    typer.echo(f"Labelled {len(done.ids)} {noun}: {what} (set by a person)")


@app.command("move")
def move(
    ctx: typer.Context,
    items: list[str] = typer.Argument(..., help="Items to move: external id or number."),
    theme: str = typer.Option(..., "--theme", help="The theme to put them in (3 or #3)."),
) -> None:
    """Put items in a theme; every later 'insights run' leaves them there."""
    from productpath.services.curation import move_items

    with open_from(ctx) as handle:
        done = move_items(handle, items, theme, set_by="cli", via="cli")
    typer.echo(f"Decision {done.number}: {done.summary}")


@app.command("dismiss")
def dismiss(
    ctx: typer.Context,
    items: list[str] = typer.Argument(..., help="Items that are not feedback: id or number."),
) -> None:
    """Mark items as not feedback: they leave their themes and no run puts them in one."""
    from productpath.services.curation import dismiss_items

    with open_from(ctx) as handle:
        done = dismiss_items(handle, items, set_by="cli", via="cli")
    typer.echo(f"Decision {done.number}: {done.summary}")


# One key per kind in the review loop; the kind's first letter.
REVIEW_KEYS = {"b": "bug", "f": "feature_request", "q": "question", "p": "praise", "o": "other"}


@app.command("review")
def review(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    limit: int = typer.Option(20, "--limit", min=1, help="How many items to review."),
) -> None:
    """Label kinds, the engine's least certain items first: for each item type b(ug),
    f(eature_request), q(uestion), p(raise) or o(ther), Enter to skip, x to stop. With --json,
    print the queue instead."""
    from productpath.services.feedback_labels import label_items, review_queue

    with open_from(ctx) as handle:
        queue = review_queue(handle, limit=limit)
        if as_json:
            print_json([item.as_dict() for item in queue])
            return
        if not queue:
            typer.echo(
                "Nothing to review: run 'productpath insights run' first, or all is labelled."
            )
            return
        labelled = 0
        for position, item in enumerate(queue, start=1):
            sure = "?" if item.confidence is None else f"{item.confidence:.0%}"
            typer.echo(f"\n[{position}/{len(queue)}] {item.external_id}: {item.text[:300]}")
            answer = (
                typer.prompt(
                    f"engine: {item.kind} ({sure}); b/f/q/p/o, Enter skips, x stops",
                    default="",
                    show_default=False,
                )
                .strip()
                .lower()
            )
            if answer == "x":
                break
            if answer in REVIEW_KEYS:
                label_items(
                    handle, [str(item.id)], kind=REVIEW_KEYS[answer], sentiment=None,
                    set_by="cli", numbers_only=True,
                )  # fmt: skip
                labelled += 1
            elif answer:
                typer.echo(f"'{answer}' is not one of b, f, q, p, o, x: skipped", err=True)
    noun = "item" if labelled == 1 else "items"
    typer.echo(f"Labelled {labelled} {noun}; the next 'insights run' learns from them.")


def _day(value: str | None, option: str) -> dt.date | None:
    from productpath.errors import InputError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{value}' is not a date like 2026-11-30", field=option) from None


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show at most N items."),
    wide: bool = typer.Option(
        False, "--wide", help="Every column, and text up to 80 characters, however narrow."
    ),
    q: str | None = typer.Option(None, "--q", help="Only items whose text contains this."),
    theme: int | None = typer.Option(None, "--theme", help="Only items in this theme (number)."),
    kind: str | None = typer.Option(
        None, "--kind", help="Only this kind: bug, feature_request, question, praise or other."
    ),
    sentiment: str | None = typer.Option(
        None, "--sentiment", help="Only neg (below -0.05), neutral or pos (above 0.05)."
    ),
    segment: str | None = typer.Option(
        None, "--segment", help="Only items from customers in this segment (its key)."
    ),
    source: str | None = typer.Option(None, "--source", help="Only items from this source."),
    since: str | None = typer.Option(
        None, "--since", help="Only items dated on or after this day (YYYY-MM-DD, UTC)."
    ),
    until: str | None = typer.Option(
        None, "--until", help="Only items dated on or before this day (YYYY-MM-DD, UTC)."
    ),
) -> None:
    """List the imported feedback: in import order, or with a filter, the items it matches,
    newest first (the filters of the web explorer)."""
    filters = {
        "q": q,
        "theme": theme,
        "kind": kind,
        "sentiment": sentiment,
        "segment": segment,
        "source": source,
        "since": _day(since, "--since"),
        "until": _day(until, "--until"),
    }
    filtered = any(value is not None for value in filters.values())
    with open_from(ctx) as handle:
        if filtered:  # the explorer's search (it imports the ORM); the plain list reads rows
            from productpath.services.pages.feedback_explorer import FeedbackQuery, list_matching

            rows = list_matching(handle, FeedbackQuery(**filters), limit=limit)  # type: ignore[arg-type]
        else:
            from productpath.services.listings import list_feedback

            rows = list_feedback(handle, limit=limit)
    if as_json:
        print_json([row.listed() for row in rows])
        return
    if not rows:
        if filtered:
            typer.echo("No feedback matches these filters.")
        else:
            typer.echo("No feedback yet; add some with 'productpath feedback import FILE'.")
        return
    _print_feedback(rows, wide=wide)


# Below this many columns the list leaves out source and kind and cuts the text to one line.
FEEDBACK_WIDE_AT = 120


def _print_feedback(rows: list[FeedbackRow], *, wide: bool) -> None:
    from rich.console import Console
    from rich.table import Column, Table

    console = Console()
    full = wide or console.width >= FEEDBACK_WIDE_AT
    lines = []
    for row in rows:
        date = row.created_at.date().isoformat() if row.created_at else ""
        number = "" if row.theme_id is None else f"#{row.theme_id}"
        if full:
            cut = row.text if len(row.text) <= 80 else row.text[:79] + "…"
            extra = [row.customer or "", row.source, number, row.kind or "", cut]
        else:
            extra = [number, " ".join(row.text.split())]
        lines.append([str(row.id), date, *extra])
    headers = ["id", "date", "customer", "source", "theme", "kind"] if full else ["id", "date"]
    headers += ["text"] if full else ["theme", "text"]
    # Every column but the text keeps its full width; narrow, the text takes what is left and
    # is cut with "…", so each item stays on one line.
    columns = [
        Column(h, no_wrap=True, min_width=max(len(h), *(len(line[i]) for line in lines)))
        for i, h in enumerate(headers[:-1])
    ]
    text = Column("text", no_wrap=not full, overflow="ellipsis")
    if not full:  # what the other columns and the borders (3 per column, 1 more) leave
        used = sum(c.min_width or 0 for c in columns) + 3 * (len(columns) + 1) + 1
        text.max_width = max(10, console.width - used)
    table = Table(*columns, text)
    for line in lines:
        table.add_row(*line)
    if wide:
        widen_to_fit(console, table)
    console.print(table)
    if not full:
        console.print("[dim]Customer, source and kind: --wide, or a wider terminal.[/]")


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", help="Output format."),
    out: Path | None = typer.Option(
        None, "--out", dir_okay=False, help="Write to this file (default: standard output)."
    ),
) -> None:
    """Export all feedback, with each item's theme, sentiment and kind, as CSV or JSON (CSV
    cells that look like formulas are neutralised)."""
    import sys

    from productpath.services.feedback import export_feedback

    with open_from(ctx) as handle:
        if out is None:
            export_feedback(handle, sys.stdout, fmt.value)
            return
        with atomic_output(out) as stream:
            count = export_feedback(handle, stream, fmt.value)
    typer.echo(f"Exported {count} feedback items to {out}")
