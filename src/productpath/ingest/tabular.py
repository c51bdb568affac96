"""Read CSV, JSON and JSONL files as rows of text, each with the line it starts on.

A problem with the whole file (cannot be decoded at all, no header, a JSON document that is not
an array) raises :class:`InputError`. A problem with one row (bad quoting, wrong field count, bytes
that are not UTF-8) is *yielded* as an :class:`InputError` in its place, so callers decide
whether to stop or to skip it and carry on.

NUL characters inside values (real GitHub and help-desk exports carry a few) are taken out and
counted in :attr:`Table.removed_nuls`, for the caller to warn about; a file that is mostly NULs
is binary or UTF-16 and is refused whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any, NoReturn

from productpath.errors import InputError

FORMATS = ("csv", "json", "jsonl")
_EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# Bytes that are not UTF-8 survive decoding as lone surrogates (errors="surrogateescape"), so a
# bad row can be reported with its line and field instead of failing the whole file. JSON can
# also spell any lone surrogate ("\\ud800"); no database can store one either.
_UNDECODABLE = re.compile("[\ud800-\udfff]")
_JSON_SPACE = " \t\r\n"

# The csv module refuses fields over 128 KiB by default; a long support ticket is real data.
csv.field_size_limit(2**31 - 1)


MAX_INT_DIGITS = 4_000
# Above this share of NUL characters a file is not text with a few stray NULs but binary data or
# UTF-16 without its byte-order mark (where every other byte of Latin text is NUL).
BINARY_NUL_SHARE = 0.1


class _RefusedJson(ValueError):
    """JSON the standard library accepts but an import must not: NaN, or a key given twice."""


def _no_constants(name: str) -> Any:
    raise _RefusedJson(f"{name} is not a value an import can store")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _RefusedJson(f"the key '{key}' appears twice in one object")
        seen[key] = value
    return seen


def _bounded_int(digits: str) -> int:
    # Python refuses to convert integers of more than 4,300 digits (a ValueError, not a JSON
    # error); no import stores such a number, so refuse the row with a clear message.
    if len(digits) > MAX_INT_DIGITS:
        raise _RefusedJson(f"a number of {len(digits):,} digits is not a value an import can store")
    return int(digits)


def _strict_decoder() -> json.JSONDecoder:
    return json.JSONDecoder(
        object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants, parse_int=_bounded_int
    )


MAX_SOURCE_LENGTH = 100


def source_of(path: Path, source: str | None) -> str:
    """The name an import stores its rows under: ``--source``, else the file's stem."""
    name = (path.stem if source is None else source).strip()
    if not name:
        raise InputError("the source name is empty; pass --source NAME", field="source")
    if len(name) > MAX_SOURCE_LENGTH:
        raise InputError(
            f"the source name is longer than {MAX_SOURCE_LENGTH} characters", field="source"
        )
    return name


@dataclass(frozen=True)
class SkippedRow:
    """A row left out by --skip-invalid, and why (what the row's InputError said)."""

    line: int | None
    field: str | None
    reason: str


@dataclass(frozen=True)
class Row:
    """One record: its first physical line in the file and its values as text ("" = empty)."""

    line: int
    values: dict[str, str]


@dataclass
class RemovedNuls:
    """NUL characters taken out of the values read so far (no database stores them)."""

    characters: int = 0
    rows: int = 0
    first_line: int | None = None

    def clean(self, line: int, values: dict[str, str]) -> dict[str, str]:
        """``values`` without NULs, counting what was removed on ``line``."""
        found = sum(value.count("\x00") for value in values.values())
        if not found:
            return values
        self.characters += found
        self.rows += 1
        self.first_line = self.first_line or line
        return {key: value.replace("\x00", "") for key, value in values.items()}


