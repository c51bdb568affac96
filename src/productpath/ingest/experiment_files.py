"""Experiment files, in one of two layouts, read into per-variant sufficient statistics.

* **Counts** (``users_column`` given): one row per variant with its users and, per metric,
  either a column of conversion counts (``signups``) or a pair of columns ``NAME_mean`` and
  ``NAME_sd`` for a mean metric.
* **Per-user rows** (no ``users_column``): one row per user with its variant and its metric
  values; a metric whose values are all 0 or 1 is a conversion, any other a mean. With a
  ``user_column`` a user seen twice is an error (assignment must be sticky).

Without either option, a file where no variant has a second row is a counts file, not two
users: it is read as counts when one column is named as a count of users (``users``,
``visitors``, ``sessions``, ``n`` ...; ``ExperimentInput.users_from`` says which), and refused
with the option to use otherwise.

Every problem raises one InputError naming file, line and field: an experiment read-out on a
silently shortened file would be wrong, so nothing is skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path

from productpath.errors import InputError
from productpath.ingest.tabular import Row, Table, open_table, resolve_column

MAX_NAME_LENGTH = 100
# Column names that mean "users per variant" in a counts file, compared case-insensitively.
USERS_NAMES = ("users", "visitors", "sessions", "n", "participants", "exposures", "subjects")
# A counts file has one row per variant; past this many rows without a repeated variant it is
# not one (and reading on to find out would hold a per-user file in memory).
MAX_COUNT_ROWS = 200


@dataclass(frozen=True)
class ExperimentColumns:
    variant: str
    users: str | None = None  # counts layout
    user: str | None = None  # per-user layout: the user's id, to catch repeats
    metrics: tuple[str, ...] = ()  # default: every other column


@dataclass(frozen=True)
class ConversionInput:
    name: str
    conversions: dict[str, int]  # per variant


@dataclass(frozen=True)
class MeanInput:
    name: str
    stats: dict[str, tuple[int, float, float]]  # per variant: n, mean, sample sd


@dataclass(frozen=True)
class ExperimentInput:
    layout: str  # counts | rows
    variants: tuple[str, ...]  # in file order
    users: dict[str, int]
    lines: dict[str, int]  # where each variant first appears
    metrics: tuple[ConversionInput | MeanInput, ...]
    # The users column recognised by its name when no option named the layout.
    users_from: str | None = None


def read_experiment(
    path: Path, columns: ExperimentColumns, *, file_format: str | None = None
) -> ExperimentInput:
    """Read ``path``; raises InputError at the first problem."""
    table = open_table(path, file_format)
    variant = resolve_column(table, columns.variant, option="--variant-column")
    if columns.users is not None:
        users = resolve_column(table, columns.users, option="--users-column")
        return _counts(table, variant, users, columns.metrics)
    user = None
    if columns.user is not None:
        user = resolve_column(table, columns.user, option="--user-column")
        return _rows(table, variant, user, columns.metrics)
    head, table = _peek_one_row_per_variant(table, variant)
    if head is None:
        return _rows(table, variant, None, columns.metrics)
    users = _users_column(table, head, variant)
    return replace(_counts(table, variant, users, columns.metrics), users_from=users)


def _peek_one_row_per_variant(table: Table, variant: str) -> tuple[list[Row] | None, Table]:
    """The rows, when the file ends before any variant has a second one (a counts file), and
    ``table`` with its rows intact to read again either way."""
    read: list[Row | InputError] = []
    seen: set[str] = set()
    for item in table.rows:
        read.append(item)
        if isinstance(item, InputError) or len(read) > MAX_COUNT_ROWS:
            break
        name = " ".join(item.values.get(variant, "").split())
        if name in seen:
            break
        seen.add(name)
    else:
        rows = [r for r in read if isinstance(r, Row)]
        return (rows if len(rows) >= 2 else None), replace(table, rows=iter(read))
    return None, replace(table, rows=chain(read, table.rows))


def _users_column(table: Table, rows: list[Row], variant: str) -> str:
    """The column of users in a file with one row per variant, known by its name."""
    named = [c for c in table.columns if c.strip().casefold() in USERS_NAMES and c != variant]
    if len(named) == 1:
        return named[0]
    offered = ", ".join(repr(c) for c in table.columns if c != variant) or "(none)"
    which = "which of " + ", ".join(repr(c) for c in named) if named else "which column"
    raise _fail(
        table,
        rows[0].line,
        None,
        f"each variant is on one row, so this is a file of counts per variant, not of users; "
        f"say {which} holds the users per variant with --users-column (the file has: "
        f"{offered})",
    )


def _fail(table: Table, line: int | None, column: str | None, reason: str) -> InputError:
    return InputError(reason, file=table.path, line=line, field=column)


def _variant(table: Table, row: Row, column: str) -> str:
    name = " ".join(row.values.get(column, "").split())
    if not name:
        raise _fail(table, row.line, column, "the variant is missing")
    if len(name) > MAX_NAME_LENGTH:
        raise _fail(table, row.line, column, f"longer than {MAX_NAME_LENGTH} characters")
    return name


def _number(table: Table, row: Row, column: str) -> float:
    raw = row.values.get(column, "").strip()
    if not raw:
        raise _fail(table, row.line, column, "the value is missing")
    try:
        value = float(raw)
    except ValueError:
        raise _fail(table, row.line, column, f"not a number: '{raw}'") from None
    if not math.isfinite(value):
        raise _fail(table, row.line, column, f"not a finite number: '{raw}'")
    return value


def _count(table: Table, row: Row, column: str, what: str) -> int:
    value = _number(table, row, column)
    if value < 0 or value != int(value):
        raise _fail(table, row.line, column, f"{what} must be a whole number, 0 or more")
    return int(value)


def _metric_columns(table: Table, taken: set[str], wanted: tuple[str, ...]) -> list[str]:
    if wanted:
        return [resolve_column(table, m, option="--metric") for m in wanted]
    return [c for c in table.columns if c not in taken]


def _finish(
    table: Table,
    layout: str,
    users: dict[str, int],
    lines: dict[str, int],
    metrics: tuple[ConversionInput | MeanInput, ...],
) -> ExperimentInput:
    if not users:
        raise _fail(table, None, None, "no rows: the file holds no experiment data")
    if len(users) < 2:
        only = next(iter(users))
        raise _fail(
            table,
            lines[only],
            None,
            f"only one variant ('{only}'): a read-out needs a control and at least one variant",
        )
    if not metrics:
        raise _fail(table, table.header_line, None, "no metric columns besides the variant")
    return ExperimentInput(layout, tuple(users), users, lines, metrics)


# --- counts: one row per variant ------------------------------------------------------------


def _counts(
    table: Table, variant: str, users_column: str, wanted: tuple[str, ...]
) -> ExperimentInput:
    rows = [r for r in _all_rows(table)]
    users: dict[str, int] = {}
    lines: dict[str, int] = {}
    for row in rows:
        name = _variant(table, row, variant)
        if name in users:
            raise _fail(table, row.line, variant, f"variant '{name}' is on line {lines[name]} too")
        count = _count(table, row, users_column, "users")
        if count == 0:
            raise _fail(
                table,
                row.line,
                users_column,
                f"variant '{name}' has 0 users (a zero-traffic arm): check the assignment, or "
                "leave the variant out",
            )
        users[name], lines[name] = count, row.line
    metrics: list[ConversionInput | MeanInput] = []
    columns = set(table.columns)
    taken = {variant, users_column}
    for column in _count_metric_columns(table, taken, wanted):
        if column in columns:
            conversions = {}
            for row in rows:
                name = _variant(table, row, variant)
                value = _count(table, row, column, "conversions")
                if value > users[name]:
                    raise _fail(
                        table, row.line, column, f"{value} conversions but only {users[name]} users"
                    )
                conversions[name] = value
            metrics.append(ConversionInput(column, conversions))
        else:
            stats = {}
            for row in rows:
                name = _variant(table, row, variant)
                mean = _number(table, row, f"{column}_mean")
                sd = _number(table, row, f"{column}_sd")
                if sd < 0:
                    raise _fail(table, row.line, f"{column}_sd", "a standard deviation is >= 0")
                stats[name] = (users[name], mean, sd)
            metrics.append(MeanInput(column, stats))
    return _finish(table, "counts", users, lines, tuple(metrics))


def _count_metric_columns(table: Table, taken: set[str], wanted: tuple[str, ...]) -> list[str]:
    """Metric names: count columns as they are, ``X_mean``/``X_sd`` pairs as ``X``."""
    columns = set(table.columns)
    if wanted:
        found = []
        for name in wanted:
            if name in columns or {f"{name}_mean", f"{name}_sd"} <= columns:
                found.append(name)
            else:
                found.append(resolve_column(table, name, option="--metric"))
        return found
    names: list[str] = []
    for column in table.columns:
        if column in taken:
            continue
        for suffix, partner in (("_mean", "_sd"), ("_sd", "_mean")):
            if column.endswith(suffix) and column[: -len(suffix)] + partner in columns:
                column = column[: -len(suffix)]
                break
        if column not in names:
            names.append(column)
    return names


def _all_rows(table: Table) -> list[Row]:
    rows = []
    for item in table.rows:
        if isinstance(item, InputError):
            raise item
        rows.append(item)
    return rows


# --- per-user rows ----------------------------------------------------------------------------


def _rows(table: Table, variant: str, user: str | None, wanted: tuple[str, ...]) -> ExperimentInput:
    taken = {variant} | ({user} if user else set())
    metric_columns = _metric_columns(table, taken, wanted)
    values: dict[str, dict[str, list[float]]] = {m: {} for m in metric_columns}
    users: dict[str, int] = {}
    lines: dict[str, int] = {}
    seen: dict[str, tuple[int, str]] = {}
    for item in table.rows:
        if isinstance(item, InputError):
            raise item
        name = _variant(table, item, variant)
        if user is not None:
            uid = item.values.get(user, "").strip()
            if not uid:
                raise _fail(table, item.line, user, "the user id is missing")
            if uid in seen:
                first_line, first_variant = seen[uid]
                raise _fail(
                    table,
                    item.line,
                    user,
                    f"user '{uid}' is also on line {first_line} (variant '{first_variant}'): "
                    "each user belongs in one row",
                )
            seen[uid] = (item.line, name)
        users[name] = users.get(name, 0) + 1
        lines.setdefault(name, item.line)
        for column in metric_columns:
            values[column].setdefault(name, []).append(_number(table, item, column))
    metrics: list[ConversionInput | MeanInput] = []
    for column in metric_columns:
        per_variant = values[column]
        if all(v in (0.0, 1.0) for vs in per_variant.values() for v in vs):
            metrics.append(
                ConversionInput(column, {k: int(sum(v)) for k, v in per_variant.items()})
            )
        else:
            metrics.append(MeanInput(column, {k: _moments(v) for k, v in per_variant.items()}))
    return _finish(table, "rows", users, lines, tuple(metrics))


def _moments(values: list[float]) -> tuple[int, float, float]:
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return n, mean, 0.0
    return n, mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
