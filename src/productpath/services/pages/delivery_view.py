"""Read model for the web's delivery page: the delivery status per milestone, each milestone's
burn-up summed over its initiatives, and the flow metrics, in one object for page and twin.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from productpath.delivery.metrics import DeliveryMetrics
from productpath.delivery.status import DeliveryStatus, InitiativeDelivery, MilestoneDelivery
from productpath.domain.views import ProductInfo, View
from productpath.errors import NotFoundError
from productpath.services.delivery import delivery_metrics, delivery_status
from productpath.services.page_common import product_info
from productpath.services.work.git import list_repositories
from productpath.services.workspace import OpenWorkspace
from productpath.store.models import Product, TrackerItem


class WeekPoint(View):
    week_start: dt.date
    scope: int
    done: int


class MilestoneBurnup(View):
    """A milestone's initiatives' burn-ups added up, week by week."""

    milestone: str
    weeks: tuple[WeekPoint, ...]


class DeliveryPage(View):
    product: ProductInfo
    today: dt.date
    has_roadmap: bool
    repositories: int
    tracker_items: int
    status: DeliveryStatus | None  # None without a roadmap
    burnups: tuple[MilestoneBurnup, ...]
    metrics: DeliveryMetrics


def delivery_page(
    handle: OpenWorkspace, *, today: dt.date | None = None, anchor_metrics: bool = False
) -> DeliveryPage:
    """Everything the delivery page shows, as of ``today`` (default: the current date).

    Flow metrics asked for no particular day (no ``today``, or ``anchor_metrics``) end on the
    data's last day when it ended before today (see ``delivery_metrics``).
    """
    metrics = delivery_metrics(handle, today=None if anchor_metrics else today)
    today = today or dt.date.today()
    try:
        status: DeliveryStatus | None = delivery_status(handle, today=today)
    except NotFoundError:  # no roadmap yet: the page says how to add one
        status = None
    return DeliveryPage(
        product=product_info(handle),
        today=today,
        has_roadmap=status is not None,
        repositories=len(list_repositories(handle)),
        tracker_items=_tracker_items(handle),
        status=status,
        burnups=tuple(_burnup(m, status) for m in status.milestones) if status else (),
        metrics=metrics,
    )


def _tracker_items(handle: OpenWorkspace) -> int:
    with handle.store.read() as session:
        total = session.scalar(
            select(func.count(TrackerItem.id))
            .join(Product, Product.id == TrackerItem.product_id)
            .where(Product.key == handle.workspace.product)
        )
    return total or 0


def _burnup(milestone: MilestoneDelivery, status: DeliveryStatus) -> MilestoneBurnup:
    members: list[InitiativeDelivery] = [
        i for i in status.initiatives if i.key in milestone.initiatives
    ]
    scope: dict[dt.date, int] = {}
    done: dict[dt.date, int] = {}
    for initiative in members:
        for point in initiative.progress.burnup:
            scope[point.week_start] = scope.get(point.week_start, 0) + point.scope
            done[point.week_start] = done.get(point.week_start, 0) + point.done
    # Every burn-up runs to the current week, so a week one initiative lacks lies before its
    # first item: it adds nothing there.
    return MilestoneBurnup(
        milestone=milestone.key,
        weeks=tuple(
            WeekPoint(week_start=week, scope=scope[week], done=done[week]) for week in sorted(scope)
        ),
    )