@dataclass
class Table:
    """The columns of a file (header order) and its rows, read lazily."""

    path: Path
    columns: list[str]
    header_line: int
    rows: Iterator[Row | InputError] = field(repr=False)
    # JSON has no header: its columns are the keys its objects use, none when it has no objects.
    has_header: bool = True
    # Names the CSV header gives more than once (Jira repeats "Labels"): a row's value under
    # such a name is ambiguous, so resolve_column refuses them; the other columns read fine.
    duplicated: tuple[str, ...] = ()
    # Filled in as rows are read: complete once ``rows`` is exhausted.
    removed_nuls: RemovedNuls = field(default_factory=RemovedNuls)


def detect_format(path: Path, file_format: str | None = None) -> str:
    """The format named, or the one the file extension implies."""
    if file_format is not None:
        fmt = file_format.lower()
        if fmt not in FORMATS:
            raise InputError(
                f"unknown format '{file_format}'; use one of: {', '.join(FORMATS)}", file=path
            )
        return fmt
    fmt = _EXTENSIONS.get(path.suffix.lower(), "")
    if not fmt:
        raise InputError(
            f"cannot tell the format from the extension '{path.suffix}'; "
            f"pass --format ({', '.join(FORMATS)})",
            file=path,
        )
    return fmt


def open_table(
    path: Path, file_format: str | None = None, *, unused_duplicates_ok: bool = False
) -> Table:
    """Open ``path`` as a table; the format comes from ``file_format`` or the extension.

    A CSV header that names a column twice is refused, unless ``unused_duplicates_ok``: then
    only reading such a column is (see :func:`resolve_column`), for readers that read just
    the columns they resolve.
    """
    fmt = detect_format(path, file_format)
    text = _decode(path)
    _refuse_binary(path, text)
    if fmt == "csv":
        table = _csv_table(path, text)
        if table.duplicated and not unused_duplicates_ok:
            refuse_duplicated(table, table.duplicated[0])
        return table
    if fmt == "json":
        return _json_table(path, text)
    return _jsonl_table(path, text)


def resolve_column(table: Table, name: str, *, option: str) -> str:
    """The file's column that ``name`` means: exact, else the one case-insensitive match.

    A column the header names twice is refused: which of its values a row means is unclear.
    """
    column = _match_column(table, name)
    if column is None:
        available = ", ".join(repr(c) for c in dict.fromkeys(table.columns)) or "(none)"
        raise InputError(
            f"no column '{name}' (given by {option}); the file has: {available}",
            file=table.path,
            line=table.header_line,
            field=name,
        )
    if column in table.duplicated:
        refuse_duplicated(table, column)
    return column


def _match_column(table: Table, name: str) -> str | None:
    if name in table.columns or (not table.columns and not table.has_header):
        return name
    folded = {c for c in table.columns if c.strip().casefold() == name.strip().casefold()}
    return folded.pop() if len(folded) == 1 else None


def require_rows(table: Table) -> Table:
    """``table`` with its rows intact, or an InputError when it has none at all: a CSV header
    with nothing under it, or an empty JSON array. A bad row counts as a row."""
    first = next(table.rows, None)
    if first is None:
        if table.has_header:
            raise InputError(
                "no rows: the file has a header and nothing under it",
                file=table.path,
                line=table.header_line,
            )
        raise InputError("no rows: the JSON array is empty", file=table.path, line=1)
    return replace(table, rows=chain([first], table.rows))


def refuse_duplicated(table: Table, column: str, why: str = "") -> NoReturn:
    """Raise the InputError for reading ``column``, which the header names more than once."""
    raise InputError(
        f"column appears twice in the header{why}",
        file=table.path,
        line=table.header_line,
        field=column,
    )


def row_problem(path: Path, line: int, values: dict[str, str]) -> InputError | None:
    """Text no database can store: bytes that were not UTF-8, or NUL characters."""
    for key, value in values.items():
        if _UNDECODABLE.search(value) or _UNDECODABLE.search(key):
            return InputError(
                "is not valid UTF-8 text (save the file as UTF-8)", file=path, line=line, field=key
            )
        if "\x00" in value:
            return InputError(
                "contains a NUL character (--skip-invalid leaves such rows out)",
                file=path,
                line=line,
                field=key,
            )
    return None


