"""KPI files (CSV, JSON, JSONL) in long form: one value per row, with its date, the metric's
name (a column, or one name for the whole file) and optionally a segment.

A date given twice for the same metric and segment with different values is an error naming
both lines; the same value twice is a harmless repeat. Rows need not be in date order: the
reader counts how many are not, so the import can say it sorted them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from productpath.errors import InputError
from productpath.ingest.dates import parse_datetime
from productpath.ingest.tabular import Row, Table, open_table, require_rows, resolve_column

# Column widths of the store (kpi.name, kpi_point.segment).
MAX_METRIC_LENGTH = 200
MAX_SEGMENT_LENGTH = 100


@dataclass(frozen=True)
class KpiColumns:
    """Which columns hold what. Without ``metric``, ``metric_name`` names the file's one KPI."""

    date: str
    value: str
    metric: str | None = None
    segment: str | None = None
    metric_name: str | None = None


@dataclass(frozen=True)
class KpiRecord:
    line: int
    metric: str
    day: dt.date
    segment: str  # "" for the whole product
    value: float


@dataclass
class KpiReadStats:
    """Filled in while the rows are read: rows whose date is earlier than the row before
    (for the same metric and segment)."""

    out_of_order: int = 0
    _last: dict[tuple[str, str], dt.date] = field(default_factory=dict)


def read_kpis(
    path: Path, columns: KpiColumns, *, file_format: str | None = None
) -> tuple[Iterator[KpiRecord | InputError], KpiReadStats]:
    """The records of ``path`` (a bad row yielded as its InputError) and stats filled as they
    are read. Problems with the file or the column names raise at once."""
    if (columns.metric is None) == (columns.metric_name is None):
        raise InputError(
            "name the metric's column with --metric-column, or the file's one metric with "
            "--metric (exactly one of them)",
            file=path,
            field="metric",
        )
    if columns.metric_name is not None:
        _check_metric(columns.metric_name, path, None, "metric")
    # Only the named columns are read: another name the header repeats does no harm.
    table = open_table(path, file_format, unused_duplicates_ok=True)
    resolved = KpiColumns(
        date=resolve_column(table, columns.date, option="--date-column"),
        value=resolve_column(table, columns.value, option="--value-column"),
        metric=_optional(table, columns.metric, "--metric-column"),
        segment=_optional(table, columns.segment, "--segment-column"),
        metric_name=columns.metric_name,
    )
    stats = KpiReadStats()
    return _records(require_rows(table), resolved, stats), stats


def _optional(table: Table, name: str | None, option: str) -> str | None:
    return None if name is None else resolve_column(table, name, option=option)


def _records(
    table: Table, columns: KpiColumns, stats: KpiReadStats
) -> Iterator[KpiRecord | InputError]:
    first_seen: dict[tuple[str, dt.date, str], tuple[int, float]] = {}
    for item in table.rows:
        if isinstance(item, InputError):
            yield item
            continue
        try:
            record = _record(table.path, item, columns)
        except InputError as exc:
            yield exc
            continue
        key = (record.metric.casefold(), record.day, record.segment)
        earlier = first_seen.get(key)
        if earlier is not None and earlier[1] != record.value:
            yield InputError(
                f"{record.metric} on {record.day.isoformat()}"
                f"{' for ' + record.segment if record.segment else ''} was already given on "
                f"line {earlier[0]} with another value ({earlier[1]:g})",
                file=table.path,
                line=record.line,
                field=columns.date,
            )
            continue
        first_seen.setdefault(key, (record.line, record.value))
        series = (record.metric.casefold(), record.segment)
        last = stats._last.get(series)
        if last is not None and record.day < last:
            stats.out_of_order += 1
        stats._last[series] = max(record.day, last or record.day)
        yield record


def _record(path: Path, row: Row, columns: KpiColumns) -> KpiRecord:
    def fail(reason: str, column: str | None) -> InputError:
        return InputError(reason, file=path, line=row.line, field=column)

    if columns.metric is not None:
        metric = " ".join(row.values.get(columns.metric, "").split())
        _check_metric(metric, path, row.line, columns.metric)
    else:
        metric = columns.metric_name or ""
    raw_date = row.values.get(columns.date, "").strip()
    if not raw_date:
        raise fail("the date is missing", columns.date)
    try:
        day = parse_datetime(raw_date).date()
    except ValueError as exc:
        raise fail(str(exc), columns.date) from None
    raw_value = row.values.get(columns.value, "").strip()
    if not raw_value:
        raise fail(
            "the value is missing (leave a gap out instead of writing an empty value)",
            columns.value,
        )
    try:
        value = float(raw_value)
    except ValueError:
        raise fail(
            f"not a number: '{raw_value}' (write 1234.5, without units)", columns.value
        ) from None
    if not math.isfinite(value):
        raise fail(f"not a finite number: '{raw_value}'", columns.value)
    segment = ""
    if columns.segment is not None:
        segment = " ".join(row.values.get(columns.segment, "").split())
        if len(segment) > MAX_SEGMENT_LENGTH:
            raise fail(
                f"the segment is longer than {MAX_SEGMENT_LENGTH} characters", columns.segment
            )
    return KpiRecord(row.line, metric, day, segment, value)


def _check_metric(name: str, path: Path, line: int | None, column: str) -> None:
    if not name.strip():
        raise InputError("the metric name is missing", file=path, line=line, field=column)
    if len(name) > MAX_METRIC_LENGTH:
        raise InputError(
            f"the metric name is longer than {MAX_METRIC_LENGTH} characters",
            file=path,
            line=line,
            field=column,
        )
    if not any(c.isalnum() for c in name):
        raise InputError(
            f"the metric name '{name}' has no letters or digits", file=path, line=line, field=column
        )
