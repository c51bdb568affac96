"""A small product with feedback, customers and themes, for scoring and evidence-link tests.

Themes and per-item readings are written straight into the real store (what ``insights run``
writes), with centroids from the real hashing embedder, so suggestions are computed for real.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from productpath.insights.embed import HashingEmbedder
from productpath.services.roadmap import apply_roadmap
from productpath.store import product_repo
from productpath.store.models import Customer, FeedbackInsight, FeedbackItem, Segment, Theme

NOW = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)

# theme number -> (label, texts, [(customer key, days ago)])
THEMES: dict[int, tuple[str, str, list[tuple[str | None, int]]]] = {
    3: (
        "card top up failed",
        "my card top up failed again, the top up was declined",
        [("big", 5), ("big", 10), ("mid", 20), ("small", 30), (None, 40), ("mid", 50)],
    ),
    7: (
        "exchange rate fees",
        "the exchange rate and currency conversion fee were wrong",
        [("small", 100), ("small", 120), ("mid", 150)],
    ),
    9: (
        "forgotten passcode",
        "i forgot my passcode and cannot log in to the app",
        [(None, 3)],
    ),
}

CUSTOMERS = {"big": 9000.0, "mid": 900.0, "small": 100.0}

ROADMAP = """\
product: {id: pocket, name: Pocket}
initiatives:
  - id: topup-retry
    title: Retry failed card top ups automatically
    description: When a top up is declined, retry the card top up.
    estimate: {optimistic: 1, likely: 2, pessimistic: 3}
    themes: [3]
  - id: fx-fees
    title: Show exchange rate and currency conversion fees
    estimate: {optimistic: 2, likely: 4, pessimistic: 6}
    themes: ['#7']
    depends_on: [topup-retry]
  - id: passcode-reset
    title: Reset a forgotten passcode
    estimate: {optimistic: 1, likely: 1, pessimistic: 2}
  - id: no-estimate
    title: Something nobody has sized
"""


def seed(handle: Any) -> None:
    """Customers, feedback items and themes #3, #7, #9 of product 'pocket'."""
    embedder = HashingEmbedder()
    with handle.store.write() as session:
        product = product_repo.ensure(session, "pocket", "Pocket")
        segment = Segment(product_id=product.id, key="smb", name="SMB")
        session.add(segment)
        session.flush()
        customers = {
            key: Customer(
                product_id=product.id,
                key=key,
                name=key.title(),
                segment_id=segment.id,
                annual_revenue=revenue,
            )
            for key, revenue in CUSTOMERS.items()
        }
        session.add_all(customers.values())
        session.flush()
        for number, (label, text, items) in THEMES.items():
            centroid = embedder.embed([label + " " + text])[0]
            theme = Theme(
                product_id=product.id,
                number=number,
                label=label,
                size=len(items),
                centroid=np.asarray(centroid, dtype="<f4").tobytes(),
                model=embedder.name,
            )
            session.add(theme)
            session.flush()
            for n, (customer, days) in enumerate(items):
                item = FeedbackItem(
                    product_id=product.id,
                    source="app",
                    external_id=f"{number}-{n}",
                    text=text,
                    created_at=NOW - dt.timedelta(days=days),
                    customer_id=customers[customer].id if customer else None,
                )
                session.add(item)
                session.flush()
                session.add(
                    FeedbackInsight(
                        feedback_id=item.id,
                        theme_id=theme.id,
                        theme_similarity=0.9,
                        sentiment=-0.5,
                        kind="bug",
                        text_hash=f"h{number}-{n}",
                    )
                )


def seeded(handle: Any, tmp_path: Path, roadmap: str = ROADMAP) -> Path:
    seed(handle)
    path = tmp_path / "roadmap.yaml"
    path.write_text(roadmap, encoding="utf-8")
    apply_roadmap(handle, path)
    return path
