"""Customer lists (``id,name,segment,annual_revenue``) as plain :class:`CustomerRecord` values."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from productpath.errors import InputError
from productpath.ingest.feedback_files import MAX_CUSTOMER_LENGTH
from productpath.ingest.tabular import Row, open_table, require_rows, resolve_column

MAX_NAME_LENGTH = 200
# "1200", "1200.50", "1,200,000", "$1,200.50": grouping commas only in thousands positions,
# so the European "1,5" is refused instead of being read as fifteen.
_AMOUNT = re.compile(r"^[$€£]?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")


@dataclass(frozen=True)
class CustomerRecord:
    """One customer row. ``segment``/``annual_revenue`` are None when empty; ``has_*`` says
    whether the file has that column at all (a missing column leaves stored values alone)."""

    line: int
    key: str
    name: str
    segment: str | None
    annual_revenue: float | None
    has_segment: bool
    has_revenue: bool


def read_customers(path: Path, *, file_format: str | None = None) -> Iterator[CustomerRecord]:
    """The customers of ``path``; the first bad row raises an InputError naming it."""
    table = open_table(path, file_format)
    id_col = resolve_column(table, "id", option="the customers file")
    name_col = resolve_column(table, "name", option="the customers file")
    segment_col = _maybe(table.columns, "segment")
    revenue_col = _maybe(table.columns, "annual_revenue")
    first_seen: dict[str, CustomerRecord] = {}
    for item in require_rows(table).rows:
        if isinstance(item, InputError):
            raise item
        record = _record(path, item, id_col, name_col, segment_col, revenue_col)
        earlier = first_seen.get(record.key)
        if earlier is None:
            first_seen[record.key] = record
        elif _content(earlier) != _content(record):
            raise InputError(
                f"customer '{record.key}' already appears on line {earlier.line} with other values",
                file=path,
                line=record.line,
                field=id_col,
            )
        else:
            continue  # an exact repeat changes nothing
        yield record


def _maybe(columns: list[str], name: str) -> str | None:
    matches = [c for c in columns if c.strip().casefold() == name]
    return matches[0] if matches else None


def _content(record: CustomerRecord) -> tuple[str, str | None, float | None]:
    return record.name, record.segment, record.annual_revenue


def _record(
    path: Path,
    row: Row,
    id_col: str,
    name_col: str,
    segment_col: str | None,
    revenue_col: str | None,
) -> CustomerRecord:
    def fail(reason: str, column: str) -> InputError:
        return InputError(reason, file=path, line=row.line, field=column)

    return _checked(
        row.line,
        lambda column: row.values.get(column, ""),
        fail,
        (id_col, name_col, segment_col, revenue_col),
    )


def customer_from_form(key: str, name: str, segment: str, annual_revenue: str) -> CustomerRecord:
    """One customer typed into a form (the web's edit form), checked by the very rules a
    customer file's row is: the same limits, the same amount format, the same wording; the
    error names the field (``id``, ``name``, ``segment``, ``annual_revenue``)."""
    values = {"id": key, "name": name, "segment": segment, "annual_revenue": annual_revenue}

    def fail(reason: str, column: str) -> InputError:
        return InputError(reason, field=column)

    return _checked(
        0, lambda column: values[column], fail, ("id", "name", "segment", "annual_revenue")
    )


def _checked(
    line: int,
    get: Callable[[str], str],
    fail: Callable[[str, str], InputError],
    columns: tuple[str, str, str | None, str | None],
) -> CustomerRecord:
    id_col, name_col, segment_col, revenue_col = columns
    key = get(id_col).strip()
    if not key:
        raise fail("the id is missing or empty", id_col)
    if len(key) > MAX_CUSTOMER_LENGTH:
        raise fail(f"the id is longer than {MAX_CUSTOMER_LENGTH} characters", id_col)
    name = get(name_col).strip()
    if not name:
        raise fail("the name is missing or empty", name_col)
    if len(name) > MAX_NAME_LENGTH:
        raise fail(f"the name is longer than {MAX_NAME_LENGTH} characters", name_col)
    segment = None
    if segment_col is not None:
        segment = get(segment_col).strip() or None
        if segment is not None and len(segment) > MAX_NAME_LENGTH:
            raise fail(f"the segment is longer than {MAX_NAME_LENGTH} characters", segment_col)
    revenue = None
    if revenue_col is not None:
        raw = get(revenue_col).strip()
        if raw:
            match = _AMOUNT.match(raw)
            if match is None:
                raise fail(f"not an amount: '{raw}' (use digits, e.g. 125000.50)", revenue_col)
            revenue = float(match.group(1).replace(",", "") + (match.group(2) or ""))
    return CustomerRecord(
        line,
        key,
        name,
        segment,
        revenue,
        has_segment=segment_col is not None,
        has_revenue=revenue_col is not None,
    )
