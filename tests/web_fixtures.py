"""Seed a workspace's database with a small, known roadmap and feedback, row by row.

The web tests import this (``from web_fixtures import seed``); it writes store rows directly so
the pages can be tested without the roadmap-apply or import services.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from productpath.services.workspace import OpenWorkspace
from productpath.store.models import (
    Customer,
    FeedbackItem,
    Initiative,
    InitiativeDependency,
    KeyResult,
    Milestone,
    Objective,
    Product,
    Team,
)


def seed(handle: OpenWorkspace, *, now: dt.datetime | None = None) -> None:
    """Objectives, teams, two milestones, five initiatives (one per status), feedback.

    Feedback is dated relative to ``now`` (default: the current time), well clear of the
    30-day boundary: 2, 5 and 29 days ago count as recent, 60 days ago does not.
    """
    now = now or dt.datetime.now(dt.UTC)
    with handle.store.write() as s:
        product = s.scalars(select(Product).where(Product.key == handle.workspace.product)).one()
        pid = product.id
        product.description = "Payments in your pocket."
        growth = Objective(product_id=pid, key="O1", title="Grow activation", position=0)
        growth.key_results = [
            KeyResult(key="KR1", title="Activation rate", target=45, unit="%", position=0),
            KeyResult(key="KR2", title="Time to first payment", position=1),
        ]
        churn = Objective(product_id=pid, key="O2", title="Reduce churn", position=1)
        payments = Team(product_id=pid, key="payments", name="Payments", capacity_per_week=3)
        onboarding_team = Team(product_id=pid, key="growth", name="Growth", capacity_per_week=2)
        # Written out of date order, to check that views sort by target date.
        ga = Milestone(
            product_id=pid,
            key="ga",
            name="General availability",
            target_date=dt.date(2030, 6, 30),
            position=0,
        )
        beta = Milestone(
            product_id=pid,
            key="beta",
            name="Public beta",
            target_date=dt.date(2030, 3, 31),
            position=1,
        )
        s.add_all([growth, churn, payments, onboarding_team, ga, beta])
        s.flush()

        def initiative(
            key: str, title: str, status: str, position: int, **links: object
        ) -> Initiative:
            row = Initiative(
                product_id=pid, key=key, title=title, status=status, position=position, **links
            )
            s.add(row)
            return row

        onboarding = initiative(
            "onboarding",
            "Guided onboarding",
            "in_progress",
            0,
            objective=growth,
            team=onboarding_team,
            milestone=beta,
            estimate_optimistic=2,
            estimate_likely=3,
            estimate_pessimistic=5.5,
        )
        transfers = initiative(
            "instant-transfers",
            "Instant transfers",
            "planned",
            1,
            objective=growth,
            team=payments,
            milestone=ga,
            estimate_optimistic=4,
            estimate_likely=6,
            estimate_pessimistic=10,
        )
        freeze = initiative(
            "card-freeze",
            "Freeze a lost card",
            "done",
            2,
            objective=churn,
            team=payments,
            milestone=beta,
        )
        initiative("dark-mode", "Dark mode", "proposed", 3)
        initiative("crypto", "Crypto wallet", "dropped", 4, team=payments)
        s.flush()
        s.add_all(
            [
                InitiativeDependency(
                    initiative_id=transfers.id, depends_on_id=onboarding.id, position=0
                ),
                InitiativeDependency(
                    initiative_id=transfers.id, depends_on_id=freeze.id, position=1
                ),
            ]
        )

        acme = Customer(product_id=pid, key="acme", name="Acme")
        globex = Customer(product_id=pid, key="globex", name="Globex")
        s.add_all([acme, globex])
        s.flush()
        days = dt.timedelta(days=1)
        s.add_all(
            [
                FeedbackItem(
                    product_id=pid,
                    source="intercom",
                    external_id="1",
                    text="Love it",
                    created_at=now - 5 * days,
                    customer=acme,
                ),
                FeedbackItem(
                    product_id=pid,
                    source="intercom",
                    external_id="2",
                    text="Slow",
                    created_at=now - 60 * days,
                    customer=globex,
                ),
                FeedbackItem(
                    product_id=pid,
                    source="zendesk",
                    external_id="9",
                    text="Card lost",
                    created_at=now - 29 * days,
                ),
                # No date from the source: counts from when it was imported (recently).
                FeedbackItem(
                    product_id=pid,
                    source="survey",
                    external_id="s1",
                    text="Dark mode!",
                    created_at=None,
                    imported_at=now - 2 * days,
                ),
            ]
        )
