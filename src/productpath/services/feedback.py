"""Import customer feedback from files, list it, export it.

An import reads and writes inside one transaction: any error (when not skipping bad rows) rolls
back everything, and rows already stored under the same source and external_id are left as they
are, so running the same import twice adds nothing.

PII is redacted from the text as the file is read, unless ``keep_pii``. One exception to "left
as they are": with redaction on, a stored item whose text differs from the incoming one only by
the PII that redaction removes (it was imported with ``keep_pii``, or before redaction existed)
gets the redacted text. Redaction never runs backwards: importing with ``keep_pii`` never
restores what was removed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from productpath.domain.clock import today
from productpath.domain.csv_safety import safe_text
from productpath.errors import InputError
from productpath.ingest.feedback_files import FeedbackColumns, FeedbackRecord, read_feedback
from productpath.ingest.pii import PiiKind, redact
from productpath.ingest.tabular import SkippedRow
from productpath.services.workspace import OpenWorkspace
from productpath.store import customer_repo, feedback_repo, product_repo
from productpath.store.models import utcnow

EXPORT_FORMATS = ("csv", "json")
EXPORT_COLUMNS = (
    "id",
    "external_id",
    "source",
    "text",
    "created_at",
    "customer",
    "theme_id",
    "theme_label",
    "sentiment",
    "kind",
)
MAX_SOURCE_LENGTH = 100
# How many rows between two progress reports: often enough for a smooth bar, rarely enough to
# cost nothing.
PROGRESS_EVERY = 500


@dataclass
class FeedbackImportReport:
    """What an import did. ``unchanged`` counts rows already stored (or repeated in the file);
    ``updated`` counts stored items whose text was replaced by its redacted form.

    ``redacted_items`` and ``redacted`` (replacements by kind) cover the items this import
    wrote, added or updated: counts only, never the data. ``future_dated`` counts the added
    items dated after today (a typo, often: trends leave them out); ``first_future`` is the
    first one's (line, date).
    """

    added: int = 0
    unchanged: int = 0
    updated: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    source: str = ""
    redacted_items: int = 0
    redacted: Counter[PiiKind] = field(default_factory=Counter)
    future_dated: int = 0
    first_future: tuple[int, dt.date] | None = None


@dataclass(frozen=True)
class FeedbackRow:
    """One stored feedback item as the CLI and exports show it; ``customer`` is its key.

    ``theme_id`` is the theme's user-facing number; it and ``theme_label`` are None for an item
    in no theme, and all four analysis fields are None until the insight engine has read it.
    """

    id: int
    external_id: str
    source: str
    text: str
    created_at: dt.datetime | None
    customer: str | None
    theme_id: int | None = None
    theme_label: str | None = None
    sentiment: float | None = None
    kind: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "external_id": self.external_id,
            "source": self.source,
            "text": self.text,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "customer": self.customer,
            "theme_id": self.theme_id,
            "theme_label": self.theme_label,
            "sentiment": self.sentiment,
            "kind": self.kind,
        }


def import_feedback(
    handle: OpenWorkspace,
    path: Path,
    *,
    text_column: str,
    id_column: str | None = None,
    date_column: str | None = None,
    customer_column: str | None = None,
    source: str | None = None,
    file_format: str | None = None,
    skip_invalid: bool = False,
    keep_pii: bool = False,
    progress: Callable[[int], None] | None = None,
) -> FeedbackImportReport:
    """Import the feedback in ``path``; ``progress`` is called with the rows handled so far.

    The text is stored with PII redacted unless ``keep_pii`` (see the module's docstring).
    """
    source_name = _source_name(path, source)
    columns = FeedbackColumns(text_column, id_column, date_column, customer_column)
    # Opening the file checks its format and columns before the write lock is taken.
    items = read_feedback(path, columns, file_format=file_format, redact_pii=not keep_pii)
    report = FeedbackImportReport(source=source_name)
    last_day = today()
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        writer = _Writer(
            session,
            product.id,
            source_name,
            linked=customer_column is not None,
            redacting=not keep_pii,
        )
        done = 0
        for item in items:
            done += 1
            if isinstance(item, InputError):
                if not skip_invalid:
                    raise item
                report.skipped.append(SkippedRow(item.line, item.field, item.reason))
            else:
                _tally(report, item, writer.add(item), last_day)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
        writer.flush()
        report.added = writer.added
    if progress is not None:
        progress(done)
    return report


class _Outcome(Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def _tally(
    report: FeedbackImportReport, record: FeedbackRecord, outcome: _Outcome, last_day: dt.date
) -> None:
    if outcome is _Outcome.UNCHANGED:
        report.unchanged += 1
        return
    if outcome is _Outcome.ADDED and record.created_at and record.created_at.date() > last_day:
        report.future_dated += 1
        report.first_future = report.first_future or (record.line, record.created_at.date())
    if outcome is _Outcome.UPDATED:
        report.updated += 1
    if record.redacted:
        report.redacted_items += 1
        report.redacted.update(record.redacted)


class _Writer:
    """Collects new records and inserts them a chunk at a time, creating unknown customers;
    with ``redacting``, also replaces stored texts that still hold PII (see the module)."""

    def __init__(
        self, session: Session, product_id: int, source: str, *, linked: bool, redacting: bool
    ) -> None:
        self.session = session
        self.product_id = product_id
        self.source = source
        # Stored texts are needed only to find those redaction has not reached yet.
        self.stored = feedback_repo.existing_texts(session, product_id, source) if redacting else {}
        self.seen = (
            set(self.stored)
            if redacting
            else feedback_repo.existing_external_ids(session, product_id, source)
        )
        self.customers = customer_repo.ids_by_key(session, product_id) if linked else {}
        self.pending: list[FeedbackRecord] = []
        self.updates: list[tuple[int, str]] = []
        self.added = 0
        self.imported_at = utcnow()

    def add(self, record: FeedbackRecord) -> _Outcome:
        """Queue ``record`` as new or as a text update, or say it is already there."""
        if record.external_id in self.seen:
            return self._catch_up(record)
        self.seen.add(record.external_id)
        self.pending.append(record)
        if len(self.pending) >= feedback_repo.CHUNK_SIZE:
            self.flush()
        return _Outcome.ADDED

    def _catch_up(self, record: FeedbackRecord) -> _Outcome:
        stored = self.stored.pop(record.external_id, None)
        if stored is None:  # not stored before this import, or already compared once
            return _Outcome.UNCHANGED
        item_id, text = stored
        # Only when the sole difference is PII: an edited row keeps the rule that stored
        # items are left as they are.
        if text == record.text or redact(text).text != record.text:
            return _Outcome.UNCHANGED
        self.updates.append((item_id, record.text))
        if len(self.updates) >= feedback_repo.CHUNK_SIZE:
            self.flush()
        return _Outcome.UPDATED

    def flush(self) -> None:
        if self.updates:
            feedback_repo.update_texts(self.session, self.updates)
            self.updates = []
        if not self.pending:
            return
        unknown = {r.customer for r in self.pending if r.customer} - self.customers.keys()
        if unknown:
            created = customer_repo.create_named_by_key(
                self.session, self.product_id, sorted(unknown)
            )
            self.customers.update(created)
        feedback_repo.insert_items(
            self.session,
            [
                {
                    "product_id": self.product_id,
                    "source": self.source,
                    "external_id": r.external_id,
                    "text": r.text,
                    "created_at": r.created_at,
                    "customer_id": self.customers[r.customer] if r.customer else None,
                    "imported_at": self.imported_at,
                }
                for r in self.pending
            ],
        )
        self.added += len(self.pending)
        self.pending = []


def list_feedback(handle: OpenWorkspace, *, limit: int | None = None) -> list[FeedbackRow]:
    """The product's feedback in import order, at most ``limit`` items."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        return [
            FeedbackRow(*row) for row in feedback_repo.list_items(session, product_id, limit=limit)
        ]


