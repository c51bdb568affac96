"""What scoring reads: each initiative's accepted evidence, the items and customers behind it.

Returns plain records; the arithmetic lives in ``planning.scoring``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from productpath.domain.clock import end_of_today
from productpath.store.db import data_version
from productpath.store.evidence_repo import ACCEPTED
from productpath.store.models import (
    Customer,
    EvidenceLink,
    FeedbackInsight,
    FeedbackItem,
    Initiative,
    InitiativeDependency,
    Theme,
)
from productpath.store.models.base import UTCDateTime


@dataclass(frozen=True)
class ThemeFacts:
    number: int
    label: str
    items: int
    mean_sentiment: float | None


@dataclass
class InitiativeFacts:
    id: int
    key: str
    title: str
    status: str
    estimate: tuple[float, float, float] | None
    themes: list[ThemeFacts] = field(default_factory=list)
    direct_items: int = 0
    # The distinct feedback items behind it (its themes' items and its own), counted in the
    # database: the customers who said them, those with revenue and their revenue, and how
    # many were said in the trend window before the newest item and in the window before that.
    items: int = 0
    customers: int = 0
    customers_with_revenue: int = 0
    revenue: float = 0.0
    recent: int = 0
    prior: int = 0


@dataclass(frozen=True)
class ScoringFacts:
    initiatives: list[InitiativeFacts]
    revenue: dict[int, float]  # customer id -> annual revenue, for customers that have one
    newest: dt.datetime | None  # the newest feedback item of the product
    depends_on: list[tuple[str, str]]  # (initiative key, key of what it depends on)


def scoring_facts(
    session: Session, product_id: int, trend_window: dt.timedelta = dt.timedelta(days=90)
) -> ScoringFacts:
    # The columns scoring reads, as plain rows (no ORM objects: 300 initiatives each page).
    rows = session.execute(
        select(
            Initiative.id,
            Initiative.key,
            Initiative.title,
            Initiative.status,
            Initiative.estimate_optimistic,
            Initiative.estimate_likely,
            Initiative.estimate_pessimistic,
        )
        # Archived initiatives are off the roadmap: not scored, not ranked.
        .where(Initiative.product_id == product_id, Initiative.status != "archived")
        .order_by(Initiative.position, Initiative.id)
    ).all()
    facts = {row.id: _facts(row) for row in rows}
    revenue = {
        customer_id: float(value or 0.0)
        for customer_id, value in session.execute(
            select(Customer.id, Customer.annual_revenue).where(
                Customer.product_id == product_id, Customer.annual_revenue.is_not(None)
            )
        )
    }
    digest = feedback_digest(session, product_id, trend_window)
    newest = digest.newest
    _theme_evidence(session, facts, digest)
    _direct_evidence(session, facts)
    _evidence_counts(session, facts, revenue, digest, trend_window)
    keys = {row.id: row.key for row in rows}
    edges = [
        (keys[a], keys[b])
        for a, b in session.execute(
            select(InitiativeDependency.initiative_id, InitiativeDependency.depends_on_id)
            .where(InitiativeDependency.initiative_id.in_(list(keys)))
            .order_by(InitiativeDependency.position)
        )
        if b in keys
    ]
    return ScoringFacts(list(facts.values()), revenue, newest, edges)


def _facts(row: Any) -> InitiativeFacts:
    estimate = None
    if (
        row.estimate_optimistic is not None
        and row.estimate_likely is not None
        and row.estimate_pessimistic is not None
    ):
        estimate = (row.estimate_optimistic, row.estimate_likely, row.estimate_pessimistic)
    return InitiativeFacts(row.id, row.key, row.title, row.status, estimate)


def _theme_evidence(
    session: Session, facts: dict[int, InitiativeFacts], digest: FeedbackDigest
) -> None:
    links = session.execute(
        select(EvidenceLink.initiative_id, Theme.id, Theme.number, Theme.label)
        .join(Theme, Theme.id == EvidenceLink.theme_id)
        .where(EvidenceLink.initiative_id.in_(list(facts)), EvidenceLink.status == ACCEPTED)
        .order_by(EvidenceLink.position, Theme.number)
    ).all()
    for initiative_id, theme_id, number, label in links:
        count, sentiment = digest.theme_stats.get(theme_id, (0, None))
        facts[initiative_id].themes.append(ThemeFacts(number, label, count, sentiment))


@dataclass(frozen=True)
class FeedbackDigest:
    """What scoring needs from the product's feedback, per theme, whatever links to it."""

    newest: dt.datetime | None
    # theme id -> (items, mean sentiment)
    theme_stats: dict[int, tuple[int, float | None]]
    # theme id -> ([items, recent, prior], ids of the customers who said them)
    per_theme: dict[int, tuple[list[int], frozenset[int]]]


