"""Every table as JSON Lines, and back: generic over ``Base.metadata``, so new tables come along.

One line per row, one JSON object per line, keys in column order. Values are encoded by the
column's type, so SQLite and PostgreSQL write byte-identical files for the same data:

- datetimes: ISO 8601 in UTC (``2024-03-01T09:30:00.123456+00:00``); dates: ``2024-03-01``;
- floats: JSON numbers, except NaN and infinities, written as the strings ``"NaN"``,
  ``"Infinity"``, ``"-Infinity"`` (strict JSON has no such numbers);
- binary (e.g. theme centroids): base64 text;
- everything else: its JSON value (``null`` for NULL).

Rows are ordered by primary key, compared in Python, so two databases whose collations differ
still write the same order. docs/backup.md documents the format for people and other tools.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.types import Boolean, Date, DateTime, Float, Integer, LargeBinary, Numeric

from productpath.store.models import Base

# Caches and transient state: rebuilt on demand, so a moved workspace loses nothing by
# leaving them out. embedding_cache is recomputed by the next `insights run` (the themes,
# centroids and per-item results are exported); login_attempt only feeds the log-in rate limit;
# data_version is a change counter every database keeps for itself (store/db.py).
SKIPPED_TABLES = frozenset({"embedding_cache", "login_attempt", "data_version"})
# Columns that let someone log in. Exported only when asked (``credentials=True``); otherwise
# they are written as REDACTED, which matches no password and no token.
CREDENTIAL_COLUMNS = frozenset({("app_user", "password_hash"), ("api_token", "token_hash")})
REDACTED = ""
INSERT_BATCH = 1_000
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class DumpError(ValueError):
    """A row or value in a dump that does not fit the table; the service adds file and line."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def tables(*, include_skipped: bool = False) -> list[Table]:
    """The tables to dump, parents before children (foreign-key order)."""
    return [
        table
        for table in Base.metadata.sorted_tables
        if include_skipped or table.name not in SKIPPED_TABLES
    ]


def table_named(name: str) -> Table | None:
    found = Base.metadata.tables.get(name)
    return found if isinstance(found, Table) else None


def encode(value: Any, column_type: Any) -> Any:
    """A column value as JSON data (see the module docstring)."""
    if value is None:
        return None
    if isinstance(column_type, LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def decode(value: Any, column_type: Any) -> Any:
    """The inverse of :func:`encode`; raises DumpError on a value that does not fit."""
    if value is None:
        return None
    try:
        if isinstance(column_type, LargeBinary):
            return base64.b64decode(_str(value), validate=True)
        if isinstance(column_type, DateTime) or _impl(column_type, DateTime):
            parsed = dt.datetime.fromisoformat(_str(value))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        if isinstance(column_type, Date):
            return dt.date.fromisoformat(_str(value))
        if isinstance(column_type, Boolean):
            if not isinstance(value, bool):
                raise DumpError(f"expected true or false, got {value!r}")
            return value
        if isinstance(column_type, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise DumpError(f"expected an integer, got {value!r}")
            return value
        if isinstance(column_type, Float | Numeric):
            if isinstance(value, str) and value in _NON_FINITE:
                return _NON_FINITE[value]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DumpError(f"expected a number, got {value!r}")
            return float(value)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, DumpError):
            raise
        raise DumpError(f"cannot read {value!r}: {exc}") from exc
    if not isinstance(value, str):
        raise DumpError(f"expected text, got {value!r}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise DumpError(f"expected text, got {value!r}")
    return value


def _impl(column_type: Any, kind: type) -> bool:
    impl = getattr(column_type, "impl", None)
    return impl is not None and isinstance(impl, kind)


def dump_rows(conn: Connection, table: Table, *, credentials: bool) -> list[dict[str, Any]]:
    """Every row of ``table`` as JSON data, in primary-key order."""
    key_columns = list(table.primary_key.columns)
    rows = conn.execute(select(table).order_by(*key_columns)).mappings().all()
    secret = {c for t, c in CREDENTIAL_COLUMNS if t == table.name} if not credentials else set()
    out = []
    for row in rows:
        out.append(
            {
                column.name: (
                    REDACTED
                    if column.name in secret and row[column.name] is not None
                    else encode(row[column.name], column.type)
                )
                for column in table.columns
            }
        )
    if any(not isinstance(c.type, Integer) for c in key_columns):
        out.sort(key=lambda r: tuple(_sortable(r[c.name]) for c in key_columns))
    return out


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def line(row: Mapping[str, Any]) -> str:
    """One JSON Lines line (with its newline): compact, UTF-8 kept readable."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def decode_row(table: Table, data: object) -> dict[str, Any]:
    """One parsed line checked against ``table``: known columns, values of the right type."""
    if not isinstance(data, dict):
        raise DumpError("a line must hold one JSON object")
    unknown = sorted(set(data) - set(table.columns.keys()))
    if unknown:
        raise DumpError(f"no such column in table {table.name}", field=unknown[0])
    row = {}
    for name, value in data.items():
        column = table.columns[name]
        try:
            row[name] = decode(value, column.type)
        except DumpError as exc:
            raise DumpError(str(exc), field=name) from exc
        if isinstance(row[name], str) and "\x00" in row[name]:
            # PostgreSQL cannot store NUL in text; SQLite can, so refuse both alike.
            raise DumpError("the text holds a NUL character", field=name)
    return row


def insert_rows(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows (ids kept) in batches; returns how many."""
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            conn.execute(insert(table), batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
        count += len(batch)
    return count


def count_rows(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def reset_sequences(conn: Connection, names: Iterable[str]) -> None:
    """After inserting explicit ids into PostgreSQL, move each id sequence past the largest id.

    SQLite needs nothing: its next rowid is always past the largest one.
    """
    if conn.dialect.name != "postgresql":
        return
    for name in names:
        table = table_named(name)
        if table is None:
            continue
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, Integer):
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": key[0].name}
        ).scalar_one()
        if sequence is None:
            continue
        conn.execute(
            text(
                f'SELECT setval(:s, COALESCE((SELECT MAX("{key[0].name}") FROM "{table.name}"), 1),'
                f' (SELECT MAX("{key[0].name}") FROM "{table.name}") IS NOT NULL)'
            ),
            {"s": sequence},
        )


def non_empty(conn: Connection) -> dict[str, int]:
    """Row counts of the tables that hold rows (all tables, caches included)."""
    counts = {table.name: count_rows(conn, table) for table in tables(include_skipped=True)}
    return {name: n for name, n in counts.items() if n}