def export_feedback(handle: OpenWorkspace, out: TextIO, fmt: str) -> int:
    """Write all feedback to ``out`` as CSV or JSON; returns how many items were written."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format '{fmt}'; use csv or json", field="format")
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        rows = [] if product_id is None else feedback_repo.iter_items(session, product_id)
        items = (FeedbackRow(*row) for row in rows)
        return _write_csv(out, items) if fmt == "csv" else _write_json(out, items)


def neutralise_formula(value: str) -> str:
    """A cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return safe_text(value)


def _write_csv(out: TextIO, items: Iterable[FeedbackRow]) -> int:
    # Every str cell is neutralised (text, ids, customer, theme label); numbers are left as
    # numbers: a negative sentiment is not a formula.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    for item in items:
        data = item.as_dict()
        writer.writerow(
            [
                neutralise_formula(v) if isinstance(v, str) else ("" if v is None else v)
                for v in (data[c] for c in EXPORT_COLUMNS)
            ]
        )
        written += 1
    return written


def _write_json(out: TextIO, items: Iterable[FeedbackRow]) -> int:
    # Streamed one object per line inside the array, so a large export needs little memory.
    out.write("[")
    written = 0
    for item in items:
        out.write(",\n  " if written else "\n  ")
        out.write(json.dumps(item.as_dict(), ensure_ascii=False))
        written += 1
    out.write("\n]\n" if written else "]\n")
    return written


def _source_name(path: Path, source: str | None) -> str:
    name = (path.stem if source is None else source).strip()
    if not name:
        raise InputError("the source name is empty; pass --source NAME", field="source")
    if len(name) > MAX_SOURCE_LENGTH:
        raise InputError(
            f"the source name is longer than {MAX_SOURCE_LENGTH} characters", field="source"
        )
    return name
