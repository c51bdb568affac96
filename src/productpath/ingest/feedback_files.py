"""Customer feedback files (CSV, JSON, JSONL) as plain :class:`FeedbackRecord` values.

Each record keeps an ``external_id``: the value of the id column, or, without one, a hash of
the row's content. The hash ignores the row's position, so a re-ordered or appended file still
matches what was imported before. It is taken over the row as read, before PII redaction, so
ids stay what they were before redaction existed and whether or not it is on.

Unless told otherwise, the text is redacted (:mod:`productpath.ingest.pii`) as it is read, so
nothing downstream ever holds the original.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from productpath.domain.text import is_blank
from productpath.errors import InputError
from productpath.ingest.dates import parse_datetime
from productpath.ingest.pii import REDACT_ALL, PiiKind, RedactionPolicy, redact
from productpath.ingest.tabular import (
    RemovedNuls,
    Row,
    Table,
    open_table,
    refuse_duplicated,
    require_rows,
    resolve_column,
)

HASH_PREFIX = "h:"
# Column widths of the store (feedback_item.external_id, customer.key); checked here so the
# error names the line instead of surfacing as a database error.
MAX_ID_LENGTH = 200
MAX_CUSTOMER_LENGTH = 200


@dataclass(frozen=True)
class FeedbackColumns:
    """Which columns of the file hold what; only ``text`` is required.

    ``text`` may name several columns (an issue's title and body): their values are joined
    with a blank line, empty ones left out.
    """

    text: str | tuple[str, ...]
    id: str | None = None
    date: str | None = None
    customer: str | None = None
    # A column naming each item's kind (bug, feature, question, ...; see ``kind_values``).
    kind: str | None = None

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.text,) if isinstance(self.text, str) else self.text


@dataclass(frozen=True)
class FeedbackRecord:
    """One row of feedback, validated."""

    line: int
    external_id: str
    text: str
    created_at: dt.datetime | None
    customer: str | None
    # What redaction replaced in ``text``, by kind (empty when none, or when not redacting).
    redacted: Mapping[PiiKind, int] = field(default_factory=dict)
    # The kind the source gives it (an issue's labels), which the insight engine then keeps.
    kind: str | None = None
    # The kind column's cell, trimmed; None when there is no such column or the cell is empty.
    kind_value: str | None = None
    # What the source says besides the text (an app review's rating, version, territory).
    details: Mapping[str, str | int] = field(default_factory=dict)


def row_hash(values: dict[str, str]) -> str:
    """A stable id for a row without one: column names and values, normalised, order-free.

    Empty values are left out and whitespace is collapsed, so adding an empty column or
    re-saving the file with other line endings keeps the ids.
    """
    pairs = sorted(
        (key.strip().casefold(), " ".join(value.split()))
        for key, value in values.items()
        if value.strip()
    )
    encoded = json.dumps(pairs, ensure_ascii=False).encode("utf-8", "surrogateescape")
    return HASH_PREFIX + hashlib.sha256(encoded).hexdigest()[:32]


class FeedbackRecords(Iterator[FeedbackRecord | InputError]):
    """The records of a file, read lazily, and the NUL characters reading took out of them
    (``removed_nuls`` is complete once the records are exhausted)."""

    def __init__(self, records: Iterator[FeedbackRecord | InputError], removed: RemovedNuls):
        self._records = records
        self.removed_nuls = removed

    def __next__(self) -> FeedbackRecord | InputError:
        return next(self._records)


def read_feedback(
    path: Path,
    columns: FeedbackColumns,
    *,
    file_format: str | None = None,
    redact_pii: bool = True,
    pii: RedactionPolicy = REDACT_ALL,
) -> FeedbackRecords:
    """The records of ``path``, with a bad row yielded as the InputError that describes it.

    Problems with the whole file or the column names raise at once, before any row is read,
    and so does a file without a single row. With ``redact_pii`` (the default) each text
    comes with its PII replaced by placeholders, except what ``pii`` keeps.
    """
    table = open_table(path, file_format, unused_duplicates_ok=True)
    resolved = FeedbackColumns(
        text=tuple(resolve_column(table, c, option="--text-column") for c in columns.texts),
        id=_optional(table, columns.id, "--id-column"),
        date=_optional(table, columns.date, "--date-column"),
        customer=_optional(table, columns.customer, "--customer-column"),
        kind=_optional(table, columns.kind, "--kind-column"),
    )
    if resolved.id is None and table.duplicated:
        # Without an id column every column goes into the row's hash, the repeated one too.
        refuse_duplicated(
            table, table.duplicated[0], " (without --id-column every column identifies a row)"
        )
    records = _records(require_rows(table), resolved, pii=pii if redact_pii else None)
    return FeedbackRecords(records, table.removed_nuls)


def _optional(table: Table, name: str | None, option: str) -> str | None:
    return None if name is None else resolve_column(table, name, option=option)


def _records(
    table: Table, columns: FeedbackColumns, *, pii: RedactionPolicy | None
) -> Iterator[FeedbackRecord | InputError]:
    first_seen: dict[str, tuple[int, str]] = {}
    for item in table.rows:
        if isinstance(item, InputError):
            yield item
            continue
        try:
            record = _record(table.path, item, columns, pii=pii)
        except InputError as exc:
            yield exc
            continue
        earlier = first_seen.get(record.external_id)
        if earlier is None:
            first_seen[record.external_id] = (record.line, record.text)
        elif earlier[1] != record.text:
            yield InputError(
                f"id '{record.external_id}' was already used on line {earlier[0]} "
                "with different text",
                file=table.path,
                line=record.line,
                field=columns.id,
            )
            continue
        # A repeat with the same text is yielded as is; the importer counts it as already there.
        # With redaction, "the same text" is the redacted text: what would be stored.
        yield record


def _record(
    path: Path, row: Row, columns: FeedbackColumns, *, pii: RedactionPolicy | None
) -> FeedbackRecord:
    def fail(reason: str, column: str | None) -> InputError:
        return InputError(reason, file=path, line=row.line, field=column)

    parts = (row.values.get(column, "").strip() for column in columns.texts)
    text = "\n\n".join(part for part in parts if not is_blank(part))
    if is_blank(text):
        raise fail("the text is missing or empty", ", ".join(columns.texts))
    if columns.id is None:
        external_id = row_hash(row.values)
    else:
        external_id = row.values.get(columns.id, "").strip()
        if not external_id:
            raise fail("the id is missing or empty", columns.id)
        if len(external_id) > MAX_ID_LENGTH:
            raise fail(f"the id is longer than {MAX_ID_LENGTH} characters", columns.id)
    created_at = None
    if columns.date is not None:
        raw_date = row.values.get(columns.date, "").strip()
        if raw_date:
            try:
                created_at = parse_datetime(raw_date)
            except ValueError as exc:
                raise fail(str(exc), columns.date) from None
    customer = None
    if columns.customer is not None:
        customer = row.values.get(columns.customer, "").strip() or None
        if customer is not None and len(customer) > MAX_CUSTOMER_LENGTH:
            raise fail(
                f"the customer id is longer than {MAX_CUSTOMER_LENGTH} characters",
                columns.customer,
            )
    kind_value = None
    if columns.kind is not None:
        kind_value = row.values.get(columns.kind, "").strip() or None
    if pii is None:
        return FeedbackRecord(
            row.line, external_id, text, created_at, customer, kind_value=kind_value
        )
    redaction = redact(text, pii)
    return FeedbackRecord(
        row.line,
        external_id,
        redaction.text,
        created_at,
        customer,
        dict(redaction.found),
        kind_value=kind_value,
    )
