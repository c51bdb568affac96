"""Read model for a milestone's own page (``/milestones/{key}``) and its ``.json`` twin.

What the milestone is (name, target date, description, version for the edit form), its
initiatives in the roadmap's order with their status and delivery risks, the page forecast's
P50/P85 dates and chance of making the target (the same seeded forecast ``/roadmap`` and
``/forecast`` draw, so the three pages agree), delivery's projection from the linked work, and
the milestone's change history. Watching and comments are the notification service's.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from productpath.domain.views import ProductInfo, View
from productpath.errors import NotFoundError, ProductpathError
from productpath.services.delivery import delivery_status
from productpath.services.history import HistoryEntry, object_history
from productpath.services.page_common import product_info
from productpath.services.pages.roadmap_timeline import timeline
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo
from productpath.store.models import Initiative, Milestone

HISTORY_SHOWN = 20  # the API and the CLI give the rest


class MilestoneInitiative(View):
    """One initiative that targets the milestone."""

    key: str
    title: str
    status: str
    team: str | None = Field(description="the team's name")
    p85: dt.date | None = Field(description="the page forecast's 85% finish date")
    risks: tuple[str, ...] = Field(description="delivery risk kinds (slipping, stale, ...)")


class MilestoneForecastInfo(View):
    """The page forecast of the milestone: when all its initiatives are done."""

    p50: dt.date | None
    p85: dt.date | None
    probability: float | None = Field(description="the chance of being done by the target")
    late: bool | None = Field(description="whether the P85 date is past the target")
    explanation: str


class MilestoneDeliveryInfo(View):
    """Delivery's projection from the tracker items linked to its initiatives."""

    items_total: int
    items_done: int
    projected_date: dt.date | None
    on_track: bool | None
    explanation: str


class MilestonePage(View):
    product: ProductInfo
    key: str
    name: str
    description: str
    target_date: dt.date
    version: int = Field(description="what an edit of it must name (stale: refused)")
    initiatives: tuple[MilestoneInitiative, ...]
    forecast: MilestoneForecastInfo | None = Field(description="None when no forecast could run")
    forecast_problem: str | None
    delivery: MilestoneDeliveryInfo | None
    history: tuple[HistoryEntry, ...] = Field(description="the latest changes, newest first")


def milestone_page(
    handle: OpenWorkspace, key: str, *, today: dt.date | None = None
) -> MilestonePage:
    """Everything the milestone's page shows; NotFoundError for an unknown milestone."""
    today = today or dt.date.today()
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        milestone = (
            None
            if product_id is None
            else session.scalar(
                select(Milestone).where(Milestone.product_id == product_id, Milestone.key == key)
            )
        )
        if milestone is None:
            raise NotFoundError(f"no milestone '{key}' in this workspace")
        rows = session.scalars(
            select(Initiative)
            .where(Initiative.milestone_id == milestone.id, Initiative.status != "archived")
            .options(joinedload(Initiative.team))
            .order_by(Initiative.position, Initiative.key)
        ).all()
        members = [(i.key, i.title, i.status, i.team.name if i.team else None) for i in rows]
        name, description = milestone.name, milestone.description
        target, version = milestone.target_date, milestone.version

    plan = timeline(handle, today=today)
    finishes = {}
    forecast = None
    if plan.forecast is not None:
        finishes = {i.key: i.finish.p85 for i in plan.forecast.initiatives}
        found = next((m for m in plan.forecast.milestones if m.key == key), None)
        if found is not None:
            p85 = found.finish.p85 if found.finish else None
            forecast = MilestoneForecastInfo(
                p50=found.finish.p50 if found.finish else None,
                p85=p85,
                probability=found.probability,
                late=None if p85 is None else p85 > target,
                explanation=found.explanation,
            )
    risks: dict[str, tuple[str, ...]] = {}
    delivery = None
    try:
        status = delivery_status(handle, today=today)
    except ProductpathError:
        status = None
    if status is not None:
        risks = {i.key: tuple(r.kind for r in i.risks) for i in status.initiatives}
        mine = next((m for m in status.milestones if m.key == key), None)
        if mine is not None:
            delivery = MilestoneDeliveryInfo(
                items_total=mine.items_total,
                items_done=mine.items_done,
                projected_date=mine.projected_date,
                on_track=mine.on_track,
                explanation=mine.explanation,
            )
    return MilestonePage(
        product=product_info(handle),
        key=key,
        name=name,
        description=description,
        target_date=target,
        version=version,
        initiatives=tuple(
            MilestoneInitiative(
                key=k,
                title=title,
                status=state,
                team=team,
                p85=finishes.get(k),
                risks=risks.get(k, ()),
            )
            for k, title, state, team in members
        ),
        forecast=forecast,
        forecast_problem=plan.problem,
        delivery=delivery,
        history=tuple(object_history(handle, "milestone", key, limit=HISTORY_SHOWN)),
    )
