"""Read models for the web pages: the dashboard and the roadmap view.

Each view is a frozen pydantic model, so the HTML page and its ``.json`` twin serialise the very
same object. The queries aggregate in SQL (a handful per view, independent of the data size)
instead of loading every row.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from productpath.domain.roadmap import InitiativeStatus
from productpath.domain.views import ProductInfo, View
from productpath.errors import NotFoundError
from productpath.learning.key_results import KeyResultProgress
from productpath.services.pages.dashboard_extras import DashboardExtras, dashboard_extras
from productpath.services.pages.key_results import progress_by_id
from productpath.services.pages.roadmap_timeline import TimelinePlan, timeline
from productpath.services.workspace import OpenWorkspace
from productpath.store import kpi_repo, product_repo
from productpath.store.models import (
    Customer,
    FeedbackItem,
    Initiative,
    InitiativeDependency,
    Milestone,
    Objective,
    Product,
)
from productpath.store.version_memo import remembered, remembered_in

FEEDBACK_WINDOW_DAYS = 30
# Archived initiatives are off the roadmap: the dashboard counts the others.
STATUSES: tuple[str, ...] = tuple(
    status.value for status in InitiativeStatus if status is not InitiativeStatus.ARCHIVED
)
# Which lane of the now / next / later board each status belongs to.
LANE_OF_STATUS = {
    InitiativeStatus.IN_PROGRESS.value: "now",
    InitiativeStatus.PLANNED.value: "next",
    InitiativeStatus.PROPOSED.value: "later",
    InitiativeStatus.DONE.value: "done",
    InitiativeStatus.DROPPED.value: "dropped",
}


class Ref(View):
    """A link to another object: its stable key and its display name (or title)."""

    key: str
    name: str


class KeyResultInfo(View):
    key: str
    title: str
    target: float | None
    unit: str | None
    # The KPI it is measured by, and the progress computed from it (services.pages.key_results).
    kpi: str | None = None
    progress: KeyResultProgress | None = None


class ObjectiveSummary(View):
    key: str
    title: str
    description: str
    key_results: tuple[KeyResultInfo, ...]
    initiative_count: int
    version: int = 1  # name it when editing (PATCH /api/v1/objectives/{key})


class MilestoneSummary(View):
    key: str
    name: str
    target_date: dt.date
    initiatives_total: int
    initiatives_done: int
    version: int = 1  # name it when editing (PATCH /api/v1/milestones/{key})


class FeedbackSummary(View):
    total: int
    last_30_days: int
    by_source: dict[str, int]
    customers: int


class Dashboard(View):
    product: ProductInfo
    objectives: tuple[ObjectiveSummary, ...]
    initiatives_total: int
    initiatives_by_status: dict[str, int]
    milestones: tuple[MilestoneSummary, ...]
    feedback: FeedbackSummary
    # Milestone confidence, top risks, top and emerging themes (services.pages.dashboard_extras).
    outlook: DashboardExtras = DashboardExtras()


class EstimateInfo(View):
    """Three-point estimate in ideal weeks."""

    optimistic: float
    likely: float
    pessimistic: float


class InitiativeInfo(View):
    key: str
    title: str
    description: str
    status: str
    team: Ref | None
    objective: Ref | None
    milestone: Ref | None
    estimate: EstimateInfo | None
    depends_on: tuple[str, ...]
    # What the board's reorder and the timeline's date fields send back (stale: refused).
    version: int = 1
    start: dt.date | None = None
    target: dt.date | None = None


class MilestoneInfo(View):
    key: str
    name: str
    description: str
    target_date: dt.date
    initiatives: tuple[InitiativeInfo, ...]


class Lanes(View):
    """now = in progress, next = planned, later = proposed; done and dropped kept apart."""

    now: tuple[InitiativeInfo, ...]
    next: tuple[InitiativeInfo, ...]
    later: tuple[InitiativeInfo, ...]
    done: tuple[InitiativeInfo, ...]
    dropped: tuple[InitiativeInfo, ...]


class RoadmapView(View):
    product: ProductInfo
    milestones: tuple[MilestoneInfo, ...]
    unscheduled: tuple[InitiativeInfo, ...]
    lanes: Lanes
    initiatives_total: int
    # The schedule (Gantt) and a seeded forecast; see services.pages.roadmap_timeline.
    plan: TimelinePlan


def dashboard(handle: OpenWorkspace, *, now: dt.datetime | None = None) -> Dashboard:
    """The product at a glance. ``now`` fixes the feedback window (default: the current time).

    All but the feedback window and the outlook depend on the stored data alone: a process
    reads that part once per data version (store/version_memo.py); the window is counted
    from remembered dates too (see ``_feedback_summary``), the outlook has its own cache."""
    now = now or dt.datetime.now(dt.UTC)
    cutoff = now - dt.timedelta(days=FEEDBACK_WINDOW_DAYS)
    store = handle.store
    product_id, base = remembered(
        store.engine,
        store.data_version(),
        ("dashboard", handle.workspace.product),
        lambda: _dashboard_base(handle),
    )
    with store.read() as session:
        feedback = _feedback_summary(session, product_id, cutoff)
    return base.model_copy(
        update={"feedback": feedback, "outlook": dashboard_extras(handle, today=now.date())}
    )


# What _dashboard_base leaves for dashboard() to fill in on every call.
_NO_FEEDBACK = FeedbackSummary(total=0, last_30_days=0, by_source={}, customers=0)


def _dashboard_base(handle: OpenWorkspace) -> tuple[int, Dashboard]:
    with handle.store.read() as session:
        product = _product(session, handle.workspace.product)
        objectives = session.scalars(
            select(Objective)
            .where(Objective.product_id == product.id)
            .options(selectinload(Objective.key_results))
            .order_by(Objective.position, Objective.key)
        ).all()
        # One grouped query feeds the per-objective, per-status and per-milestone counts.
        groups = session.execute(
            select(
                Initiative.objective_id,
                Initiative.milestone_id,
                Initiative.status,
                func.count(Initiative.id),
            )
            .where(Initiative.product_id == product.id, Initiative.status != "archived")
            .group_by(Initiative.objective_id, Initiative.milestone_id, Initiative.status)
        ).all()
        milestones = session.scalars(
            select(Milestone)
            .where(Milestone.product_id == product.id)
            .order_by(Milestone.target_date, Milestone.position, Milestone.key)
        ).all()
        kr_progress = progress_by_id(session, product.id)
        kr_kpis = kpi_repo.keys_by_id(
            session, (kr.kpi_id for o in objectives for kr in o.key_results if kr.kpi_id)
        )

    per_objective: Counter[int | None] = Counter()
    per_status: Counter[str] = Counter()
    per_milestone: Counter[int | None] = Counter()
    done_per_milestone: Counter[int | None] = Counter()
    for objective_id, milestone_id, status, count in groups:
        per_objective[objective_id] += count
        per_status[status] += count
        per_milestone[milestone_id] += count
        if status == InitiativeStatus.DONE.value:
            done_per_milestone[milestone_id] += count
    # Every known status appears (zeros included) in workflow order; unknown ones follow.
    by_status = {status: per_status.get(status, 0) for status in STATUSES}
    by_status.update({s: n for s, n in sorted(per_status.items()) if s not in by_status})
    return product.id, Dashboard(
        product=_product_info(product),
        objectives=tuple(
            ObjectiveSummary(
                key=o.key,
                title=o.title,
                description=o.description,
                key_results=tuple(
                    KeyResultInfo(
                        key=kr.key,
                        title=kr.title,
                        target=kr.target,
                        unit=kr.unit,
                        kpi=kr_kpis.get(kr.kpi_id) if kr.kpi_id else None,
                        progress=kr_progress.get(kr.id),
                    )
                    for kr in o.key_results
                ),
                initiative_count=per_objective.get(o.id, 0),
                version=o.version,
            )
            for o in objectives
        ),
        initiatives_total=sum(per_status.values()),
        initiatives_by_status=by_status,
        milestones=tuple(
            MilestoneSummary(
                key=m.key,
                name=m.name,
                target_date=m.target_date,
                initiatives_total=per_milestone.get(m.id, 0),
                initiatives_done=done_per_milestone.get(m.id, 0),
                version=m.version,
            )
            for m in milestones
        ),
        feedback=_NO_FEEDBACK,
    )


def roadmap_view(handle: OpenWorkspace, *, today: dt.date | None = None) -> RoadmapView:
    """Milestones in date order with their initiatives, the now / next / later board, and the
    plan: the schedule and a forecast from ``today`` (default: the current date).

    A function of the stored data, the day and the scoring settings (the plan is seeded), so a
    process builds it once per data version (store/version_memo.py)."""
    today = today or dt.date.today()
    store, scoring = handle.store, handle.workspace.scoring
    key = ("roadmap view", handle.workspace.product, today, scoring.method, scoring.weights)
    return remembered(store.engine, store.data_version(), key, lambda: _roadmap_view(handle, today))


def _roadmap_view(handle: OpenWorkspace, today: dt.date) -> RoadmapView:
    with handle.store.read() as session:
        product = _product(session, handle.workspace.product)
        milestones = session.scalars(
            select(Milestone)
            .where(Milestone.product_id == product.id)
            .order_by(Milestone.target_date, Milestone.position, Milestone.key)
        ).all()
        initiatives = session.scalars(
            select(Initiative)
            # Archived initiatives leave the board (their pages and history stay).
            .where(Initiative.product_id == product.id, Initiative.status != "archived")
            .options(
                joinedload(Initiative.objective),
                joinedload(Initiative.team),
                joinedload(Initiative.milestone),
            )
            .order_by(Initiative.position, Initiative.key)
        ).all()
        target = aliased(Initiative)
        edges = session.execute(
            select(InitiativeDependency.initiative_id, target.key)
            .join(target, target.id == InitiativeDependency.depends_on_id)
            .where(target.product_id == product.id)
            .order_by(InitiativeDependency.initiative_id, InitiativeDependency.position)
        ).all()
        depends_on: dict[int, list[str]] = {}
        for initiative_id, key in edges:
            depends_on.setdefault(initiative_id, []).append(key)
        infos = [
            (i.milestone_id, _initiative_info(i, depends_on.get(i.id, []))) for i in initiatives
        ]
        product_info = _product_info(product)

    by_milestone: dict[int | None, list[InitiativeInfo]] = {}
    lanes: dict[str, list[InitiativeInfo]] = {lane: [] for lane in Lanes.model_fields}
    for milestone_id, info in infos:
        by_milestone.setdefault(milestone_id, []).append(info)
        # A status this version does not know waits in "later" rather than vanishing.
        lanes[LANE_OF_STATUS.get(info.status, "later")].append(info)
    return RoadmapView(
        product=product_info,
        milestones=tuple(
            MilestoneInfo(
                key=m.key,
                name=m.name,
                description=m.description,
                target_date=m.target_date,
                initiatives=tuple(by_milestone.get(m.id, [])),
            )
            for m in milestones
        ),
        unscheduled=tuple(by_milestone.get(None, [])),
        lanes=Lanes(**{lane: tuple(items) for lane, items in lanes.items()}),
        initiatives_total=len(infos),
        plan=timeline(handle, today=today),
    )


class ForecastView(View):
    """The forecast page: every milestone's chance and fan, every initiative's percentiles."""

    product: ProductInfo
    plan: TimelinePlan


def forecast_view(
    handle: OpenWorkspace, *, today: dt.date | None = None, calibrate: bool = False
) -> ForecastView:
    """The plan of the workspace's product, forecast from ``today`` (default: the current date),
    with estimates calibrated by each team's track record when ``calibrate``."""
    with handle.store.read() as session:
        product = _product_info(_product(session, handle.workspace.product))
    return ForecastView(product=product, plan=timeline(handle, today=today, calibrate=calibrate))


