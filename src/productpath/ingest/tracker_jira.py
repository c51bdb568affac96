"""Jira issues, from the CSV that "Export > CSV (all fields)" writes, as TrackerRecords.

Jira repeats column names (``Labels`` once per label, one ``Outward issue link (Blocks)`` per
link), so rows are read by position, never as dicts. Required columns: ``Issue key``,
``Summary``, ``Status`` and ``Created``; the others are used when present.

Dates: ``25/Nov/26 3:04 PM`` (Jira's default), ``25/Nov/2026 15:04``, ``2026-11-25 15:04`` and
the ISO forms :func:`productpath.ingest.dates.parse_datetime` reads. Jira writes them in the
exporting user's time zone without saying which; a date without a zone is taken as UTC.

Status category: the ``Status Category`` column (To Do / In Progress / Done) when the export has
it; otherwise :data:`IN_PROGRESS_STATUSES` and :data:`DONE_STATUSES` name the usual statuses, a
status they do not name is ``done`` when the issue has a Resolved date, else ``todo``. A closed
issue whose ``Resolution`` (or status) is a not-done one (Won't Do, Duplicate, Cannot Reproduce,
see :func:`productpath.domain.work.closes_without_doing`) is ``dropped``.

Parent: ``Parent`` (Jira Cloud writes the parent's *Issue id* there; it is turned into its key
when the parent is in the same import), else ``Custom field (Epic Link)``. The same key twice
(overlapping exports) keeps the row updated last.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from productpath.domain.work import IN_PROGRESS_STATUSES
from productpath.errors import InputError
from productpath.ingest.dates import parse_datetime
from productpath.ingest.tabular import csv_records, read_text, row_problem
from productpath.ingest.tracker_record import (
    DONE,
    DROPPED,
    IN_PROGRESS,
    TODO,
    TrackerRecord,
    check_record,
    closes_without_doing,
)

SOURCE = "jira"
REQUIRED = ("Issue key", "Summary", "Status", "Created")
DONE_STATUSES = frozenset(
    {
        "done",
        "closed",
        "resolved",
        "complete",
        "completed",
        "released",
        "deployed",
        "shipped",
        "fixed",
        "won't do",
        "won't fix",
        "cancelled",
        "canceled",
        "rejected",
        "duplicate",
    }
)
# The Status Category column's values, and the API's names for them.
_CATEGORIES = {
    "to do": TODO,
    "new": TODO,
    "in progress": IN_PROGRESS,
    "indeterminate": IN_PROGRESS,
    "done": DONE,
}
# Jira's link types, as "outward" and "inward" words; other types become "type" and
# "type_inward".
_LINK_WORDS = {
    "blocks": ("blocks", "blocked_by"),
    "relates": ("relates_to", "relates_to"),
    "duplicate": ("duplicates", "duplicated_by"),
    "cloners": ("clones", "cloned_by"),
}
_LINK_COLUMN = re.compile(r"^(Outward|Inward) issue link \((.+)\)$")
_POINTS_COLUMNS = ("Custom field (Story Points)", "Custom field (Story point estimate)")
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-\d+$")
_JIRA_DATE = re.compile(
    r"^(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
# Month abbreviations of the English date format Jira exports by default.
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
# Where each record attribute comes from, for error messages.
FIELDS = {
    "key": "Issue key",
    "title": "Summary",
    "item_type": "Issue Type",
    "status": "Status",
    "assignee": "Assignee",
    "parent_key": "Parent",
    "labels": "Labels",
}


@dataclass(frozen=True)
class _Row:
    path: Path
    record: TrackerRecord
    issue_id: str | None
    parent_ref: str | None
    updated_at: dt.datetime | None


def link_word(link_type: str, *, outward: bool) -> str:
    """The word a link of Jira type ``link_type`` ("Blocks") is stored under, seen from the
    issue that has it: outward ("blocks") or inward ("blocked_by"). The CSV's link columns and
    the API's ``issuelinks`` both go through here, so both give an issue the same links."""
    words = _LINK_WORDS.get(link_type.strip().lower())
    slug = re.sub(r"\W+", "_", link_type.strip().lower()).strip("_")
    out, inward = words or (slug, f"{slug}_inward")
    return out if outward else inward