def read_text(path: Path) -> str:
    """The file as text, for readers with their own layout; InputError when it cannot be read.

    Bytes that are not UTF-8 are kept as lone surrogates: find them with :func:`text_problem`
    or :func:`row_problem` to report the line they are on.
    """
    return _decode(path)


def text_problem(path: Path, text: str) -> InputError | None:
    """The first place in ``text`` where bytes were not UTF-8, as an error naming its line."""
    bad = _UNDECODABLE.search(text)
    if bad is None:
        return None
    line = text.count("\n", 0, bad.start()) + 1
    return InputError("is not valid UTF-8 text (save the file as UTF-8)", file=path, line=line)


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=path) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with its byte-order mark (Google Play's review exports): the mark says how.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(
                "the file starts as UTF-16 but is not; save it as UTF-8", file=path, line=1
            ) from None
    return data.decode("utf-8-sig", errors="surrogateescape")


def _refuse_binary(path: Path, text: str) -> None:
    nuls = text.count("\x00")
    if nuls and nuls > BINARY_NUL_SHARE * len(text):
        first = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(
            f"{nuls:,} of its {len(text):,} characters are NUL: the file is binary or UTF-16, "
            "not text (save it as UTF-8)",
            file=path,
            line=first,
        )


# --- CSV -----------------------------------------------------------------------------------


def _csv_table(path: Path, text: str) -> Table:
    # newline="" keeps line endings inside quoted fields intact, as the csv module expects.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 0
    while header is None:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            raise InputError("the file is empty (no header row)", file=path, line=1) from None
        except csv.Error as exc:
            raise InputError(f"malformed header: {exc}", file=path, line=start) from None
        if row:
            header, header_line = [c.strip() for c in row], start
    _check_header(path, header, header_line)
    removed = RemovedNuls()
    rows = _csv_rows(path, reader, header, removed)
    return Table(
        path, header, header_line, rows, duplicated=_duplicated(header), removed_nuls=removed
    )


def _duplicated(header: Sequence[str]) -> tuple[str, ...]:
    """Names given more than once, in the order their second use appears."""
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for column in header:
        # Several unnamed columns are common (a trailing comma) and never read by name.
        if column and column in seen:
            repeated[column] = None
        seen.add(column)
    return tuple(repeated)


def _check_header(path: Path, header: Sequence[str], line: int) -> None:
    if any(_UNDECODABLE.search(c) for c in header):
        raise InputError(
            "the header is not valid UTF-8 (save the file as UTF-8)", file=path, line=line
        )
    if any("\x00" in c for c in header):
        raise InputError(
            "the header contains NUL characters (is the file binary or UTF-16?)",
            file=path,
            line=line,
        )


def _csv_rows(
    path: Path, reader: Any, header: list[str], removed: RemovedNuls
) -> Iterator[Row | InputError]:
    for record in _records(path, reader):
        if isinstance(record, InputError):
            yield record
            continue
        start, cells = record
        if len(cells) != len(header):
            yield InputError(
                f"expected {len(header)} fields (as in the header), found {len(cells)}",
                file=path,
                line=start,
            )
            continue
        values = removed.clean(start, dict(zip(header, cells, strict=True)))
        yield row_problem(path, start, values) or Row(start, values)


def csv_records(path: Path, text: str) -> Iterator[tuple[int, list[str]] | InputError]:
    """Every non-blank CSV record of ``text`` with the line it starts on, header included.

    For files whose header repeats column names (Jira's exports do), so rows must be read by
    position rather than as dicts. A malformed record is yielded as an InputError; an
    unterminated quote raises, as nothing after it can be trusted.
    """
    yield from _records(path, csv.reader(io.StringIO(text, newline=""), strict=True))


