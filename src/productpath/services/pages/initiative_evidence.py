"""Read model for the evidence and score on an initiative's page: linked themes with their size
and sentiment, a few quotes, the customers (and revenue) behind them, suggestions waiting for a
person, and the score with each term's source."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from productpath.domain.views import View
from productpath.planning.scoring import Score
from productpath.store.evidence_repo import ACCEPTED, SUGGESTED
from productpath.store.models import (
    Customer,
    EvidenceLink,
    FeedbackInsight,
    FeedbackItem,
    Segment,
    Theme,
)

QUOTES = 5  # quotes shown, most recent first
CUSTOMERS = 10  # customers shown, most revenue first


class LinkedTheme(View):
    number: int
    label: str
    size: int  # feedback items in the theme
    mean_sentiment: float | None
    status: str  # accepted | suggested
    score: float | None  # similarity, for suggestions


class Quote(View):
    source: str
    external_id: str
    text: str
    customer: str | None
    theme: int | None  # the linked theme it belongs to; None: linked by itself


class CustomerBehind(View):
    key: str
    name: str
    segment: str | None
    annual_revenue: float | None
    items: int


class ScoreTerm(View):
    name: str
    value: float | None
    source: str
    origin: str
    overridden: bool


class ScoreInfo(View):
    method: str
    value: float | None
    rank: int
    of: int
    terms: tuple[ScoreTerm, ...]
    warnings: tuple[str, ...]


class Evidence(View):
    themes: tuple[LinkedTheme, ...]  # accepted first, then suggestions
    quotes: tuple[Quote, ...]
    customers: tuple[CustomerBehind, ...]
    customer_count: int
    revenue: float  # annual revenue of every customer behind the evidence
    items: int  # distinct feedback items behind the accepted links


def score_info(score: Score | None, of: int) -> ScoreInfo | None:
    if score is None:
        return None
    return ScoreInfo(
        method=score.method,
        value=score.value,
        rank=score.rank,
        of=of,
        terms=tuple(
            ScoreTerm(
                name=t.name,
                value=t.value,
                source=t.source,
                origin=t.origin,
                overridden=t.overridden,
            )
            for t in score.terms
        ),
        warnings=score.warnings,
    )


def evidence(session: Session, initiative_id: int) -> Evidence:
    themes = _themes(session, initiative_id)
    items = _items(session, initiative_id)
    customers: dict[int, CustomerBehind] = {}
    counts: dict[int, int] = {}
    for _, customer_id, *_ in items:
        if customer_id is not None:
            counts[customer_id] = counts.get(customer_id, 0) + 1
    if counts:
        for customer, segment in session.execute(
            select(Customer, Segment.name)
            .outerjoin(Segment, Segment.id == Customer.segment_id)
            .where(Customer.id.in_(list(counts)))
        ):
            customers[customer.id] = CustomerBehind(
                key=customer.key,
                name=customer.name,
                segment=segment,
                annual_revenue=customer.annual_revenue,
                items=counts[customer.id],
            )
    ranked = sorted(customers.values(), key=lambda c: (-(c.annual_revenue or 0.0), -c.items, c.key))
    names = {cid: c.name for cid, c in customers.items()}
    quotes = tuple(
        Quote(source=s, external_id=e, text=t, customer=names.get(c) if c else None, theme=n)
        for _, c, s, e, t, n, _ in sorted(items, key=lambda r: r[6] or "", reverse=True)[:QUOTES]
    )
    return Evidence(
        themes=themes,
        quotes=quotes,
        customers=tuple(ranked[:CUSTOMERS]),
        customer_count=len(customers),
        revenue=sum(c.annual_revenue or 0.0 for c in customers.values()),
        items=len(items),
    )


def _themes(session: Session, initiative_id: int) -> tuple[LinkedTheme, ...]:
    rows = session.execute(
        select(EvidenceLink.status, EvidenceLink.weight, Theme)
        .join(Theme, Theme.id == EvidenceLink.theme_id)
        .where(EvidenceLink.initiative_id == initiative_id)
        .order_by(EvidenceLink.status, EvidenceLink.position, Theme.number)
    ).all()
    stats = {
        theme_id: (int(n), float(mean) if mean is not None else None)
        for theme_id, n, mean in session.execute(
            select(
                FeedbackInsight.theme_id,
                func.count(FeedbackInsight.feedback_id),
                func.avg(FeedbackInsight.sentiment),
            )
            .where(FeedbackInsight.theme_id.in_([theme.id for _, _, theme in rows]))
            .group_by(FeedbackInsight.theme_id)
        )
    }
    return tuple(
        LinkedTheme(
            number=theme.number,
            label=theme.label,
            size=stats.get(theme.id, (theme.size, None))[0],
            mean_sentiment=stats.get(theme.id, (0, None))[1],
            status=status,
            score=round(weight, 4) if status == SUGGESTED else None,
        )
        for status, weight, theme in rows
    )


def _items(
    session: Session, initiative_id: int
) -> list[tuple[int, int | None, str, str, str, int | None, str | None]]:
    """(id, customer id, source, external id, text, theme number, when) of each distinct item
    behind the accepted links."""
    said = func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)
    columns = (
        FeedbackItem.id,
        FeedbackItem.customer_id,
        FeedbackItem.source,
        FeedbackItem.external_id,
        FeedbackItem.text,
    )
    accepted = (EvidenceLink.initiative_id == initiative_id, EvidenceLink.status == ACCEPTED)
    through_themes = session.execute(
        select(*columns, Theme.number, said)
        .join(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .join(EvidenceLink, EvidenceLink.theme_id == FeedbackInsight.theme_id)
        .join(Theme, Theme.id == FeedbackInsight.theme_id)
        .where(*accepted)
    ).all()
    direct = session.execute(
        select(*columns, said)
        .join(EvidenceLink, EvidenceLink.feedback_id == FeedbackItem.id)
        .where(*accepted)
    ).all()
    found: dict[int, tuple[int, int | None, str, str, str, int | None, str | None]] = {}
    for i, c, s, e, t, when in direct:
        found[i] = (i, c, s, e, t, None, str(when) if when else None)
    for i, c, s, e, t, n, when in through_themes:
        found[i] = (i, c, s, e, t, n, str(when) if when else None)
    return list(found.values())