def parse_jira_datetime(value: str) -> dt.datetime:
    """A date as Jira exports it, as aware UTC (naive = UTC); ValueError when it is none."""
    m = _JIRA_DATE.match(value.strip())
    if m is None:
        return parse_datetime(value)
    day, month_name, year_text, hour_text, minute, second, half = m.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise ValueError(f"not a date: '{value}' (unknown month '{month_name}')")
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    hour = int(hour_text or 0)
    if half is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"not a date: '{value}' (hour {hour} with {half})")
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    try:
        return dt.datetime(
            year, month, int(day), hour, int(minute or 0), int(second or 0), tzinfo=dt.UTC
        )
    except ValueError as exc:
        raise ValueError(f"not a valid date: '{value}' ({exc})") from None


def read_jira(paths: Sequence[Path]) -> list[TrackerRecord | InputError]:
    """Records of every file, one per key, in the order each key was first seen."""
    rows: dict[str, _Row] = {}
    order: list[str | InputError] = []
    for path in paths:
        for item in _read_file(path):
            if isinstance(item, InputError):
                order.append(item)
                continue
            key = item.record.key
            earlier = rows.get(key)
            if earlier is None:
                order.append(key)
                rows[key] = item
            elif _newer(item, earlier):
                rows[key] = item
    keys_by_id = {row.issue_id: key for key, row in rows.items() if row.issue_id}
    out: list[TrackerRecord | InputError] = []
    for entry in order:
        if isinstance(entry, InputError):
            out.append(entry)
            continue
        row = rows[entry]
        parent = row.parent_ref
        if parent is not None and not _KEY.match(parent):
            parent = keys_by_id.get(parent)  # an Issue id: its key, when it was exported too
        record = replace(row.record, parent_key=parent)
        try:
            check_record(record, row.path, FIELDS)
        except InputError as exc:
            out.append(exc)
            continue
        out.append(record)
    return out


def _newer(row: _Row, than: _Row) -> bool:
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    return (row.updated_at or never) >= (than.updated_at or never)


class _Columns:
    """Positions of the header's columns; a name may appear several times."""

    def __init__(self, header: list[str]) -> None:
        self.width = len(header)
        self.names = [name.strip() for name in header]
        self.positions: dict[str, list[int]] = {}
        for index, name in enumerate(header):
            self.positions.setdefault(name.strip(), []).append(index)
        self.links: list[tuple[int, str]] = []
        for index, name in enumerate(header):
            m = _LINK_COLUMN.match(name.strip())
            if m:
                self.links.append((index, link_word(m[2], outward=m[1] == "Outward")))

    def first(self, cells: list[str], *names: str) -> str:
        """The first non-empty cell under any of ``names`` ("" when none)."""
        for name in names:
            for index in self.positions.get(name, ()):
                if cells[index].strip():
                    return cells[index].strip()
        return ""

    def every(self, cells: list[str], name: str) -> list[str]:
        return [cells[i].strip() for i in self.positions.get(name, ()) if cells[i].strip()]


def _read_file(path: Path) -> list[_Row | InputError]:
    records = csv_records(path, read_text(path))
    header_item = next(records, None)
    if header_item is None:
        raise InputError("the file is empty (no header row)", file=path, line=1)
    if isinstance(header_item, InputError):
        raise InputError(
            f"malformed header: {header_item.reason}", file=path, line=header_item.line
        )
    header_line, header = header_item
    columns = _Columns(header)
    for name in REQUIRED:
        if name not in columns.positions:
            shown = ", ".join(repr(c.strip()[:40]) for c in header[:8])
            more = ", ..." if len(header) > 8 else ""
            raise InputError(
                f"no '{name}' column, so this is not a Jira CSV export (the header has: "
                f"{shown}{more})",
                file=path,
                line=header_line,
                field=name,
            )
    out: list[_Row | InputError] = []
    for item in records:
        if isinstance(item, InputError):
            out.append(item)
            continue
        line, cells = item
        try:
            out.append(_row(path, line, cells, columns))
        except InputError as exc:
            out.append(exc)
    return out


