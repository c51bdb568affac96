"""What scoring reads: each initiative's accepted evidence, the items and customers behind it.

Returns plain records; the arithmetic lives in ``planning.scoring``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
    # feedback item id -> (customer id, when it was said)
    items: dict[int, tuple[int | None, dt.datetime | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoringFacts:
    initiatives: list[InitiativeFacts]
    revenue: dict[int, float]  # customer id -> annual revenue, for customers that have one
    newest: dt.datetime | None  # the newest feedback item of the product
    depends_on: list[tuple[str, str]]  # (initiative key, key of what it depends on)


def scoring_facts(session: Session, product_id: int) -> ScoringFacts:
    rows = list(
        session.scalars(
            select(Initiative)
            .where(Initiative.product_id == product_id)
            .order_by(Initiative.position, Initiative.id)
        )
    )
    facts = {row.id: _facts(row) for row in rows}
    _theme_evidence(session, facts)
    _direct_evidence(session, facts)
    revenue = {
        customer_id: float(value or 0.0)
        for customer_id, value in session.execute(
            select(Customer.id, Customer.annual_revenue).where(
                Customer.product_id == product_id, Customer.annual_revenue.is_not(None)
            )
        )
    }
    said = func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)
    newest = session.scalar(select(func.max(said)).where(FeedbackItem.product_id == product_id))
    keys = {row.id: row.key for row in rows}
    edges = [
        (keys[a], keys[b])
        for a, b in session.execute(
            select(InitiativeDependency.initiative_id, InitiativeDependency.depends_on_id)
            .where(InitiativeDependency.initiative_id.in_(list(keys)))
            .order_by(InitiativeDependency.position)
        )
    ]
    return ScoringFacts(list(facts.values()), revenue, _aware(newest), edges)


def _facts(row: Initiative) -> InitiativeFacts:
    estimate = None
    if (
        row.estimate_optimistic is not None
        and row.estimate_likely is not None
        and row.estimate_pessimistic is not None
    ):
        estimate = (row.estimate_optimistic, row.estimate_likely, row.estimate_pessimistic)
    return InitiativeFacts(row.id, row.key, row.title, row.status, estimate)


def _theme_evidence(session: Session, facts: dict[int, InitiativeFacts]) -> None:
    links = session.execute(
        select(EvidenceLink.initiative_id, Theme.id, Theme.number, Theme.label)
        .join(Theme, Theme.id == EvidenceLink.theme_id)
        .where(EvidenceLink.initiative_id.in_(list(facts)), EvidenceLink.status == ACCEPTED)
        .order_by(EvidenceLink.position, Theme.number)
    ).all()
    theme_ids = sorted({theme_id for _, theme_id, _, _ in links})
    stats = _theme_stats(session, theme_ids)
    for initiative_id, theme_id, number, label in links:
        count, sentiment = stats.get(theme_id, (0, None))
        facts[initiative_id].themes.append(ThemeFacts(number, label, count, sentiment))
    said = func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)
    for initiative_id, item_id, customer_id, when in session.execute(
        select(EvidenceLink.initiative_id, FeedbackItem.id, FeedbackItem.customer_id, said)
        .join(FeedbackInsight, FeedbackInsight.theme_id == EvidenceLink.theme_id)
        .join(FeedbackItem, FeedbackItem.id == FeedbackInsight.feedback_id)
        .where(EvidenceLink.initiative_id.in_(list(facts)), EvidenceLink.status == ACCEPTED)
    ):
        facts[initiative_id].items[item_id] = (customer_id, _aware(when))


def _theme_stats(session: Session, theme_ids: Iterable[int]) -> dict[int, tuple[int, float | None]]:
    return {
        theme_id: (int(count), float(mean) if mean is not None else None)
        for theme_id, count, mean in session.execute(
            select(
                FeedbackInsight.theme_id,
                func.count(FeedbackInsight.feedback_id),
                func.avg(FeedbackInsight.sentiment),
            )
            .where(FeedbackInsight.theme_id.in_(list(theme_ids)))
            .group_by(FeedbackInsight.theme_id)
        )
    }


def _direct_evidence(session: Session, facts: dict[int, InitiativeFacts]) -> None:
    said = func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)
    for initiative_id, item_id, customer_id, when in session.execute(
        select(EvidenceLink.initiative_id, FeedbackItem.id, FeedbackItem.customer_id, said)
        .join(FeedbackItem, FeedbackItem.id == EvidenceLink.feedback_id)
        .where(EvidenceLink.initiative_id.in_(list(facts)), EvidenceLink.status == ACCEPTED)
    ):
        facts[initiative_id].direct_items += 1
        facts[initiative_id].items[item_id] = (customer_id, _aware(when))


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # coalesce() loses the column type, so SQLite hands back a naive (UTC) datetime or text.
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
