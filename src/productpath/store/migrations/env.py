"""Alembic environment: the engine comes from productpath, never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, text

from productpath.store.db import for_writing
from productpath.store.models import Base

# Any constant works; it only has to be the same for every productpath process.
_PG_MIGRATION_LOCK = 7_351_001

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through productpath.store.migrate")

# Two processes opening a fresh workspace at once must not both migrate it: each takes the
# database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock) before Alembic
# reads the current revision, so the second one finds the work done.
with for_writing(engine).connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        context.run_migrations()
    connection.commit()
