"""The timeline page's read model: every open initiative with its planned ``start`` and
``target`` (roadmap.yaml's dates, as a person set them, not the computed schedule), in roadmap
order, and the span of days the page draws them over."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from productpath.domain.views import ProductInfo, View
from productpath.services.page_common import product_info
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo
from productpath.store.models import Initiative

# Done and dropped work has no plan left to change.
CLOSED = ("done", "dropped")
MARGIN_DAYS = 7
MIN_SPAN_DAYS = 56


class PlannedRow(View):
    key: str
    title: str
    status: str
    team: str | None
    version: int
    start: dt.date | None
    target: dt.date | None


class PlannedTimeline(View):
    """Open initiatives in roadmap order; ``first`` to ``last`` covers every planned date with
    a week to spare either side (at least eight weeks, from ``today`` when nothing is dated)."""

    product: ProductInfo
    today: dt.date
    first: dt.date
    last: dt.date
    rows: tuple[PlannedRow, ...]


def planned_timeline(handle: OpenWorkspace, *, today: dt.date | None = None) -> PlannedTimeline:
    today = today or dt.date.today()
    product = product_info(handle)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        found = (
            []
            if product_id is None
            else session.scalars(
                select(Initiative)
                .where(Initiative.product_id == product_id, Initiative.status.not_in(CLOSED))
                .options(joinedload(Initiative.team))
                .order_by(Initiative.position, Initiative.key)
            ).all()
        )
        rows = tuple(
            PlannedRow(
                key=i.key,
                title=i.title,
                status=i.status,
                team=i.team.name if i.team else None,
                version=i.version,
                start=i.start_date,
                target=i.target_date,
            )
            for i in found
        )
    dates = [d for r in rows for d in (r.start, r.target) if d is not None] or [today]
    first = min(dates) - dt.timedelta(days=MARGIN_DAYS)
    # Start the drawing on a Monday, so week lines fall on whole weeks.
    first -= dt.timedelta(days=first.weekday())
    last = max(max(dates) + dt.timedelta(days=MARGIN_DAYS), first + dt.timedelta(MIN_SPAN_DAYS))
    return PlannedTimeline(product=product, today=today, first=first, last=last, rows=rows)