# Digests by (database, product, trend window), each with the data version it was read at and
# when. Reading one costs a pass over every feedback item (a few hundred ms at 100,000 items);
# any committed write moves the data version (store.db), so a digest is read again after any
# change. The age limit bounds what the version could miss (a restore of an older copy).
_DIGESTS: dict[tuple[str, int, dt.timedelta], tuple[int, float, FeedbackDigest]] = {}
_DIGESTS_LOCK = threading.Lock()
DIGEST_MAX_AGE_S = 300.0


def feedback_digest(session: Session, product_id: int, window: dt.timedelta) -> FeedbackDigest:
    """The product's :class:`FeedbackDigest`, from this process's cache when still current."""
    key = (str(session.get_bind().engine.url), product_id, window)
    version = data_version(session)
    now = time.monotonic()
    with _DIGESTS_LOCK:
        cached = _DIGESTS.get(key)
    if cached is not None and cached[0] == version and now - cached[1] < DIGEST_MAX_AGE_S:
        return cached[2]
    digest = _read_digest(session, product_id, window)
    with _DIGESTS_LOCK:
        _DIGESTS[key] = (version, now, digest)
    return digest


def feedback_untouched(session: Session) -> tuple[str, int]:
    """Said last in a write transaction that changed no feedback item, insight, theme or
    customer: the data version before it, its row locked (PostgreSQL; SQLite's writer holds the
    database) so this transaction's commit makes it exactly one more. Hand the result to
    :func:`digests_still_current` once the transaction has committed."""
    from productpath.store.models.state import DataVersion

    found = session.scalar(select(DataVersion.n).where(DataVersion.id == 1).with_for_update())
    return str(session.get_bind().engine.url), int(found or 0)


def digests_still_current(mark: tuple[str, int]) -> None:
    """After the commit of a write that :func:`feedback_untouched` vouched for: the digests read
    at the version before it hold at the version it made (the next read need not pass over every
    feedback item again because an initiative's title changed)."""
    url, before = mark
    with _DIGESTS_LOCK:
        for key, (version, at, digest) in list(_DIGESTS.items()):
            if key[0] == url and version == before:
                _DIGESTS[key] = (before + 1, at, digest)


def _read_digest(session: Session, product_id: int, window: dt.timedelta) -> FeedbackDigest:
    said = func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)
    # The newest item not dated after today: one item dated 2099 by mistake must not move the
    # trend window, as theme trends ignore it too.
    horizon = literal(end_of_today(), UTCDateTime())
    newest = _aware(
        session.scalar(
            select(func.max(said)).where(FeedbackItem.product_id == product_id, said < horizon)
        )
    )
    theme_stats = {
        theme_id: (int(count), float(mean) if mean is not None else None)
        for theme_id, count, mean in session.execute(
            select(
                FeedbackInsight.theme_id,
                func.count(FeedbackInsight.feedback_id),
                func.avg(FeedbackInsight.sentiment),
            )
            .join(Theme, Theme.id == FeedbackInsight.theme_id)
            .where(Theme.product_id == product_id)
            .group_by(FeedbackInsight.theme_id)
        )
    }
    counts: list[Any] = [func.count()]
    if newest is not None:
        # "Said less than a window before the newest item", as _trend has it.
        recent_from = literal(newest - window, UTCDateTime())
        prior_from = literal(newest - 2 * window, UTCDateTime())
        counts += [
            func.sum(case((and_(said > recent_from, said < horizon), 1), else_=0)),
            func.sum(case((and_(said > prior_from, said <= recent_from), 1), else_=0)),
        ]
    sums: dict[int, list[int]] = {}
    said_by: dict[int, set[int]] = {}
    for row in session.execute(
        select(FeedbackInsight.theme_id, FeedbackItem.customer_id, *counts)
        .join(FeedbackItem, FeedbackItem.id == FeedbackInsight.feedback_id)
        .where(FeedbackItem.product_id == product_id, FeedbackInsight.theme_id.is_not(None))
        .group_by(FeedbackInsight.theme_id, FeedbackItem.customer_id)
    ):
        totals = sums.setdefault(row[0], [0, 0, 0])
        customers = said_by.setdefault(row[0], set())
        totals[0] += int(row[2])
        if newest is not None:
            totals[1] += int(row[3] or 0)
            totals[2] += int(row[4] or 0)
        if row[1] is not None:
            customers.add(row[1])
    per_theme = {t: (sums[t], frozenset(said_by[t])) for t in sums}
    return FeedbackDigest(newest, theme_stats, per_theme)


