"""Delivery status: every initiative's progress and risks, rolled up per milestone.

The result is one JSON-ready object (pydantic): the CLI prints it, and the web page renders the
same object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from productpath.delivery.progress import (
    FORECAST_NOTE,
    PROJECTION_METHOD,
    InitiativeWork,
    Progress,
    measure,
)
from productpath.delivery.risks import Risk, RiskSettings, assess, severity


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


@dataclass(frozen=True)
class MilestoneInfo:
    key: str
    name: str
    target_date: dt.date


class InitiativeDelivery(_Frozen):
    key: str
    title: str
    status: str
    milestone: str | None
    target_date: dt.date | None
    depends_on: tuple[str, ...]
    progress: Progress
    risks: tuple[Risk, ...]


class WorstRisk(_Frozen):
    initiative: str
    kind: str
    reason: str


class MilestoneDelivery(_Frozen):
    key: str
    name: str
    target_date: dt.date
    initiatives: tuple[str, ...]
    items_total: int
    items_done: int
    items_remaining: int
    projected_date: dt.date | None
    on_track: bool | None
    explanation: str
    risk_count: int
    worst_risk: WorstRisk | None


class LinkCounts(_Frozen):
    commits: int
    items: int


class DeliveryStatus(_Frozen):
    today: dt.date
    stale_days: int
    forecast: str = FORECAST_NOTE
    projection_method: str = PROJECTION_METHOD
    milestones: tuple[MilestoneDelivery, ...]
    initiatives: tuple[InitiativeDelivery, ...]
    unlinked: LinkCounts


def build_status(
    works: Sequence[InitiativeWork],
    milestones: Sequence[MilestoneInfo],
    today: dt.date,
    *,
    settings: RiskSettings | None = None,
    unlinked: LinkCounts | None = None,
) -> DeliveryStatus:
    """The delivery status of ``works`` (roadmap order) and ``milestones`` on ``today``."""
    settings = settings or RiskSettings()
    progress = {work.key: measure(work, today) for work in works}
    risks = assess(works, progress, today, settings)
    initiatives = tuple(
        InitiativeDelivery(
            key=work.key,
            title=work.title,
            status=work.status,
            milestone=work.milestone,
            target_date=work.target_date,
            depends_on=work.depends_on,
            progress=progress[work.key],
            risks=tuple(risks[work.key]),
        )
        for work in works
    )
    return DeliveryStatus(
        today=today,
        stale_days=settings.stale_days,
        milestones=tuple(_roll_up(m, initiatives) for m in milestones),
        initiatives=initiatives,
        unlinked=unlinked or LinkCounts(commits=0, items=0),
    )


def _roll_up(
    milestone: MilestoneInfo, initiatives: Sequence[InitiativeDelivery]
) -> MilestoneDelivery:
    # Dropped initiatives are no longer part of what the milestone has to deliver.
    members = [i for i in initiatives if i.milestone == milestone.key and i.status != "dropped"]
    measured = [i for i in members if i.progress.items_total > 0]
    unknown = [
        i.key
        for i in measured
        if i.progress.items_remaining > 0 and i.progress.projection.projected_date is None
    ]
    projected: dt.date | None = None
    if not measured:
        explanation = "no tracker items are linked to its initiatives"
    elif unknown:
        explanation = "cannot project: nothing done recently on " + ", ".join(unknown)
    else:
        dated = [(date, i.key) for i in measured if (date := i.progress.projection.projected_date)]
        if dated:
            projected, last = max(dated)
            explanation = f"the latest initiative projection: {last} on {projected}"
        else:
            explanation = "its items are done, but none says when"
    on_track = None
    if projected is not None:
        on_track = projected <= milestone.target_date
    elif unknown:
        on_track = False
    risky = [(severity(r.kind), i.key, r) for i in members for r in i.risks]
    worst = min(risky, key=lambda entry: (entry[0], entry[1]), default=None)
    return MilestoneDelivery(
        key=milestone.key,
        name=milestone.name,
        target_date=milestone.target_date,
        initiatives=tuple(i.key for i in members),
        items_total=sum(i.progress.items_total for i in members),
        items_done=sum(i.progress.items_done for i in members),
        items_remaining=sum(i.progress.items_remaining for i in members),
        projected_date=projected,
        on_track=on_track,
        explanation=explanation,
        risk_count=len(risky),
        worst_risk=WorstRisk(initiative=worst[1], kind=worst[2].kind, reason=worst[2].reason)
        if worst
        else None,
    )
