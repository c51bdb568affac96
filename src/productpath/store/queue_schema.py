"""The job queue's own tables on PostgreSQL (procrastinate's schema), beside ours.

procrastinate ships its schema as one SQL file; migration 0019 applies it, so ``productpath db
upgrade`` (and every command that migrates) sets a team database up for ``productpath worker``.
Its tables, types and functions all start with ``procrastinate``; they are not in our models
(the queue library owns them), so schema comparisons and dumps leave them out by that prefix.
SQLite workspaces run jobs in-process and have none of it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

PREFIX = "procrastinate"


def is_queue_object(name: str) -> bool:
    return name.startswith(PREFIX)


def apply(conn: Connection) -> None:
    """Create the queue's tables, types, functions and triggers (PostgreSQL only)."""
    from procrastinate.schema import SchemaManager

    if conn.dialect.name != "postgresql":
        return
    exists = conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
    if exists is not None:
        return
    # psycopg runs the file as one simple query (no parameters, so '%' needs no escaping).
    conn.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def drop(conn: Connection) -> None:
    """Remove everything :func:`apply` created."""
    if conn.dialect.name != "postgresql":
        return
    tables = conn.execute(
        text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename LIKE 'procrastinate%'"
        )
    ).scalars()
    for name in list(tables):
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    functions = conn.execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
            "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() "
            "AND p.proname LIKE 'procrastinate%'"
        )
    ).scalars()
    for signature in list(functions):
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    types = conn.execute(
        text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%' "
            "AND t.typtype IN ('e', 'c')"
        )
    ).scalars()
    for name in list(types):
        conn.exec_driver_sql(f'DROP TYPE IF EXISTS "{name}" CASCADE')