def _product(session: Session, key: str) -> Product:
    product = product_repo.find(session, key)
    if product is None:
        raise NotFoundError(f"product '{key}' is not in this workspace's database")
    return product


def _product_info(product: Product) -> ProductInfo:
    return ProductInfo(key=product.key, name=product.name, description=product.description)


def _feedback_summary(session: Session, product_id: int, cutoff: dt.datetime) -> FeedbackSummary:
    """Totals by source and the items said since ``cutoff``. Both take a pass over every item,
    so they are remembered while the data version stays put (store/version_memo.py): with the
    dates of the items said since the cutoff they were first read at, sorted, any later
    cutoff's count is a bisection of those, the same number the query would give."""
    counts = remembered_in(
        session,
        ("dashboard feedback", product_id),
        lambda: _feedback_counts(session, product_id, cutoff),
    )
    if cutoff < counts.since:
        counts = _feedback_counts(session, product_id, cutoff)  # an earlier window: read it
    customers = session.scalar(
        select(func.count(Customer.id)).where(Customer.product_id == product_id)
    )
    return FeedbackSummary(
        total=sum(count for _, count in counts.by_source),
        last_30_days=len(counts.recent) - bisect.bisect_left(counts.recent, cutoff),
        by_source=dict(counts.by_source),
        customers=customers or 0,
    )