def _records(path: Path, reader: Any) -> Iterator[tuple[int, list[str]] | InputError]:
    """The loop both readers share: each non-blank record and the line it starts on."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "end of data" in str(exc):
                # An unterminated quote swallowed the rest of the file: nothing after it is
                # trustworthy, so this is never skippable.
                raise InputError(
                    "unterminated quoted field (a '\"' is never closed)", file=path, line=start
                ) from None
            yield InputError(f"malformed CSV: {exc}", file=path, line=start)
            continue
        if cells:
            yield start, cells


# --- JSON and JSONL -----------------------------------------------------------------------


def _text_value(value: Any) -> str:
    """JSON values as text, so CSV and JSON rows look alike to the readers above this one."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _object_row(path: Path, line: int, value: Any, removed: RemovedNuls) -> Row | InputError:
    if not isinstance(value, dict):
        return InputError(
            f"expected a JSON object, found {type(value).__name__}", file=path, line=line
        )
    values = removed.clean(line, {str(k): _text_value(v) for k, v in value.items()})
    return row_problem(path, line, values) or Row(line, values)


def _columns(items: Sequence[Row | InputError]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if isinstance(item, Row):
            seen.update(dict.fromkeys(item.values))
    return list(seen)


class _Lines:
    """Line numbers of character offsets in a text, by binary search over newline offsets."""

    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> int:
        return bisect_right(self._newlines, offset - 1) + 1


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _JSON_SPACE:
        pos += 1
    return pos


def _json_table(path: Path, text: str) -> Table:
    # JSON is parsed element by element with raw_decode so each object keeps its own line.
    lines = _Lines(text)
    decoder = _strict_decoder()
    removed = RemovedNuls()
    pos = _skip_space(text, 0)
    if pos == len(text):
        raise InputError("the file is empty (expected a JSON array of objects)", file=path, line=1)
    if text[pos] != "[":
        raise InputError(
            "expected a JSON array of objects at the top level", file=path, line=lines.at(pos)
        )
    items: list[Row | InputError] = []
    pos = _skip_space(text, pos + 1)
    closed = pos < len(text) and text[pos] == "]"
    while not closed:
        line = lines.at(pos)
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON: {exc.msg} (column {exc.colno})", file=path, line=exc.lineno
            ) from None
        except _RefusedJson as exc:
            # The element is well-formed JSON, so reading goes on; only this row is bad.
            items.append(InputError(str(exc), file=path, line=line))
            try:
                end = _element_end(text, pos)
            except json.JSONDecodeError as bad:
                # Refused and malformed: the syntax error is what stops the whole file.
                raise InputError(
                    f"invalid JSON: {bad.msg} (column {bad.colno})", file=path, line=bad.lineno
                ) from None
        else:
            items.append(_object_row(path, line, value, removed))
        pos = _skip_space(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
        elif pos < len(text) and text[pos] == "]":
            closed = True
        else:
            raise InputError(
                "invalid JSON: expected ',' or ']' after an element", file=path, line=lines.at(pos)
            )
    pos = _skip_space(text, pos + 1)
    if pos < len(text):
        raise InputError("invalid JSON: text after the closing ']'", file=path, line=lines.at(pos))
    return Table(path, _columns(items), 1, iter(items), has_header=False, removed_nuls=removed)


def _element_end(text: str, pos: int) -> int:
    """Where the JSON element at ``pos`` ends, read again without the strict hooks."""
    _, end = json.JSONDecoder(parse_int=str).raw_decode(text, pos)
    return end


def _jsonl_table(path: Path, text: str) -> Table:
    if not text.strip(_JSON_SPACE):
        raise InputError("the file is empty (expected one JSON object per line)", file=path, line=1)
    items: list[Row | InputError] = []
    decoder = _strict_decoder()
    removed = RemovedNuls()
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = decoder.decode(raw)
        except json.JSONDecodeError as exc:
            items.append(
                InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", file=path, line=number)
            )
            continue
        except _RefusedJson as exc:
            items.append(InputError(str(exc), file=path, line=number))
            continue
        items.append(_object_row(path, number, value, removed))
    return Table(path, _columns(items), 1, iter(items), has_header=False, removed_nuls=removed)
