"""Engines and sessions for SQLite (embedded default) and PostgreSQL (team server).

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
``BEGIN IMMEDIATE`` so two writers queue for the lock instead of failing half-way through.

Every write session also adds one to the ``data_version`` row before it commits, in the same
transaction: any change by any process moves the number, and readers that keep derived
results (the web's response cache) compare it to know whether those are still current.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text

from productpath.errors import DatabaseBusyError, WorkspaceError

if TYPE_CHECKING:  # the ORM is imported on the first session: listings read through Core rows
    from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000
# How long a writer waits for SQLite's write lock, in seconds; tests shorten it to see a wait
# run out quickly.
BUSY_TIMEOUT_ENV = "PRODUCTPATH_BUSY_TIMEOUT"
_IMMEDIATE = "productpath_begin_immediate"
# Last in the transaction, so the row lock (PostgreSQL) is held only for the commit itself and
# two writers cannot deadlock on it.
_BUMP = text("UPDATE data_version SET n = n + 1 WHERE id = 1")
_READ_VERSION = text("SELECT n FROM data_version WHERE id = 1")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings productpath relies on."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    timeout_ms = busy_timeout_ms()
    # LIFO: the connection a request hands back is the next one taken, so its page cache is warm
    # (FIFO rotates requests through every pooled connection, each with a cold cache of its own).
    engine = create_engine(url, connect_args={"timeout": timeout_ms / 1000}, pool_use_lifo=True)
    event.listen(engine, "connect", functools.partial(_configure_sqlite, timeout_ms=timeout_ms))
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def busy_timeout_ms() -> int:
    """:data:`BUSY_TIMEOUT_MS`, or the seconds in ``PRODUCTPATH_BUSY_TIMEOUT``."""
    given = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    try:
        seconds = float(given) if given else BUSY_TIMEOUT_MS / 1000
    except ValueError:
        raise WorkspaceError(
            f"{BUSY_TIMEOUT_ENV} must be a number of seconds, got {given!r}"
        ) from None
    return max(0, int(seconds * 1000))


def _configure_sqlite(dbapi_connection: Any, _record: Any, *, timeout_ms: int) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads through a memory map share the operating system's page cache between connections
    # and processes instead of copying pages into each connection's own cache.
    cursor.execute("PRAGMA mmap_size=268435456")
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
        self._makers: tuple[sessionmaker[Session], sessionmaker[Session]] | None = None

    def _sessions(self) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
        """(readers, writers), made on first use: importing SQLAlchemy's ORM (and with it the
        mapped models) is most of a listing's CPU, and :meth:`rows` needs neither."""
        if self._makers is None:
            from sqlalchemy.orm import sessionmaker

            readers = sessionmaker(self.engine, expire_on_commit=False)
            writers = sessionmaker(for_writing(self.engine), expire_on_commit=False)
            event.listen(writers, "before_commit", _bump_data_version)
            self._makers = (readers, writers)
        return self._makers

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions()[0]() as session:
            yield session

    @contextmanager
    def rows(self) -> Iterator[Connection]:
        """One read transaction on a Core connection, for queries that return plain rows
        (the listings): the same snapshot a :meth:`read` session sees, without the ORM."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back when it raises.

        A wait for the write lock longer than the busy timeout is a DatabaseBusyError (one line
        for the CLI, 503 on the web), never the driver's "database is locked" traceback."""
        with _busy_as_error(), self._sessions()[1]() as session, session.begin():
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """One connection held for a while: what it stages in temporary tables (which take no
        lock on the database) stays visible to :meth:`write_on` on the same connection."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write_on(self, conn: Connection) -> Iterator[Session]:
        """A write transaction like :meth:`write`, on the held ``conn``."""
        from sqlalchemy.orm import Session

        conn.execution_options(**{_IMMEDIATE: True})
        try:
            with (
                _busy_as_error(),
                Session(conn, expire_on_commit=False) as session,
                session.begin(),
            ):
                yield session
                _bump_data_version(session)
        finally:
            conn.execution_options(**{_IMMEDIATE: False})

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


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite giving up on the write lock after the busy timeout."""
    from sqlalchemy.exc import OperationalError

    message = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and (
        "database is locked" in message or "database is busy" in message
    )


@contextmanager
def _busy_as_error() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if is_busy(exc):
            raise DatabaseBusyError() from None
        raise
