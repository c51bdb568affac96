"""Scoring reads the feedback per theme once and keeps it (store.scoring_repo.feedback_digest):
new feedback and a new insights run must show in the next score at once (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from planning_fixtures import NOW, seeded
from productpath.services.scoring import ranked_initiatives
from productpath.store.models import (
    Customer,
    FeedbackInsight,
    FeedbackItem,
    InsightRun,
    Product,
    Theme,
)


def _reach(handle: Any) -> float | None:
    top = next(s for s in ranked_initiatives(handle) if s.key == "topup-retry")
    return top.term("reach").value


def test_new_feedback_and_a_new_insights_run_change_the_next_score(
    opened: Any, tmp_path: Path
) -> None:
    seeded(opened, tmp_path)
    # Theme #3: customers big, mid and small.
    assert _reach(opened) == 3
    assert _reach(opened) == 3  # the second read comes from the digest
    with opened.store.write() as session:
        pid = session.scalar(select(Product.id).where(Product.key == "pocket"))
        theme_id = session.scalar(select(Theme.id).where(Theme.number == 3))
        newco = Customer(product_id=pid, key="newco", name="Newco", annual_revenue=50.0)
        session.add(newco)
        session.flush()
        item = FeedbackItem(
            product_id=pid,
            source="app",
            external_id="3-new",
            text="top up declined",
            created_at=NOW - dt.timedelta(days=1),
            customer_id=newco.id,
        )
        session.add(item)
        session.flush()
        session.add(FeedbackInsight(feedback_id=item.id, theme_id=theme_id, text_hash="n"))
    assert _reach(opened) == 4

    # An insights run that moves newco's item out of the theme: the run row tells the digest.
    with opened.store.write() as session:
        session.execute(
            update(FeedbackInsight)
            .where(FeedbackInsight.feedback_id == item.id)
            .values(theme_id=None)
        )
        session.add(InsightRun(product_id=pid, embedder="hashing", items=19))
    assert _reach(opened) == 3


def test_an_item_dated_in_the_future_does_not_move_the_trend_window(
    opened: Any, tmp_path: Path
) -> None:
    from productpath.store.scoring_repo import scoring_facts

    seeded(opened, tmp_path)

    def topup() -> tuple[int, int, int, dt.datetime | None]:
        with opened.store.read() as session:
            pid = session.scalar(select(Product.id).where(Product.key == "pocket"))
            facts = scoring_facts(session, pid or 0)
        one = next(f for f in facts.initiatives if f.key == "topup-retry")
        return one.items, one.recent, one.prior, facts.newest

    items, recent, prior, newest = topup()
    with opened.store.write() as session:
        pid = session.scalar(select(Product.id).where(Product.key == "pocket"))
        theme_id = session.scalar(select(Theme.id).where(Theme.number == 3))
        typo = FeedbackItem(
            product_id=pid,
            source="app",
            external_id="3-typo",
            text="top up declined",
            created_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        )
        session.add(typo)
        session.flush()
        session.add(FeedbackInsight(feedback_id=typo.id, theme_id=theme_id, text_hash="t"))
    # Counted as evidence, but neither recent nor the anchor of "recent".
    assert topup() == (items + 1, recent, prior, newest)
