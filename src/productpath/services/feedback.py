"""Import customer feedback from files, list it, export it.

An import reads and writes inside one transaction: any error (when not skipping bad rows) rolls
back everything, and rows already stored under the same source and external_id are left as they
are, so running the same import twice adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from productpath.errors import InputError
from productpath.ingest.feedback_files import FeedbackColumns, FeedbackRecord, read_feedback
from productpath.services.workspace import OpenWorkspace
from productpath.store import customer_repo, feedback_repo, product_repo
from productpath.store.models import utcnow

EXPORT_FORMATS = ("csv", "json")
EXPORT_COLUMNS = ("id", "external_id", "source", "text", "created_at", "customer")
MAX_SOURCE_LENGTH = 100
# How many rows between two progress reports: often enough for a smooth bar, rarely enough to
# cost nothing.
PROGRESS_EVERY = 500
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SkippedRow:
    """A row left out by --skip-invalid, and why."""

    line: int | None
    field: str | None
    reason: str


@dataclass
class FeedbackImportReport:
    """What an import did. ``unchanged`` counts rows already stored (or repeated in the file)."""

    added: int = 0
    unchanged: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    source: str = ""


@dataclass(frozen=True)
class FeedbackRow:
    """One stored feedback item as the CLI and exports show it; ``customer`` is its key."""

    id: int
    external_id: str
    source: str
    text: str
    created_at: dt.datetime | None
    customer: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "external_id": self.external_id,
            "source": self.source,
            "text": self.text,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "customer": self.customer,
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
    progress: Callable[[int], None] | None = None,
) -> FeedbackImportReport:
    """Import the feedback in ``path``; ``progress`` is called with the rows handled so far."""
    source_name = _source_name(path, source)
    columns = FeedbackColumns(text_column, id_column, date_column, customer_column)
    # Opening the file checks its format and columns before the write lock is taken.
    items = read_feedback(path, columns, file_format=file_format)
    report = FeedbackImportReport(source=source_name)
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        writer = _Writer(session, product.id, source_name, linked=customer_column is not None)
        done = 0
        for item in items:
            done += 1
            if isinstance(item, InputError):
                if not skip_invalid:
                    raise item
                report.skipped.append(SkippedRow(item.line, item.field, item.reason))
            elif not writer.add(item):
                report.unchanged += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
        writer.flush()
        report.added = writer.added
    if progress is not None:
        progress(done)
    return report


class _Writer:
    """Collects new records and inserts them a chunk at a time, creating unknown customers."""

    def __init__(self, session: Session, product_id: int, source: str, *, linked: bool) -> None:
        self.session = session
        self.product_id = product_id
        self.source = source
        self.seen = feedback_repo.existing_external_ids(session, product_id, source)
        self.customers = customer_repo.ids_by_key(session, product_id) if linked else {}
        self.pending: list[FeedbackRecord] = []
        self.added = 0
        self.imported_at = utcnow()

    def add(self, record: FeedbackRecord) -> bool:
        """Queue ``record``; False when its external_id is already stored or queued."""
        if record.external_id in self.seen:
            return False
        self.seen.add(record.external_id)
        self.pending.append(record)
        if len(self.pending) >= feedback_repo.CHUNK_SIZE:
            self.flush()
        return True

    def flush(self) -> None:
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
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _write_csv(out: TextIO, items: Iterable[FeedbackRow]) -> int:
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
