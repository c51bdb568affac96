"""Full-text search: one index over initiatives, objectives, milestones, themes, feedback,
decisions, stakeholders and customers, kept current by triggers in the database

SQLite: FTS5 tables (porter stemming over unicode61 words): ``search_fts_feedback`` for feedback
(rowid = the item's id) and ``search_fts`` for the rest, whose rowid encodes the object as
``object id * 8 + kind number`` (see KINDS). A trigger replaces one object's entry by rowid,
never by scanning. The product is an indexed word (``p<id>``), so a query names it in its
MATCH and the index narrows to it, rather than reading each match's row to compare. Feedback
has a table of its own so that a query over the few hundred roadmap objects never walks the
100,000 items' postings, and the other way round.
PostgreSQL: a table ``search_document`` with a stored ``tsvector`` (title weighted A, body B,
the ``english`` configuration) and two partial GIN indexes on it, feedback and the rest, for the
same reason; a PL/pgSQL trigger per source table upserts or deletes its row.

Triggers rather than the write services: every write (roadmap apply, the web, imports that
insert in bulk with Core statements, backups restored row by row) updates the index in the same
transaction, and no code path can forget to. The index is derived data: it is not in the models
(so not in dumps) and is rebuilt from the source tables here.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# kind -> (number, table, ref, title, body), the last three as SQL over the row (``R.``
# stands for the NEW/OLD row in a trigger and for the table in the backfill). Numbers are
# part of SQLite's rowids: never renumber.
KINDS: dict[str, tuple[int, str, str, str, str]] = {
    "initiative": (
        1,
        "initiative",
        "R.key",
        "R.title",
        "R.key || ' ' || coalesce(R.description, '')",
    ),
    "objective": (
        2,
        "objective",
        "R.key",
        "R.title",
        "R.key || ' ' || coalesce(R.description, '')",
    ),
    "milestone": (3, "milestone", "R.key", "R.name", "R.key || ' ' || coalesce(R.description, '')"),
    "theme": (4, "theme", "CAST(R.number AS TEXT)", "R.label", "coalesce(R.keywords, '')"),
    "feedback": (5, "feedback_item", "CAST(R.id AS TEXT)", "''", "R.text"),
    "decision": (
        6,
        "decision",
        "R.key",
        "R.title",
        "R.key || ' ' || coalesce(R.decision, '') || ' ' || coalesce(R.options, '')"
        " || ' ' || coalesce(R.owner, '')",
    ),
    "stakeholder": (
        7,
        "stakeholder",
        "R.key",
        "R.name",
        "coalesce(R.role, '') || ' ' || coalesce(R.organisation, '')"
        " || ' ' || coalesce(R.email, '')",
    ),
    "customer": (0, "customer", "R.key", "R.name", "R.key"),
}


def _row(expr: str, row: str) -> str:
    return expr.replace("R.", f"{row}.")


FTS_TABLES = ("search_fts", "search_fts_feedback")


def _sqlite_upgrade() -> None:
    for fts in FTS_TABLES:
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5("
            "title, body, product, kind UNINDEXED, ref UNINDEXED, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    for kind, (number, table, ref, title, body) in KINDS.items():
        fts = "search_fts_feedback" if kind == "feedback" else "search_fts"
        rowid = "R.id" if kind == "feedback" else f"R.id * 8 + {number}"
        columns = (rowid, title, body, "'p' || R.product_id", f"'{kind}'", ref)
        into = f"INSERT INTO {fts}(rowid, title, body, product, kind, ref)"

        def values(row: str, columns: tuple[str, ...] = columns) -> str:
            return ", ".join(_row(c, row) for c in columns)

        insert = f"{into} VALUES ({values('NEW')});"
        delete = f"DELETE FROM {fts} WHERE rowid = {_row(rowid, 'OLD')};"
        op.execute(f"CREATE TRIGGER search_{table}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(
            f"CREATE TRIGGER search_{table}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END"
        )
        op.execute(f"CREATE TRIGGER search_{table}_ad AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(f"{into} SELECT {values(table)} FROM {table}")


def _pg_upgrade() -> None:
    op.execute(
        "CREATE TABLE search_document ("
        " kind VARCHAR(16) NOT NULL,"
        " object_id BIGINT NOT NULL,"
        " product_id INTEGER NOT NULL,"
        " ref TEXT NOT NULL,"
        " title TEXT NOT NULL,"
        " body TEXT NOT NULL,"
        " tsv tsvector GENERATED ALWAYS AS ("
        "  setweight(to_tsvector('english', title), 'A') ||"
        "  setweight(to_tsvector('english', body), 'B')) STORED,"
        " PRIMARY KEY (kind, object_id))"
    )
    op.execute(
        "CREATE INDEX ix_search_document_feedback ON search_document USING gin (tsv)"
        " WHERE kind = 'feedback'"
    )
    op.execute(
        "CREATE INDEX ix_search_document_roadmap ON search_document USING gin (tsv)"
        " WHERE kind <> 'feedback'"
    )
    for kind, (_number, table, ref, title, body) in KINDS.items():
        cols = ", ".join(_row(c, "NEW") for c in ("R.id", "R.product_id", ref, title, body))
        op.execute(
            f"CREATE FUNCTION search_sync_{table}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  IF TG_OP = 'DELETE' THEN\n"
            f"    DELETE FROM search_document WHERE kind = '{kind}' AND object_id = OLD.id;\n"
            "    RETURN OLD;\n"
            "  END IF;\n"
            "  INSERT INTO search_document(kind, object_id, product_id, ref, title, body)\n"
            f"  VALUES ('{kind}', {cols})\n"
            "  ON CONFLICT (kind, object_id) DO UPDATE SET product_id = EXCLUDED.product_id,\n"
            "    ref = EXCLUDED.ref, title = EXCLUDED.title, body = EXCLUDED.body;\n"
            "  RETURN NEW;\n"
            "END $$"
        )
        op.execute(
            f"CREATE TRIGGER search_sync AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION search_sync_{table}()"
        )
        backfill = ", ".join(_row(c, table) for c in (ref, title, body))
        op.execute(
            "INSERT INTO search_document(kind, object_id, product_id, ref, title, body) "
            f"SELECT '{kind}', {table}.id, {table}.product_id, {backfill} FROM {table}"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _pg_upgrade()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for _number, table, *_ in KINDS.values():
        if sqlite:
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{suffix}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS search_sync ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS search_sync_{table}()")
    for name in FTS_TABLES if sqlite else ("search_document",):
        op.execute(f"DROP TABLE IF EXISTS {name}")