def _direct_evidence(session: Session, facts: dict[int, InitiativeFacts]) -> None:
    for initiative_id, count in session.execute(
        select(EvidenceLink.initiative_id, func.count())
        .join(FeedbackItem, FeedbackItem.id == EvidenceLink.feedback_id)
        .where(EvidenceLink.initiative_id.in_(list(facts)), EvidenceLink.status == ACCEPTED)
        .group_by(EvidenceLink.initiative_id)
    ):
        facts[initiative_id].direct_items = int(count)


def _evidence_counts(
    session: Session,
    facts: dict[int, InitiativeFacts],
    revenue: dict[int, float],
    digest: FeedbackDigest,
    window: dt.timedelta,
) -> None:
    """Items, customers, revenue and trend counts per initiative.

    An item belongs to one theme at most, so the items an initiative reaches through its
    themes are those themes' items added up (from the digest, counted per theme and customer).
    Directly linked items are added unless one of the initiative's themes already holds them.
    Reading every item per initiative instead meant a million rows for 300 initiatives over
    100,000 items.
    """
    ids = list(facts)
    newest = digest.newest
    accepted = (EvidenceLink.initiative_id.in_(ids), EvidenceLink.status == ACCEPTED)
    themes_of: dict[int, set[int]] = {i: set() for i in ids}
    for owner, theme_id in session.execute(
        select(EvidenceLink.initiative_id, EvidenceLink.theme_id).where(
            *accepted, EvidenceLink.theme_id.is_not(None)
        )
    ):
        if theme_id is not None:
            themes_of[owner].add(theme_id)
    said = func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)
    per_theme = digest.per_theme
    direct: dict[int, dict[int, tuple[int | None, dt.datetime | None]]] = {i: {} for i in ids}
    for owner, item_id, customer_id, when, theme_id in session.execute(
        select(
            EvidenceLink.initiative_id,
            FeedbackItem.id,
            FeedbackItem.customer_id,
            said,
            FeedbackInsight.theme_id,
        )
        .join(FeedbackItem, FeedbackItem.id == EvidenceLink.feedback_id)
        .outerjoin(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .where(*accepted)
    ):
        if theme_id is None or theme_id not in themes_of[owner]:
            direct[owner][item_id] = (customer_id, _aware(when))
    for owner, one in facts.items():
        customers: set[int] = set()
        totals = [0, 0, 0]
        for theme_id in themes_of[owner]:
            theme_totals, theme_customers = per_theme.get(theme_id, ([0, 0, 0], frozenset()))
            totals = [a + b for a, b in zip(totals, theme_totals, strict=True)]
            customers |= theme_customers
        for customer_id, date in direct[owner].values():
            totals[0] += 1
            trend = _trend(newest, date, window)
            if trend is not None:
                totals[trend] += 1
            if customer_id is not None:
                customers.add(customer_id)
        paying = customers & revenue.keys()
        one.items, one.recent, one.prior = totals
        one.customers = len(customers)
        one.customers_with_revenue = len(paying)
        one.revenue = sum(revenue[c] for c in paying)


def _trend(
    newest: dt.datetime | None, when: dt.datetime | None, window: dt.timedelta
) -> int | None:
    """1 for an item said in the last window before ``newest``, 2 in the one before, else None."""
    if newest is None or when is None:
        return None
    if when >= end_of_today():
        return None  # dated in the future: left out, as in the digest
    age = newest - when
    return 1 if age < window else 2 if age < 2 * window else None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # coalesce() loses the column type, so SQLite hands back a naive (UTC) datetime or text.
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
