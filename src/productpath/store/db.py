"""Engines and sessions for SQLite (embedded default) and PostgreSQL (team server).

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
``BEGIN IMMEDIATE`` so two writers queue for the lock instead of failing half-way through.

Every write session also adds one to the ``data_version`` row before it commits, in the same
transaction: any change by any process moves the number, and readers that keep derived
results (the web's response cache) compare it to know whether those are still current.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "productpath_begin_immediate"
# Last in the transaction, so the row lock (PostgreSQL) is held only for the commit itself and
# two writers cannot deadlock on it.
_BUMP = text("UPDATE data_version SET n = n + 1 WHERE id = 1")
_READ_VERSION = text("SELECT n FROM data_version WHERE id = 1")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings productpath relies on."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(conn: Any) -> None:
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def for_writing(engine: Engine) -> Engine:
    """The same engine, but its transactions take SQLite's write lock up front."""
    return engine.execution_options(**{_IMMEDIATE: True})


class Store:
    """The database of one workspace: read sessions, and write sessions that commit or roll back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(for_writing(self.engine), expire_on_commit=False)
        event.listen(self._writers, "before_commit", _bump_data_version)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._readers() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        with self._writers() as session, session.begin():
            yield session

    def data_version(self) -> int:
        """The number every committed write adds one to (0 in a database never written)."""
        with self.engine.connect() as conn:
            return data_version(conn)

    def dispose(self) -> None:
        self.engine.dispose()


def data_version(connection: Session | Connection) -> int:
    """The data version as ``connection`` sees it: caches key on it to notice any write."""
    found = connection.execute(_READ_VERSION).scalar()
    return int(found or 0)


def _bump_data_version(session: Session) -> None:
    session.execute(_BUMP)