def _row(path: Path, line: int, cells: list[str], columns: _Columns) -> _Row:
    def fail(reason: str, field: str | None) -> InputError:
        return InputError(reason, file=path, line=line, field=field)

    if len(cells) != columns.width:
        hint = " (is the file truncated?)" if len(cells) < columns.width else ""
        raise fail(
            f"expected {columns.width} fields (as in the header), found {len(cells)}{hint}", None
        )
    for index, cell in enumerate(cells):
        problem = row_problem(path, line, {columns.names[index] or f"column {index + 1}": cell})
        if problem is not None:
            raise problem
    key = columns.first(cells, "Issue key")
    if not key:
        raise fail("is empty", "Issue key")
    title = columns.first(cells, "Summary")
    if not title:
        raise fail("is empty", "Summary")
    status = columns.first(cells, "Status")
    if not status:
        raise fail("is empty", "Status")
    date = _dates(cells, columns, fail)
    opened_at = date("Created")
    if opened_at is None:
        raise fail("is empty", "Created")
    resolved_at = date("Resolved")
    category = _category(columns.first(cells, "Status Category"), status, resolved_at, fail)
    # A closed issue whose resolution (or status) says it was not done ("Won't Do", "Duplicate")
    # is dropped, whatever its status category.
    resolution = columns.first(cells, "Resolution")
    if category == DONE and (closes_without_doing(resolution) or closes_without_doing(status)):
        category = DROPPED
    # Jira exports no status history. The "Start date" field, where a team keeps it, says
    # when work began; otherwise an item now in progress began when its category last changed.
    started_at = date("Custom field (Start date)")
    if started_at is None and category == IN_PROGRESS:
        started_at = date("Status Category Changed")
    record = TrackerRecord(
        line=line,
        key=key,
        title=title,
        item_type=re.sub(r"[\s-]+", "_", columns.first(cells, "Issue Type").lower()) or "issue",
        status=status,
        status_category=category,
        assignee=columns.first(cells, "Assignee") or None,
        opened_at=opened_at,
        started_at=started_at,
        resolved_at=resolved_at,
        labels=tuple(sorted(set(columns.every(cells, "Labels")))),
        parent_key=None,
        links=tuple(
            sorted({f"{kind} {cells[i].strip()}" for i, kind in columns.links if cells[i].strip()})
        ),
        branch=None,
        url=None,
        points=_points(cells, columns, fail),
        body=columns.first(cells, "Description"),
    )
    parent = columns.first(cells, "Parent key", "Parent", "Parent id", "Custom field (Epic Link)")
    return _Row(
        path=path,
        record=record,
        issue_id=columns.first(cells, "Issue id") or None,
        parent_ref=parent or None,
        updated_at=date("Updated"),
    )


Fail = Callable[[str, str | None], InputError]


def _dates(cells: list[str], columns: _Columns, fail: Fail) -> Callable[[str], dt.datetime | None]:
    def date(name: str) -> dt.datetime | None:
        raw = columns.first(cells, name)
        if not raw:
            return None
        try:
            return parse_jira_datetime(raw)
        except ValueError as exc:
            raise fail(str(exc), name) from None

    return date


def _category(raw: str, status: str, resolved_at: dt.datetime | None, fail: Fail) -> str:
    if raw:
        category = _CATEGORIES.get(raw.lower())
        if category is None:
            raise fail(
                f"unknown status category '{raw}' (expected To Do, In Progress or Done)",
                "Status Category",
            )
        return category
    name = status.lower()
    if name in DONE_STATUSES:
        return DONE
    if name in IN_PROGRESS_STATUSES:
        return IN_PROGRESS
    return DONE if resolved_at is not None else TODO


def _points(cells: list[str], columns: _Columns, fail: Fail) -> float | None:
    for name in _POINTS_COLUMNS:
        raw = columns.first(cells, name)
        if raw:
            try:
                points = float(raw)
            except ValueError:
                points = math.nan
            if not math.isfinite(points):
                raise fail(f"not a number: '{raw}'", name)
            return points
    return None
