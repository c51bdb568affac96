"""A feedback import staged in a temporary table, then published in one short transaction.

Reading, checking and redacting a large file takes most of an import's time. Done inside the
write transaction, it held SQLite's single write lock for all of it (half a minute for 600,000
rows), and every other writer — a second import, a comment posted on the web — waited past its
busy timeout and failed with "database is locked".

So an import stages its rows, a batch at a time, in a TEMPORARY table of its own connection:
writing there takes no lock on the database (SQLite keeps temporary tables apart; on
PostgreSQL they are private to the session). Then :func:`publish` moves them into
``feedback_item`` with a few set-based statements in one write transaction, seconds even for a
large file. The file is still all or nothing: until that transaction commits nobody sees a row,
and a process killed at any moment leaves nothing behind (the temporary table dies with its
connection), so running the import again does the whole of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from productpath.store import customer_repo
from productpath.store.models import Customer, FeedbackItem

_METADATA = MetaData()  # apart from the models': migrations and exports never see it
STAGED = Table(
    "feedback_import_staged",
    _METADATA,
    Column("position", Integer, primary_key=True),  # the row's place in the file
    Column("external_id", String(200)),
    Column("text", Text, nullable=False),
    Column("created_at", FeedbackItem.__table__.c.created_at.type),
    Column("customer_key", String(200)),
    Column("labelled_kind", FeedbackItem.__table__.c.labelled_kind.type),
    Column("details", Text),
    # Set for a stored item whose text is replaced by its redacted form; None for a new item.
    Column("item_id", Integer),
    prefixes=["TEMPORARY"],
)


def create(conn: Connection) -> None:
    """The staging table, empty, on ``conn`` (temporary: only this connection sees it)."""
    with conn.begin():
        STAGED.drop(conn, checkfirst=True)
        STAGED.create(conn)


def stage(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Add a batch of rows (``position``, ``external_id``, ``text``, ``created_at``,
    ``customer_key``, ``labelled_kind``, ``details``, ``item_id``); a short transaction that
    locks nothing shared."""
    if rows:
        with conn.begin():
            conn.execute(insert(STAGED), list(rows))


def publish(session: Session, product_id: int, source: str, imported_at: dt.datetime) -> int:
    """Move the staged rows into ``feedback_item`` inside ``session``'s write transaction;
    returns how many items were added (texts updated are counted while staging).

    An item another import stored meanwhile under the same source and external id is left as
    it is (the file's row counts as unchanged), so two imports of one file never collide.
    """
    new = STAGED.c.item_id.is_(None)
    keys = set(session.scalars(select(STAGED.c.customer_key).where(new).distinct()).all()) - {None}
    known = (
        set(
            session.scalars(
                select(Customer.key).where(
                    Customer.product_id == product_id, Customer.key.in_(keys)
                )
            )
        )
        if keys
        else set()
    )
    if keys - known:
        customer_repo.create_named_by_key(session, product_id, sorted(k for k in keys - known if k))
    stored = exists().where(
        FeedbackItem.product_id == product_id,
        FeedbackItem.source == source,
        FeedbackItem.external_id == STAGED.c.external_id,
    )
    rows = (
        select(
            literal(product_id),
            literal(source),
            STAGED.c.external_id,
            STAGED.c.text,
            STAGED.c.created_at,
            Customer.id,
            STAGED.c.labelled_kind,
            STAGED.c.details,
            literal(imported_at, FeedbackItem.__table__.c.imported_at.type),
        )
        .select_from(STAGED)
        .outerjoin(
            Customer,
            and_(Customer.product_id == product_id, Customer.key == STAGED.c.customer_key),
        )
        .where(new, ~stored)
        .order_by(STAGED.c.position)
    )
    columns = [
        "product_id",
        "source",
        "external_id",
        "text",
        "created_at",
        "customer_id",
        "labelled_kind",
        "details",
    ]
    # Counted rather than taken from the driver's row count, which psycopg leaves at -1 for an
    # INSERT ... SELECT.
    before = _count(session, product_id, source)
    session.execute(insert(FeedbackItem).from_select([*columns, "imported_at"], rows))
    added = _count(session, product_id, source) - before
    replaced = select(STAGED.c.text).where(STAGED.c.item_id == FeedbackItem.id).scalar_subquery()
    session.execute(
        update(FeedbackItem)
        .where(FeedbackItem.id.in_(select(STAGED.c.item_id).where(~new)))
        .values(text=replaced)
        .execution_options(synchronize_session=False)
    )
    return added


def _count(session: Session, product_id: int, source: str) -> int:
    stmt = select(func.count(FeedbackItem.id)).where(
        FeedbackItem.product_id == product_id, FeedbackItem.source == source
    )
    return session.scalar(stmt) or 0
