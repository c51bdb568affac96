"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from productpath.store import migrate, queue_schema, search_repo
from productpath.store.db import make_engine
from productpath.store.models import Base

# Each test migrates a database itself, from nothing or an older revision.
pytestmark = pytest.mark.empty_database


def test_migrations_match_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            # The search index (migration 0011) is kept by triggers, outside the models.
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    # The job queue's schema (migration 0019) belongs to procrastinate.
                    "include_name": lambda name, kind, _parents: (
                        not (kind == "table" and search_repo.is_index_table(name or ""))
                        and queue_schema.PREFIX not in (name or "")
                    ),
                },
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_upgrade_keeps_existing_rows(database_url: str) -> None:
    from sqlalchemy import text

    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0001")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO product (key, name, description, created_at, updated_at) "
                    "VALUES ('p', 'P', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO initiative (product_id, key, title, description, status, "
                    "themes, position, created_at, updated_at) SELECT id, 'i', 'I', '', "
                    "'planned', '', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM product"
                )
            )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            row = conn.execute(text("SELECT key, work_epics FROM initiative")).one()
        assert tuple(row) == ("i", "")
    finally:
        engine.dispose()