@dataclass(frozen=True)
class _FeedbackCounts:
    by_source: tuple[tuple[str, int], ...]  # most items first, then by name
    since: dt.datetime  # the cutoff ``recent`` was read for
    recent: tuple[dt.datetime, ...]  # when each item said since then was said (UTC), sorted


def _feedback_counts(session: Session, product_id: int, since: dt.datetime) -> _FeedbackCounts:
    # Items without a date from their source count from the moment they were imported.
    said_at = func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)
    rows = session.execute(
        select(FeedbackItem.source, func.count(FeedbackItem.id))
        .where(FeedbackItem.product_id == product_id)
        .group_by(FeedbackItem.source)
    ).all()
    recent = session.scalars(
        select(said_at).where(FeedbackItem.product_id == product_id, said_at >= since)
    ).all()
    return _FeedbackCounts(
        by_source=tuple(sorted(((s, int(n)) for s, n in rows), key=lambda r: (-r[1], r[0]))),
        since=since,
        recent=tuple(sorted(_utc(when) for when in recent)),
    )


def _utc(when: dt.datetime) -> dt.datetime:
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _initiative_info(initiative: Initiative, depends_on: list[str]) -> InitiativeInfo:
    low = initiative.estimate_optimistic
    mid = initiative.estimate_likely
    high = initiative.estimate_pessimistic
    estimate = (
        EstimateInfo(optimistic=low, likely=mid, pessimistic=high)
        if low is not None and mid is not None and high is not None
        else None
    )
    objective, team, milestone = initiative.objective, initiative.team, initiative.milestone
    return InitiativeInfo(
        key=initiative.key,
        title=initiative.title,
        description=initiative.description,
        status=initiative.status,
        team=Ref(key=team.key, name=team.name) if team else None,
        objective=Ref(key=objective.key, name=objective.title) if objective else None,
        milestone=Ref(key=milestone.key, name=milestone.name) if milestone else None,
        estimate=estimate,
        depends_on=tuple(depends_on),
        version=initiative.version,
        start=initiative.start_date,
        target=initiative.target_date,
    )
