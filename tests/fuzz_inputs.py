"""Malformed inputs for every importer, and the check each one must pass.

Shared by tests/test_fuzz_imports.py (a few examples per importer) and
bench/bench_reliability.py (thousands). Each importer has a small valid file as its seed;
hypothesis mutates it: truncation, re-encoding (latin-1, UTF-16, BOMs), NUL bytes, huge fields,
wrong types, duplicated rows, formula-injection text, random bytes.

The contract (issue 9): an import either succeeds, or raises a ProductpathError whose message
names the file; after a failure the store's row counts and content hash are unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import Engine

from productpath.errors import ProductpathError
from productpath.store import dump
from roadmap_fixtures import SMALL_ROADMAP

FORMULAS = ("=1+2", '=HYPERLINK("http://x.test","go")', "@SUM(A1)", "+cmd|'/C calc'!A0", "-2+3")
WEIRD_TEXT = ("\x00", "\ufeff", "é", "😀", "\u202e", "\r", '"', ",", "\n", "'", "\\", "null")

FEEDBACK_CSV = (
    "id,text,created_at,customer\n"
    "1,Export to PDF please,2025-01-02,acme\n"
    "2,The app crashes on login,2025-01-03T10:00:00Z,\n"
    '3,"Love it, thanks",2025-01-04,globex\n'
)
FEEDBACK_JSON = json.dumps(
    [
        {"id": "1", "text": "Export to PDF please", "created_at": "2025-01-02", "customer": "acme"},
        {"id": 2, "text": "Crashes on login", "created_at": "2025-01-03"},
    ]
)
FEEDBACK_JSONL = (
    '{"id": "1", "text": "Export to PDF please", "created_at": "2025-01-02"}\n'
    '{"id": "2", "text": "Crashes on login", "customer": "acme"}\n'
)
JIRA_CSV = (
    "Summary,Issue key,Issue id,Issue Type,Status,Created,Resolved,Labels,Labels,"
    "Custom field (Story Points),Status Category\r\n"
    "Light identity check,POC-1,10001,Story,Done,05/Jan/26 9:15 AM,07/Jan/26 1:00 PM,"
    "kyc,,3,Done\r\n"
    "Tap to pay,POC-2,10002,Bug,In Progress,2026-01-06 10:00,,tap,mobile,,In Progress\r\n"
)
GITHUB_JSON = json.dumps(
    [
        {
            "number": 7,
            "title": "Tap to pay",
            "state": "open",
            "created_at": "2026-01-05T09:00:00Z",
            "updated_at": "2026-01-06T09:00:00Z",
            "closed_at": None,
            "labels": [{"name": "tap"}],
            "assignee": {"login": "ana"},
            "html_url": "https://github.com/acme/pocket/issues/7",
            "body": "",
        },
        {
            "number": 8,
            "title": "Fix login",
            "state": "closed",
            "created_at": "2026-01-02T09:00:00Z",
            "closed_at": "2026-01-04T09:00:00Z",
            "labels": [],
            "html_url": "https://github.com/acme/pocket/pull/8",
            "pull_request": {"merged_at": "2026-01-04T09:00:00Z"},
        },
    ],
    indent=2,
)
KPI_CSV = (
    "metric,day,segment,value\n"
    "Activation,2025-01-01,,41.5\n"
    "Activation,2025-01-02,smb,42\n"
    "Payment success rate,2025-01-01,,97.1\n"
)
EXPERIMENT_CSV = "variant,users,signups\ncontrol,10000,1000\nnew,10100,1100\n"
CUSTOMERS_CSV = (
    "id,name,segment,annual_revenue\n"
    "acme,Acme Corp,Enterprise,120000\n"
    "globex,Globex,SMB,\n"
    "initech,Initech,SMB,9000.50\n"
)


@dataclass(frozen=True)
class Importer:
    name: str
    suffix: str
    seed: str
    run: Callable[[Any, Path], object]


def _feedback(handle: Any, path: Path) -> object:
    from productpath.services.feedback import import_feedback

    return import_feedback(
        handle,
        path,
        text_column="text",
        id_column="id",
        date_column="created_at",
        customer_column="customer",
    )


def _roadmap(handle: Any, path: Path) -> object:
    from productpath.services.roadmap import apply_roadmap

    return apply_roadmap(handle, path)


def _tracker(fmt: str) -> Callable[[Any, Path], object]:
    def run(handle: Any, path: Path) -> object:
        from productpath.services.work.tracker import import_tracker

        return import_tracker(handle, [path], fmt=fmt)

    return run


def _kpis(handle: Any, path: Path) -> object:
    from productpath.services.learning.kpis import import_kpis

    return import_kpis(
        handle,
        path,
        date_column="day",
        value_column="value",
        metric_column="metric",
        segment_column="segment",
    )


def _experiment(handle: Any, path: Path) -> object:
    from productpath.services.learning.experiments import analyze_experiment

    return analyze_experiment(handle, path, variant_column="variant", users_column="users")


def _customers(handle: Any, path: Path) -> object:
    from productpath.services.customers import import_customers

    return import_customers(handle, path)


IMPORTERS = (
    Importer("feedback-csv", ".csv", FEEDBACK_CSV, _feedback),
    Importer("feedback-json", ".json", FEEDBACK_JSON, _feedback),
    Importer("feedback-jsonl", ".jsonl", FEEDBACK_JSONL, _feedback),
    Importer("roadmap-yaml", ".yaml", SMALL_ROADMAP, _roadmap),
    Importer("jira-csv", ".csv", JIRA_CSV, _tracker("jira")),
    Importer("github-json", ".json", GITHUB_JSON, _tracker("github")),
    Importer("kpi-csv", ".csv", KPI_CSV, _kpis),
    Importer("experiment-csv", ".csv", EXPERIMENT_CSV, _experiment),
    Importer("customers-csv", ".csv", CUSTOMERS_CSV, _customers),
)


@st.composite
def _mutation(draw: st.DrawFn, text: str) -> bytes:
    """One malformed variant of ``text``, as the bytes of a file."""
    kind = draw(
        st.sampled_from(
            (
                "truncate",
                "encoding",
                "bom",
                "nul",
                "huge",
                "splice",
                "duplicate",
                "formula",
                "bytes",
                "empty",
                "replace_token",
            )
        )
    )
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text)))].encode("utf-8")
    if kind == "encoding":
        accented = text.replace("a", "á", draw(st.integers(1, 3)))
        codec = draw(st.sampled_from(("latin-1", "utf-16", "utf-16-le", "utf-32", "cp1252")))
        return accented.encode(codec, errors="replace")
    if kind == "bom":
        return draw(st.sampled_from(("\ufeff", "\ufeff\ufeff"))).encode() + text.encode()
    if kind == "nul":
        at = draw(st.integers(0, len(text)))
        return (text[:at] + "\x00" * draw(st.integers(1, 3)) + text[at:]).encode()
    if kind == "huge":
        at = draw(st.integers(0, len(text)))
        size = draw(st.sampled_from((1_000, 70_000, 300_000)))
        return (text[:at] + draw(st.sampled_from('x,"é9')) * size + text[at:]).encode()
    if kind == "splice":
        at = draw(st.integers(0, len(text)))
        pieces = st.sampled_from(WEIRD_TEXT + tuple("{}[]:-#&*!|>"))
        piece = "".join(draw(st.lists(pieces, max_size=6)))
        return (text[:at] + piece + text[at:]).encode("utf-8", errors="surrogatepass")
    if kind == "duplicate":
        lines = text.splitlines(keepends=True) or [text]
        index = draw(st.integers(0, max(0, len(lines) - 1)))
        copies = draw(st.integers(1, 3))
        return "".join(lines[: index + 1] + [lines[index]] * copies + lines[index + 1 :]).encode()
    if kind == "formula":
        return _replace_word(draw, text, draw(st.sampled_from(FORMULAS))).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "empty":
        return draw(st.sampled_from((b"", b"\n", b" ", b"\r\n\r\n", b"[]", b"{}", b"null")))
    # A value swapped for another type: a number for text, text for a number, a list, null...
    replacement = draw(
        st.sampled_from(
            ('"', "[1, 2]", "{}", "null", "-1", "1e309", "NaN", "true", "", "2025-13-45")
        )
    )
    return _replace_word(draw, text, replacement).encode()


def _replace_word(draw: st.DrawFn, text: str, replacement: str) -> str:
    words = [
        i for i, ch in enumerate(text) if ch.isalnum() and (i == 0 or not text[i - 1].isalnum())
    ]
    if not words:
        return replacement + text
    start = draw(st.sampled_from(words))
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] in "-."):
        end += 1
    return text[:start] + replacement + text[end:]


def malformed(importer: Importer) -> st.SearchStrategy[bytes]:
    """Bytes of a file for ``importer``: usually damaged, sometimes several times over."""
    once = _mutation(importer.seed)
    twice = once.flatmap(lambda data: _mutation(data.decode("utf-8", errors="replace")))
    return st.one_of(once, once, twice)


def fingerprint(engine: Engine) -> tuple[dict[str, int], str]:
    """Row counts of every table and a SHA-256 over all their content."""
    digest = hashlib.sha256()
    counts = {}
    with engine.connect() as conn:
        for table in dump.tables(include_skipped=True):
            rows = dump.dump_rows(conn, table, credentials=True)
            counts[table.name] = len(rows)
            for row in rows:
                digest.update(dump.line(row).encode())
    return counts, digest.hexdigest()


@dataclass
class Outcome:
    ok: bool = False
    refused: bool = False
    crash: str | None = None  # a traceback summary: any exception that is not ours
    partial_write: bool = False
    unnamed_file: bool = False


def attempt(importer: Importer, handle: Any, path: Path, data: bytes) -> Outcome:
    """Write ``data`` to ``path``, import it, and judge the result against the contract."""
    path.write_bytes(data)
    before = fingerprint(handle.store.engine)
    outcome = Outcome()
    try:
        importer.run(handle, path)
        outcome.ok = True
        return outcome
    except ProductpathError as exc:
        outcome.refused = True
        outcome.unnamed_file = path.name not in str(exc)
    except Exception as exc:  # the contract: nothing but our errors may escape
        outcome.crash = f"{type(exc).__name__}: {str(exc)[:200]}"
    outcome.partial_write = fingerprint(handle.store.engine) != before
    return outcome
