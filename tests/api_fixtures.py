"""A workspace for the JSON API tests: web_fixtures.seed plus what the API also serves (a
public initiative, a theme with readings, a KPI with points)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from db_templates import create_database, seed_sqlite_workspace
from productpath.services.workspace import OpenWorkspace, init_workspace, open_workspace
from productpath.settings import Settings
from productpath.store.models import (
    FeedbackInsight,
    FeedbackItem,
    Initiative,
    Kpi,
    KpiPoint,
    Product,
    Theme,
)
from productpath.web import create_app
from web_fixtures import seed

PG_URL = os.environ.get("PRODUCTPATH_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def seed_api(handle: OpenWorkspace) -> None:
    """web_fixtures.seed, then: dark-mode is public; theme #1 "card controls" holds the
    zendesk item "Card lost" (a negative bug report); KPI "activation" has 20 daily points."""
    seed(handle)
    with handle.store.write() as s:
        pid = s.scalars(select(Product.id).where(Product.key == handle.workspace.product)).one()
        s.execute(
            update(Initiative)
            .where(Initiative.product_id == pid, Initiative.key == "dark-mode")
            .values(public=True)
        )
        theme = Theme(product_id=pid, number=1, label="card controls", keywords='["card"]', size=1)
        s.add(theme)
        s.flush()
        lost = s.scalars(
            select(FeedbackItem).where(
                FeedbackItem.product_id == pid, FeedbackItem.text == "Card lost"
            )
        ).one()
        love = s.scalars(
            select(FeedbackItem).where(
                FeedbackItem.product_id == pid, FeedbackItem.text == "Love it"
            )
        ).one()
        s.add_all(
            [
                FeedbackInsight(
                    feedback_id=lost.id,
                    theme_id=theme.id,
                    sentiment=-0.4,
                    kind="bug",
                    text_hash="lost",
                ),
                FeedbackInsight(
                    feedback_id=love.id, sentiment=0.8, kind="praise", text_hash="love"
                ),
            ]
        )
        kpi = Kpi(product_id=pid, key="activation", name="Activation", unit="%")
        s.add(kpi)
        s.flush()
        start = dt.date(2030, 1, 1)
        s.add_all(
            KpiPoint(
                kpi_id=kpi.id,
                day=start + dt.timedelta(days=i),
                value=40.0 + i % 5,
                source="test",
                external_id=str(i),
            )
            for i in range(20)
        )


@contextmanager
def api_client() -> Iterator[TestClient]:
    """The app on the workspace the environment points at (see conftest's workspace_dir),
    seeded by :func:`seed_api`, its lifespan running."""
    with open_workspace() as handle:
        seed_api(handle)
    with TestClient(create_app(Settings())) as client:
        yield client


@contextmanager
def shared_api_client(kind: str, root: Path) -> Iterator[TestClient]:
    """Like :func:`api_client`, on a workspace of its own at ``root`` (SQLite, or a PostgreSQL
    database made for it and dropped after) for fixtures wider than one test, which
    conftest's per-test ``database_url`` cannot serve. Tests sharing it must not write."""
    url, drop = _database(kind)
    mp = pytest.MonkeyPatch()
    mp.setenv("PRODUCTPATH_WORKSPACE", str(root))
    mp.setenv("PRODUCTPATH_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
    if url is not None:
        mp.setenv("PRODUCTPATH_DATABASE_URL", url)
    else:
        mp.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    try:
        if url is None:
            seed_sqlite_workspace(root)
        init_workspace(root, "Pocket", url)
        with api_client() as client:
            yield client
    finally:
        mp.undo()
        drop()


def _database(kind: str) -> tuple[str | None, Callable[[], None]]:
    """(PRODUCTPATH_DATABASE_URL, or None for SQLite; a function that drops the database)."""
    if kind == "sqlite":
        return None, lambda: None
    if not PG_URL:
        if IN_CI:
            pytest.fail("PostgreSQL not configured (CI must run the PostgreSQL tests)")
        pytest.skip("PostgreSQL not configured: set PRODUCTPATH_TEST_DATABASE_URL")
    try:
        return create_database(PG_URL, "pp_api")
    except OperationalError as exc:
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL at {PG_URL} unreachable: {exc.__class__.__name__}")


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


# Imported by the API test modules under these names; the tests ask for ``shared`` and ``api``.
@pytest.fixture(name="shared", scope="module", params=DATABASES)
def shared_fixture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One seeded app per database for the tests that only read (or are refused)."""
    with shared_api_client(request.param, tmp_path_factory.mktemp("api") / "ws") as client:
        yield client


@pytest.fixture(name="api")
def api_fixture(workspace_dir: Path) -> Iterator[TestClient]:
    """A fresh seeded app (in conftest's workspace), for tests that write."""
    with api_client() as client:
        yield client
