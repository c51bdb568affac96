"""Shared fixtures: real databases (SQLite and PostgreSQL), workspaces, and the CLI runner.

PostgreSQL tests use PRODUCTPATH_TEST_DATABASE_URL (a database to connect to, e.g. the
local ``test`` database); each test gets a fresh database created next to it and dropped after,
copied from a migrated template (tests/db_templates.py).
Without the variable they skip with one line, except in CI (CI=true) where they must run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from db_templates import create_database, seed_sqlite_workspace

PG_URL = os.environ.get("PRODUCTPATH_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# A web app under test queues no periodic jobs of its own (a nightly insights run would change
# the data under the test). Set for the whole session, before any module-scoped app starts;
# tests/test_worker.py runs the schedule on purpose (``productpath worker`` always does).
os.environ["PRODUCTPATH_SCHEDULE"] = "false"
REPO = Path(__file__).resolve().parent.parent
# Real data the tests read, shipped with them (tests/data/README.md: sources and licenses).
TEST_DATA = REPO / "tests" / "data"


def read_gzipped_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a gzip-compressed CSV under tests/data, as dicts keyed by its header."""
    import csv
    import gzip

    with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def banking77(split: str) -> list[dict[str, str]]:
    """BANKING77's ``train`` or ``test`` split, in file order (``text``, ``category``)."""
    return read_gzipped_csv(TEST_DATA / "banking77" / f"{split}.csv.gz")


@pytest.fixture(autouse=True, scope="session")
def _test_client_peer() -> Iterator[None]:
    """Starlette's TestClient sends its requests from 127.0.0.1 rather than its made-up peer
    "testclient": it stands for a browser on this machine, which is what local mode serves
    (web/login_gate.py). Session-wide, so module-scoped clients get it too."""
    from starlette.testclient import TestClient

    patch = pytest.MonkeyPatch()
    defaults = TestClient.__init__.__defaults__ or ()
    patch.setattr(
        TestClient.__init__,
        "__defaults__",
        tuple(("127.0.0.1", 50000) if d == ("testclient", 50000) else d for d in defaults),
    )
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _test_client_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Starlette's TestClient calls itself 'testserver'; let the web app answer it."""
    monkeypatch.setenv("PRODUCTPATH_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    yield
    # ``productpath serve`` run in-process writes its start-up log-in decision into the
    # environment for its workers; the next test must not inherit it.
    for name in ("PRODUCTPATH_REQUIRE_LOGIN", "PRODUCTPATH_LOGIN_LATCH"):
        os.environ.pop(name, None)


def _postgres_or_skip() -> str:
    reason = None
    if not PG_URL:
        reason = "PostgreSQL not configured: set PRODUCTPATH_TEST_DATABASE_URL"
    else:
        try:
            engine = create_engine(PG_URL)
            with engine.connect():
                pass
            engine.dispose()
        except Exception as exc:  # any connection failure means "no server here"
            reason = f"PostgreSQL at {PG_URL} unreachable: {exc.__class__.__name__}"
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)")
        pytest.skip(reason)
    return PG_URL


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test, already at the schema head; dropped afterwards."""
    url, drop = create_database(_postgres_or_skip())
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database with no tables at all, for tests of migrating itself."""
    url, drop = create_database(_postgres_or_skip(), migrated=False)
    try:
        yield url
    finally:
        drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    # Tests of migrating itself start from no tables; the rest from a migrated copy.
    empty = request.node.get_closest_marker("empty_database") is not None
    url: str = request.getfixturevalue("empty_postgres_url" if empty else "postgres_url")
    return url


@pytest.fixture
def workspace_dir(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str
) -> Iterator[Path]:
    """An initialised workspace folder; PRODUCTPATH_DATABASE_URL is set when it is PostgreSQL."""
    from productpath.services.workspace import init_workspace

    root = tmp_path / "ws"
    url = None if database_url.startswith("sqlite") else database_url
    if url is None and request.node.get_closest_marker("empty_database") is None:
        seed_sqlite_workspace(root)
    init_workspace(root, "Pocket", url)
    mp = pytest.MonkeyPatch()
    mp.setenv("PRODUCTPATH_WORKSPACE", str(root))
    if url is not None:
        mp.setenv("PRODUCTPATH_DATABASE_URL", url)
    else:
        mp.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    try:
        yield root
    finally:
        mp.undo()


@pytest.fixture
def opened(workspace_dir: Path) -> Iterator[object]:
    """The workspace, open (an OpenWorkspace)."""
    from productpath.services.workspace import open_workspace

    with open_workspace() as handle:
        yield handle
