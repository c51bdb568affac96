"""One grown workspace for a bench, on SQLite or on a PostgreSQL database of its own.

    from grow import grown_workspace
    with grown_workspace("postgresql", feedback=100_000, initiatives=300) as ws:
        with open_workspace(ws.settings) as handle: ...
        print(ws.grown.feedback_total, ws.build_s)

A fresh workspace ("Pocket") in a temporary folder; for PostgreSQL, a database of its own created
next to PRODUCTPATH_BENCH_DATABASE_URL's (default: the local ``test`` database) and dropped on
leaving. ``prepare`` runs on the opened workspace before it grows (an import and a run, say);
then bench/grow_workspace.py's :func:`grow` brings it to ``feedback`` items and ``initiatives``
initiatives, and ``after`` runs on it grown. On PostgreSQL the whole database is then analysed
(what autovacuum does within a minute of a bulk load). ``build_s`` times all of it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grow_workspace import Grown, grow

from productpath.services.workspace import OpenWorkspace, init_workspace, open_workspace
from productpath.settings import Settings

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
Database = Literal["sqlite", "postgresql"]
DATABASES: dict[Database, str] = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class GrownWorkspace:
    settings: Settings
    url: str | None  # None: SQLite in the workspace folder
    grown: Grown
    build_s: float


@contextmanager
def grown_workspace(
    database: Database,
    *,
    feedback: int,
    initiatives: int,
    seed: int = 0,
    prefix: str = "pp-bench-",
    prepare: Callable[[OpenWorkspace], object] | None = None,
    after: Callable[[OpenWorkspace], object] | None = None,
) -> Iterator[GrownWorkspace]:
    with _database(database, prefix) as url:
        root = Path(tempfile.mkdtemp(prefix=prefix)) / "ws"
        init_workspace(root, "Pocket", url)
        settings = Settings(workspace=root, database_url=url)
        started = time.perf_counter()
        with open_workspace(settings) as handle:
            if prepare is not None:
                prepare(handle)
            grown = grow(handle, feedback=feedback, initiatives=initiatives, seed=seed)
            if after is not None:
                after(handle)
        if url is not None:
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            engine.dispose()
        yield GrownWorkspace(settings, url, grown, time.perf_counter() - started)


@contextmanager
def postgres_database(base_url: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside ``base_url`` for one bench run, dropped after."""
    name = f"{prefix.replace('-', '_')}{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _database(database: Database, prefix: str) -> Iterator[str | None]:
    if database == "sqlite":
        yield None
        return
    base = os.environ.get("PRODUCTPATH_BENCH_DATABASE_URL", PG_DEFAULT)
    with postgres_database(base, prefix) as url:
        yield url


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
