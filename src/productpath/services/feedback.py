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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from productpath.domain.clock import today
from productpath.domain.csv_safety import safe_text
from productpath.errors import InputError
from productpath.ingest.app_reviews import FORMATS as STORE_FORMATS
from productpath.ingest.app_reviews import detect as detect_store
from productpath.ingest.app_reviews import read_store_file, redacted
from productpath.ingest.feedback_files import (
    FeedbackColumns,
    FeedbackRecord,
    FeedbackRecords,
    read_feedback,
)
from productpath.ingest.issue_feedback import FORMATS as ISSUE_FORMATS
from productpath.ingest.issue_feedback import GITHUB, issue_feedback
from productpath.ingest.kind_values import kind_of
from productpath.ingest.pii import REDACT_ALL, PiiKind, RedactionPolicy, redact
from productpath.ingest.tabular import RemovedNuls, SkippedRow, source_of
from productpath.services.listings import FeedbackRow as FeedbackRow
from productpath.services.listings import labelled
from productpath.services.listings import list_feedback as list_feedback
from productpath.services.workspace import OpenWorkspace
from productpath.store import feedback_repo, feedback_staging, label_repo, product_repo
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
    # NUL characters taken out of the text (no database stores them), in how many rows.
    removed_nuls: RemovedNuls = field(default_factory=RemovedNuls)
    # The kind column: items whose kind the file gave (stored as the file's labels), and the
    # values no kind matched, with how many rows had each (their items stay unlabelled).
    labelled: int = 0
    unmapped_kinds: Counter[str] = field(default_factory=Counter)


def import_feedback(
    handle: OpenWorkspace,
    path: Path,
    *,
    text_column: str | Sequence[str] | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    customer_column: str | None = None,
    kind_column: str | None = None,
    source: str | None = None,
    file_format: str | None = None,
    skip_invalid: bool = False,
    keep_pii: bool = False,
    progress: Callable[[int], None] | None = None,
    pii: RedactionPolicy = REDACT_ALL,
) -> FeedbackImportReport:
    """Import the feedback in ``path``; ``progress`` is called with the rows handled so far.

    The text is stored with PII redacted unless ``keep_pii`` (see the module's docstring);
    ``pii`` may keep some kinds, or local addresses. ``text_column`` may name several columns
    (joined with a blank line). ``file_format`` ``github-issues`` or ``jira`` reads an issue
    export instead, mapped by :mod:`productpath.ingest.issue_feedback` (no columns to name).
    """
    source_name = source_of(path, source)
    keep_pii = keep_pii or pii.keeps_everything
    # Opening the file checks its format and columns before the write lock is taken.
    store = file_format if file_format in STORE_FORMATS else None
    if file_format is None and not text_column:
        store = detect_store(path)
    if store is not None:
        items = _store_items(
            path,
            store,
            (text_column, id_column, date_column, customer_column, kind_column),
            None if keep_pii else pii,
        )
    elif file_format in ISSUE_FORMATS:
        items = _issue_items(
            path,
            file_format,
            (text_column, id_column, date_column, customer_column),
            None if keep_pii else pii,
        )
    else:
        if not text_column:
            raise InputError("name the column with the text: --text-column C", field="text-column")
        texts = (text_column,) if isinstance(text_column, str) else tuple(text_column)
        columns = FeedbackColumns(texts, id_column, date_column, customer_column, kind_column)
        items = read_feedback(
            path, columns, file_format=file_format, redact_pii=not keep_pii, pii=pii
        )
    return import_records(
        handle,
        items,
        source_name,
        redacting=None if keep_pii else pii,
        skip_invalid=skip_invalid,
        progress=progress,
    )


