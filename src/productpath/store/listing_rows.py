"""Reads for the listing commands as SQLAlchemy Core selects returning plain rows.

A listing such as ``customers list`` or ``feedback list`` used to spend most of its second
importing SQLAlchemy's ORM and the fifty mapped models, and building ORM objects it read one
attribute of. These queries name only the tables and columns they read (lightweight
``table()`` clauses, checked against the mapped models by tests/test_listing_rows.py), so a
listing imports SQLAlchemy's Core and nothing more. They are the only implementation of these
listings: the web pages and the API call the same functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    Float,
    Integer,
    String,
    Text,
    column,
    func,
    select,
    table,
)
from sqlalchemy.sql.expression import TableClause

from productpath.store.types import UTCDateTime

IN_CHUNK = 500  # ids per IN (...) list: well under every driver's parameter limit


def _table(name: str, *columns: tuple[str, Any]) -> TableClause:
    return table(name, *(column(field, kind) for field, kind in columns))


PRODUCT = _table(
    "product", ("id", Integer()), ("key", String()), ("name", String()), ("description", Text())
)
SEGMENT = _table("segment", ("id", Integer()), ("name", String()))
CUSTOMER = _table(
    "customer",
    ("id", Integer()),
    ("product_id", Integer()),
    ("key", String()),
    ("name", String()),
    ("segment_id", Integer()),
    ("annual_revenue", Float()),
)
FEEDBACK_ITEM = _table(
    "feedback_item",
    ("id", Integer()),
    ("product_id", Integer()),
    ("external_id", String()),
    ("source", String()),
    ("text", Text()),
    ("created_at", UTCDateTime()),
    ("customer_id", Integer()),
)
FEEDBACK_INSIGHT = _table(
    "feedback_insight",
    ("feedback_id", Integer()),
    ("theme_id", Integer()),
    ("sentiment", Float()),
    ("kind", String()),
)
THEME = _table("theme", ("id", Integer()), ("number", Integer()), ("label", String()))
FEEDBACK_LABEL = _table(
    "feedback_label",
    ("feedback_id", Integer()),
    ("kind", String()),
    ("sentiment", Float()),
    ("source", String()),
)
STAKEHOLDER = _table(
    "stakeholder",
    ("id", Integer()),
    ("product_id", Integer()),
    ("key", String()),
    ("name", String()),
    ("role", String()),
    ("organisation", String()),
    ("email", String()),
    ("audience", String()),
    ("power", String()),
    ("interest", String()),
    ("channel", String()),
    ("webhook_url", String()),
    ("cadence", String()),
    ("roadmap_position", Integer()),
)
KPI = _table(
    "kpi",
    ("id", Integer()),
    ("product_id", Integer()),
    ("key", String()),
    ("name", String()),
    ("unit", String()),
    ("higher_is_better", Boolean()),
)
KPI_POINT = _table(
    "kpi_point", ("kpi_id", Integer()), ("day", Date()), ("segment", String()), ("value", Float())
)
# Every table above, for the test that holds them to the mapped models.
TABLES = (
    PRODUCT,
    SEGMENT,
    CUSTOMER,
    FEEDBACK_ITEM,
    FEEDBACK_INSIGHT,
    THEME,
    FEEDBACK_LABEL,
    STAKEHOLDER,
    KPI,
    KPI_POINT,
)

# (id, external id, source, text, created at, customer key, theme number, theme label,
# sentiment, kind): the row ``feedback list`` shows, as store.feedback_repo's FeedbackTuple.
FeedbackTuple = tuple[
    int,
    str,
    str,
    str,
    dt.datetime | None,
    str | None,
    int | None,
    str | None,
    float | None,
    str | None,
]
# (kind, sentiment, who set them: "person" or "file") of one item's label.
LabelTuple = tuple[str | None, float | None, str]


def product_id(conn: Connection, key: str) -> int | None:
    found = conn.execute(select(PRODUCT.c.id).where(PRODUCT.c.key == key)).scalar()
    return None if found is None else int(found)


def product(conn: Connection, key: str) -> tuple[str, str, str] | None:
    """(key, name, description) of the product, as a page or a command header names it."""
    p = PRODUCT.c
    found = conn.execute(select(p.key, p.name, p.description).where(p.key == key)).first()
    return None if found is None else (found[0], found[1], found[2])


# (id, key, name, unit, higher is better) of one KPI.
KpiTuple = tuple[int, str, str, str | None, bool]


def kpis(conn: Connection, product: int) -> dict[str, KpiTuple]:
    """The product's KPIs by key (store.kpi_repo.by_key's read, as plain rows)."""
    k = KPI.c
    stmt = select(k.id, k.key, k.name, k.unit, k.higher_is_better).where(k.product_id == product)
    return {row[1]: (row[0], row[1], row[2], row[3], bool(row[4])) for row in conn.execute(stmt)}


def kpi_segments(conn: Connection, kpi: int) -> list[str]:
    """Every segment the KPI has values for, "" (the whole product) included, sorted."""
    stmt = select(KPI_POINT.c.segment).where(KPI_POINT.c.kpi_id == kpi).distinct()
    return sorted(conn.execute(stmt).scalars())


def kpi_series(
    conn: Connection,
    kpi: int,
    *,
    segment: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[tuple[dt.date, float]]:
    """(day, value) in date order for one segment, within [start, end] when given
    (store.kpi_repo.series's read)."""
    point = KPI_POINT.c
    stmt = select(point.day, point.value).where(point.kpi_id == kpi, point.segment == segment)
    if start is not None:
        stmt = stmt.where(point.day >= start)
    if end is not None:
        stmt = stmt.where(point.day <= end)
    return [(day, value) for day, value in conn.execute(stmt.order_by(point.day))]


def customers(
    conn: Connection, product: int
) -> list[tuple[str, str, str | None, float | None, int]]:
    """(key, name, segment name, annual revenue, feedback count) of every customer, by key."""
    item = FEEDBACK_ITEM.c
    counts = (
        select(item.customer_id, func.count(item.id).label("n"))
        .where(item.product_id == product, item.customer_id.is_not(None))
        .group_by(item.customer_id)
        .subquery()
    )
    c = CUSTOMER.c
    stmt = (
        select(c.key, c.name, SEGMENT.c.name, c.annual_revenue, func.coalesce(counts.c.n, 0))
        .select_from(CUSTOMER)
        .outerjoin(SEGMENT, SEGMENT.c.id == c.segment_id)
        .outerjoin(counts, counts.c.customer_id == c.id)
        .where(c.product_id == product)
        .order_by(c.key)
    )
    return [(r[0], r[1], r[2], r[3], int(r[4])) for r in conn.execute(stmt)]


# (key, name, role, organisation, email, audience, power, interest, channel, webhook URL,
# cadence) of one stakeholder, in the columns' order.
StakeholderTuple = tuple[str, str, str, str, str | None, str, str, str, str, str | None, str]


def stakeholders(conn: Connection, product: int) -> list[StakeholderTuple]:
    """Every stakeholder of the product: roadmap order first, then the ones only the CLI or
    the web added, by key (store.stakeholder_repo.list_all's order)."""
    s = STAKEHOLDER.c
    stmt = (
        select(
            s.key,
            s.name,
            s.role,
            s.organisation,
            s.email,
            s.audience,
            s.power,
            s.interest,
            s.channel,
            s.webhook_url,
            s.cadence,
        )
        .where(s.product_id == product)
        .order_by(s.roadmap_position.is_(None), s.roadmap_position, s.key)
    )
    return [tuple(row) for row in conn.execute(stmt)]


def feedback_items(conn: Connection, product: int, *, limit: int | None) -> list[FeedbackTuple]:
    """FeedbackTuple rows in import order, at most ``limit``."""
    item = FEEDBACK_ITEM.c
    stmt = (
        select(
            item.id,
            item.external_id,
            item.source,
            item.text,
            item.created_at,
            CUSTOMER.c.key,
            THEME.c.number,
            THEME.c.label,
            FEEDBACK_INSIGHT.c.sentiment,
            FEEDBACK_INSIGHT.c.kind,
        )
        .select_from(FEEDBACK_ITEM)
        .outerjoin(CUSTOMER, item.customer_id == CUSTOMER.c.id)
        .outerjoin(FEEDBACK_INSIGHT, FEEDBACK_INSIGHT.c.feedback_id == item.id)
        .outerjoin(THEME, FEEDBACK_INSIGHT.c.theme_id == THEME.c.id)
        .where(item.product_id == product)
        .order_by(item.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [tuple(row) for row in conn.execute(stmt)]


def labels(conn: Connection, ids: Sequence[int]) -> dict[int, LabelTuple]:
    """The labels of these items, by item id."""
    found: dict[int, LabelTuple] = {}
    unique = sorted(set(ids))
    label = FEEDBACK_LABEL.c
    for start in range(0, len(unique), IN_CHUNK):
        stmt = select(label.feedback_id, label.kind, label.sentiment, label.source).where(
            label.feedback_id.in_(unique[start : start + IN_CHUNK])
        )
        for row in conn.execute(stmt):
            found[int(row[0])] = (row[1], row[2], str(row[3]))
    return found
