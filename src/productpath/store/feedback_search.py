"""Search and filter feedback for the explorer: one page of rows, a count, and the choices the
filter form offers.

Kept cheap on 100,000 items: each filter is a plain comparison on a column or a join by primary
key; the count stops at ``count_limit`` (a page says "more than 1,000" rather than counting
every match on every request). The text search is a case-insensitive substring: ``ILIKE`` on
PostgreSQL, ``LIKE`` on SQLite (which ignores the case of ASCII letters; SQLite without ICU
folds no other letters, with ``LIKE`` or ``lower()`` alike).

Two ways to find a page, chosen by the caller from the count (see ``walk``): walking the
``(product_id, created_at)`` index newest first until the page is full is instant when matches
are common, but reads the whole table in index order (random reads) when they are rare; a scan
in storage order plus a top-N sort costs the same few tens of milliseconds whatever matches.
PostgreSQL's planner makes that choice itself from its statistics. SQLite has none (until
someone runs ANALYZE) and always walks the index, so there the scan is asked for by comparing
``product_id + 0``, an expression no index serves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from productpath.store.models import Customer, FeedbackInsight, FeedbackItem, Segment, Theme
from productpath.store.version_memo import remembered_in

# VADER's usual cut-offs: a compound score within 0.05 of zero reads as neutral.
NEUTRAL_BAND = 0.05
STREAM_CHUNK = 1000


@dataclass(frozen=True)
class SearchFilter:
    """Which items to show; every field left None filters nothing."""

    q: str | None = None
    theme_id: int | None = None  # the theme's primary key (resolved from its number)
    kind: str | None = None
    sentiment: str | None = None  # neg | neutral | pos
    segment_id: int | None = None
    source: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    # A sentiment range (inclusive), for the JSON API; ``sentiment`` above is the explorer's.
    sentiment_min: float | None = None
    sentiment_max: float | None = None


@dataclass(frozen=True)
class FoundItem:
    id: int
    source: str
    external_id: str
    text: str
    created_at: dt.datetime | None
    customer_key: str | None
    customer_name: str | None
    segment: str | None
    theme_number: int | None
    theme_label: str | None
    sentiment: float | None
    kind: str | None


def _like_pattern(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(product_id: int, f: SearchFilter, *, sqlite: bool, walk: bool) -> list[Any]:
    if sqlite and not walk:
        where: list[Any] = [FeedbackItem.product_id + 0 == product_id]
    else:
        where = [FeedbackItem.product_id == product_id]
    if f.q:
        pattern = _like_pattern(f.q)
        text = FeedbackItem.text
        where.append(
            text.like(pattern, escape="\\") if sqlite else text.ilike(pattern, escape="\\")
        )
    if f.source is not None:
        where.append(FeedbackItem.source == f.source)
    if f.since is not None:
        where.append(FeedbackItem.created_at >= _day_start(f.since))
    if f.until is not None:
        where.append(FeedbackItem.created_at < _day_start(f.until + dt.timedelta(days=1)))
    if f.theme_id is not None:
        where.append(FeedbackInsight.theme_id == f.theme_id)
    if f.kind is not None:
        where.append(FeedbackInsight.kind == f.kind)
    if f.sentiment == "neg":
        where.append(FeedbackInsight.sentiment < -NEUTRAL_BAND)
    elif f.sentiment == "pos":
        where.append(FeedbackInsight.sentiment > NEUTRAL_BAND)
    elif f.sentiment == "neutral":
        where.append(FeedbackInsight.sentiment.between(-NEUTRAL_BAND, NEUTRAL_BAND))
    if f.sentiment_min is not None:
        where.append(FeedbackInsight.sentiment >= f.sentiment_min)
    if f.sentiment_max is not None:
        where.append(FeedbackInsight.sentiment <= f.sentiment_max)
    if f.segment_id is not None:
        where.append(Customer.segment_id == f.segment_id)
    return where


def _needs_insight(f: SearchFilter) -> bool:
    return (
        f.theme_id is not None
        or f.kind is not None
        or f.sentiment is not None
        or f.sentiment_min is not None
        or f.sentiment_max is not None
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


# Customer, Segment and Theme columns are typed as not null, but the outer joins make them
# None for an item without a customer, segment or theme.
_Row = Select[
    int,
    str,
    str,
    str,
    dt.datetime | None,
    str,
    str,
    str,
    int,
    str,
    float | None,
    str | None,
]


def _rows(product_id: int, f: SearchFilter, *, sqlite: bool, walk: bool) -> _Row:
    return (
        select(
            FeedbackItem.id,
            FeedbackItem.source,
            FeedbackItem.external_id,
            FeedbackItem.text,
            FeedbackItem.created_at,
            Customer.key,
            Customer.name,
            Segment.name,
            Theme.number,
            Theme.label,
            FeedbackInsight.sentiment,
            FeedbackInsight.kind,
        )
        .outerjoin(Customer, FeedbackItem.customer_id == Customer.id)
        .outerjoin(Segment, Customer.segment_id == Segment.id)
        .outerjoin(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .outerjoin(Theme, FeedbackInsight.theme_id == Theme.id)
        .where(and_(*_conditions(product_id, f, sqlite=sqlite, walk=walk)))
        # Newest first, id breaking ties so pages never overlap: the (product_id, created_at)
        # index read backwards (on SQLite it ends with the rowid, which is the id). Undated
        # items come where each database puts NULL in a descending order: last on SQLite,
        # first on PostgreSQL. Asking PostgreSQL for NULLS LAST would sort every match
        # (60-200 ms on 100,000 items) instead of reading the index.
        .order_by(FeedbackItem.created_at.desc(), FeedbackItem.id.desc())
    )


def _walk(offset: int, limit: int, matches: int, items: int, *, budget: int = 20_000) -> bool:
    """Whether walking the date index is the cheaper way to a page: when the rows it is
    expected to read before the page is full, ``(offset + limit) * items / matches``, stay
    within ``budget``. ``matches`` may be a capped count: capping only makes matches look
    rarer, so the choice errs towards the scan, which is never slow."""
    if matches <= 0:
        return False
    return (offset + limit) * items <= budget * matches


def page(
    session: Session,
    product_id: int,
    f: SearchFilter,
    *,
    offset: int,
    limit: int,
    matches: int | None = None,
) -> list[FoundItem]:
    """``limit`` matching items from ``offset`` on, newest first.

    ``matches``, the (capped) count of matching items, lets SQLite choose between walking the
    date index and scanning (see the module); without it the index is walked.
    """
    sqlite = _is_sqlite(session)
    walk = True
    if sqlite and matches is not None:
        walk = _walk(offset, limit, matches, total(session, product_id))
    stmt = _rows(product_id, f, sqlite=sqlite, walk=walk)
    return [FoundItem(*row) for row in session.execute(stmt.offset(offset).limit(limit))]


def total(session: Session, product_id: int) -> int:
    """Every feedback item of the product (read from the product index alone); remembered
    while the data version stays put (store/version_memo.py)."""
    stmt = select(func.count()).where(FeedbackItem.product_id == product_id)
    return remembered_in(session, ("feedback total", product_id), lambda: session.scalar(stmt) or 0)


def item(session: Session, product_id: int, item_id: int) -> FoundItem | None:
    """One item of the product by id, as a page shows it (for the JSON API)."""
    row = session.execute(
        _rows(product_id, SearchFilter(), sqlite=_is_sqlite(session), walk=True).where(
            FeedbackItem.id == item_id
        )
    ).first()
    return FoundItem(*row) if row is not None else None


def count(session: Session, product_id: int, f: SearchFilter, *, count_limit: int) -> int:
    """How many items match, counted up to ``count_limit + 1`` (so "more than" can be said);
    a scan in storage order, since every row is read anyway when matches are rare."""
    inner = select(FeedbackItem.id)
    if _needs_insight(f):
        inner = inner.join(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
    if f.segment_id is not None:
        inner = inner.join(Customer, FeedbackItem.customer_id == Customer.id)
    where = _conditions(product_id, f, sqlite=_is_sqlite(session), walk=False)
    inner = inner.where(and_(*where)).limit(count_limit + 1)
    stmt = select(func.count()).select_from(inner.subquery())
    # Every matching row is read to count them: remembered while nothing is written.
    return remembered_in(
        session,
        ("feedback count", product_id, f, count_limit),
        lambda: session.scalar(stmt) or 0,
    )


def stream(session: Session, product_id: int, f: SearchFilter) -> Iterator[FoundItem]:
    """Every matching item, in page order, fetched a chunk at a time (for the CSV export)."""
    stmt = _rows(product_id, f, sqlite=_is_sqlite(session), walk=False)
    result = session.execute(stmt.execution_options(yield_per=STREAM_CHUNK))
    for row in result:
        yield FoundItem(*row)


def theme_choices(session: Session, product_id: int) -> list[tuple[int, int, str]]:
    """(id, number, label) of the product's active themes, by number."""
    rows = session.execute(
        select(Theme.id, Theme.number, Theme.label)
        .where(Theme.product_id == product_id, Theme.active.is_(True))
        .order_by(Theme.number)
    )
    return [(i, n, label) for i, n, label in rows]


def segment_choices(session: Session, product_id: int) -> list[tuple[int, str, str]]:
    """(id, key, name) of the product's segments, by name."""
    rows = session.execute(
        select(Segment.id, Segment.key, Segment.name)
        .where(Segment.product_id == product_id)
        .order_by(Segment.name, Segment.key)
    )
    return [(i, k, n) for i, k, n in rows]


def source_choices(session: Session, product_id: int) -> list[str]:
    """The distinct sources (read from the unique index that starts with product and source,
    which still walks every item: remembered while the data version stays put)."""
    stmt = (
        select(FeedbackItem.source)
        .where(FeedbackItem.product_id == product_id)
        .group_by(FeedbackItem.source)
        .order_by(FeedbackItem.source)
    )
    found = remembered_in(
        session, ("feedback sources", product_id), lambda: tuple(session.scalars(stmt))
    )
    return list(found)