def import_records(
    handle: OpenWorkspace,
    items: Iterable[FeedbackRecord | InputError],
    source_name: str,
    *,
    redacting: RedactionPolicy | None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> FeedbackImportReport:
    """Store ``items`` (already redacted by ``redacting``, or kept as they are when it is None)
    under ``source_name``: the import's write path, which live sources use page by page."""
    report = FeedbackImportReport(source=source_name)
    # external id -> kind, from the kind column: ground truth, stored as the file's labels.
    file_kinds: dict[str, str] = {}
    last_day = today()
    # Rows are staged outside the write lock and published in one short transaction (see
    # store.feedback_staging): other writers wait seconds at most, and the file stays all or
    # nothing.
    with handle.store.connection() as conn:
        feedback_staging.create(conn)
        writer = _Writer(conn, handle.workspace.product, source_name, redacting=redacting)
        done = 0
        for item in items:
            done += 1
            if isinstance(item, InputError):
                if not skip_invalid:
                    raise item
                report.skipped.append(SkippedRow(item.line, item.field, item.reason))
            else:
                _tally(report, item, writer.add(item), last_day)
                _read_kind(report, item, file_kinds)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
        writer.flush()
        with handle.store.write_on(conn) as session:
            product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
            added = feedback_staging.publish(session, product.id, source_name, writer.imported_at)
            report.labelled = label_repo.put_file_kinds(
                session, product.id, source_name, file_kinds
            )
    # Rows another import stored meanwhile under the same ids were left as they were.
    report.unchanged += writer.staged_new - added
    report.added = added
    if progress is not None:
        progress(done)
    if isinstance(items, FeedbackRecords):
        report.removed_nuls = items.removed_nuls
    return report


def redaction_policy(keep_types: Iterable[str], *, keep_local_ips: bool) -> RedactionPolicy:
    """What an import redacts: everything except the PII kinds named in ``keep_types`` (the
    values of :class:`PiiKind`) and, with ``keep_local_ips``, this machine's and private
    networks' addresses."""
    return RedactionPolicy(
        keep=frozenset(PiiKind(kind) for kind in keep_types), keep_local_ips=keep_local_ips
    )


class _Outcome(Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def _read_kind(report: FeedbackImportReport, record: FeedbackRecord, kinds: dict[str, str]) -> None:
    if record.kind is not None:  # an issue export's labels, already read as a kind
        kinds[record.external_id] = record.kind
        return
    if record.kind_value is None:
        return
    kind = kind_of(record.kind_value)
    if kind is None:
        report.unmapped_kinds[record.kind_value] += 1
    else:
        kinds[record.external_id] = kind


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
    """Sorts records into new items and text updates (redaction catching up, see the module)
    and stages them a chunk at a time; :func:`feedback_staging.publish` writes them."""

    def __init__(
        self, conn: Connection, product: str, source: str, *, redacting: RedactionPolicy | None
    ) -> None:
        self.conn = conn
        self.policy = redacting
        with Session(conn) as session:  # a read: it takes no lock
            product_id = product_repo.find_id(session, product)
            if product_id is None:
                self.stored: dict[str, tuple[int, str]] = {}
                self.seen: set[str] = set()
            elif redacting is not None:
                # Stored texts are needed only to find those redaction has not reached yet.
                self.stored = feedback_repo.existing_texts(session, product_id, source)
                self.seen = set(self.stored)
            else:
                self.stored = {}
                self.seen = feedback_repo.existing_external_ids(session, product_id, source)
        self.pending: list[dict[str, Any]] = []
        self.staged = 0  # rows staged so far: new items and text updates
        self.staged_new = 0
        self.imported_at = utcnow()

    def add(self, record: FeedbackRecord) -> _Outcome:
        """Stage ``record`` as new or as a text update, or say it is already there."""
        if record.external_id in self.seen:
            return self._catch_up(record)
        self.seen.add(record.external_id)
        self.staged_new += 1
        self._stage(record, item_id=None)
        return _Outcome.ADDED

    def _catch_up(self, record: FeedbackRecord) -> _Outcome:
        stored = self.stored.pop(record.external_id, None)
        if stored is None:  # not stored before this import, or already compared once
            return _Outcome.UNCHANGED
        item_id, text = stored
        # Only when the sole difference is PII: an edited row keeps the rule that stored
        # items are left as they are.
        if self.policy is None or text == record.text:
            return _Outcome.UNCHANGED
        if redact(text, self.policy).text != record.text:
            return _Outcome.UNCHANGED
        self._stage(record, item_id=item_id)
        return _Outcome.UPDATED

    def _stage(self, record: FeedbackRecord, *, item_id: int | None) -> None:
        self.pending.append(
            {
                "position": self.staged,
                "external_id": record.external_id,
                "text": record.text,
                "created_at": record.created_at,
                "customer_key": record.customer,
                "labelled_kind": record.kind,
                "details": json.dumps(record.details, sort_keys=True) if record.details else None,
                "item_id": item_id,
            }
        )
        self.staged += 1
        if len(self.pending) >= feedback_repo.CHUNK_SIZE:
            self.flush()

    def flush(self) -> None:
        feedback_staging.stage(self.conn, self.pending)
        self.pending = []


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


def _issue_items(
    path: Path, file_format: str, columns: tuple[object, ...], pii: RedactionPolicy | None
) -> Iterator[FeedbackRecord | InputError]:
    """The issues of a GitHub or Jira export as feedback records."""
    if any(columns):
        raise InputError(
            f"--format {file_format} maps the issue's own fields; leave out the column options",
            field="format",
        )
    from productpath.ingest.tracker_github import read_github
    from productpath.ingest.tracker_jira import read_jira

    system = ISSUE_FORMATS[file_format]
    records = read_github([path]) if system == GITHUB else read_jira([path])
    return issue_feedback(records, system, pii)


def _store_items(
    path: Path, store: str, columns: tuple[object, ...], pii: RedactionPolicy | None
) -> Iterator[FeedbackRecord | InputError]:
    """The reviews of an App Store Connect or Google Play export as feedback records."""
    if any(columns):
        raise InputError(
            f"--format {store} maps the review's own fields; leave out the column options",
            field="format",
        )
    return redacted(read_store_file(path, store), pii)


def with_labels(session: Session, rows: list[FeedbackRow]) -> list[FeedbackRow]:
    """The rows with each label's values and who set them (see services.listings.labelled),
    read in ``session``'s transaction."""
    return labelled(session.connection(), rows)
