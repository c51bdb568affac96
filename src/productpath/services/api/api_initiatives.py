"""Initiatives as the JSON API lists and shows them: filtered, paged, with the optimistic-lock
``version`` and ``public`` flag a client needs to edit them (edits themselves go through
:mod:`productpath.services.initiative_edit`, shared with the web pages).

The list is one filtered query plus one for the dependencies of the page's rows; the detail adds
the score breakdown (services.scoring), the evidence behind it (services.pages.initiative_evidence)
and the portal's votes and comments.
"""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, joinedload

from productpath.domain.views import View
from productpath.errors import NotFoundError
from productpath.services.pages.initiative_evidence import (
    LinkedTheme,
    ScoreInfo,
    evidence,
    score_info,
)
from productpath.services.pages.overview import EstimateInfo, Ref
from productpath.services.scoring import ranked_initiatives
from productpath.services.workspace import OpenWorkspace
from productpath.store import portal_repo, product_repo
from productpath.store.evidence_repo import ACCEPTED, SUGGESTED
from productpath.store.models import Initiative, InitiativeDependency, Milestone, Team
from productpath.store.version_memo import remembered_in


class InitiativeSummary(View):
    """An initiative as lists show it. ``version`` grows with every edit (send it back on
    PATCH); ``public`` puts it on the stakeholder portal."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "key": "onboarding",
                    "title": "Guided onboarding",
                    "description": "",
                    "status": "in_progress",
                    "public": True,
                    "version": 3,
                    "team": {"key": "growth", "name": "Growth"},
                    "objective": {"key": "O1", "name": "Grow activation"},
                    "milestone": {"key": "beta", "name": "Public beta"},
                    "estimate": {"optimistic": 2, "likely": 3, "pessimistic": 5.5},
                    "depends_on": [],
                    "updated_at": "2030-01-15T09:30:00Z",
                }
            ]
        },
    )
    key: str
    title: str
    description: str
    status: str
    public: bool
    version: int
    team: Ref | None
    objective: Ref | None
    milestone: Ref | None
    estimate: EstimateInfo | None
    depends_on: tuple[str, ...]
    updated_at: dt.datetime


class EvidenceCounts(View):
    """What stands behind an initiative: linked themes, and the feedback items and customers
    behind its accepted links."""

    themes: tuple[LinkedTheme, ...]  # accepted first, then suggestions
    accepted_themes: int
    suggested_themes: int
    items: int
    customers: int
    revenue: float


class Votes(View):
    count: int
    weight: float  # sum of the votes' weights (1 each, or the voter's revenue share)


class InitiativePublic(InitiativeSummary):
    """One initiative with its score breakdown, evidence counts, votes and comment count."""

    score: ScoreInfo | None  # None when the product has no scorable initiative
    evidence: EvidenceCounts
    votes: Votes
    comments: int


class InitiativeFilters(View):
    """None leaves a filter off. ``team`` and ``milestone`` are keys."""

    status: str | None = None
    team: str | None = None
    milestone: str | None = None
    public: bool | None = None


def list_initiatives(
    handle: OpenWorkspace, filters: InitiativeFilters, *, limit: int, offset: int
) -> tuple[int, list[InitiativeSummary]]:
    """(how many match, the page of them) in roadmap order; a process reads each page once per
    data version (store/version_memo.py)."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return 0, []
        total, page = remembered_in(
            session,
            ("api initiatives", product_id, filters, limit, offset),
            lambda: _page(session, product_id, filters, limit=limit, offset=offset),
        )
    return total, list(page)


def _page(
    session: Session, product_id: int, filters: InitiativeFilters, *, limit: int, offset: int
) -> tuple[int, tuple[InitiativeSummary, ...]]:
    stmt = _filtered(product_id, filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(
            joinedload(Initiative.team),
            joinedload(Initiative.objective),
            joinedload(Initiative.milestone),
        )
        .order_by(Initiative.position, Initiative.key)
        .limit(limit)
        .offset(offset)
    ).all()
    depends = _depends_on(session, [row.id for row in rows])
    return total, tuple(_summary(row, depends.get(row.id, ())) for row in rows)


def get_initiative(handle: OpenWorkspace, key: str) -> InitiativePublic:
    """The initiative ``key`` with its score, evidence, votes and comments; NotFoundError."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        row = None
        if product_id is not None:
            row = session.scalar(
                select(Initiative)
                .where(Initiative.product_id == product_id, Initiative.key == key)
                .options(
                    joinedload(Initiative.team),
                    joinedload(Initiative.objective),
                    joinedload(Initiative.milestone),
                )
            )
        if row is None:
            raise NotFoundError(f"no initiative '{key}' in this workspace")
        summary = _summary(row, _depends_on(session, [row.id]).get(row.id, ()))
        found = evidence(session, row.id)
        count, weight = portal_repo.vote_totals(session, [row.id]).get(row.id, (0, 0.0))
        comments = portal_repo.comment_counts(session, [row.id]).get(row.id, 0)
    scores = ranked_initiatives(handle)
    mine = next((s for s in scores if s.key == key), None)
    return InitiativePublic(
        **summary.model_dump(),
        score=score_info(mine, len(scores)),
        evidence=EvidenceCounts(
            themes=found.themes,
            accepted_themes=sum(1 for t in found.themes if t.status == ACCEPTED),
            suggested_themes=sum(1 for t in found.themes if t.status == SUGGESTED),
            items=found.items,
            customers=found.customer_count,
            revenue=found.revenue,
        ),
        votes=Votes(count=count, weight=weight),
        comments=comments,
    )


def _filtered(product_id: int, filters: InitiativeFilters) -> Select[Initiative]:
    stmt = select(Initiative).where(Initiative.product_id == product_id)
    if filters.status is not None:
        stmt = stmt.where(Initiative.status == filters.status)
    else:  # archived ones are listed only when asked for by status
        stmt = stmt.where(Initiative.status != "archived")
    if filters.public is not None:
        stmt = stmt.where(Initiative.public == filters.public)
    if filters.team is not None:
        team = aliased(Team)
        stmt = stmt.join(team, team.id == Initiative.team_id).where(team.key == filters.team)
    if filters.milestone is not None:
        milestone = aliased(Milestone)
        stmt = stmt.join(milestone, milestone.id == Initiative.milestone_id).where(
            milestone.key == filters.milestone
        )
    return stmt


def _depends_on(session: Session, ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    target = aliased(Initiative)
    found: dict[int, list[str]] = {}
    for initiative_id, key in session.execute(
        select(InitiativeDependency.initiative_id, target.key)
        .join(target, target.id == InitiativeDependency.depends_on_id)
        .where(InitiativeDependency.initiative_id.in_(ids))
        .order_by(InitiativeDependency.initiative_id, InitiativeDependency.position)
    ):
        found.setdefault(initiative_id, []).append(key)
    return {k: tuple(v) for k, v in found.items()}


def _summary(row: Initiative, depends_on: tuple[str, ...]) -> InitiativeSummary:
    low, mid, high = row.estimate_optimistic, row.estimate_likely, row.estimate_pessimistic
    team, objective, milestone = row.team, row.objective, row.milestone
    return InitiativeSummary(
        key=row.key,
        title=row.title,
        description=row.description,
        status=row.status,
        public=row.public,
        version=row.version,
        team=Ref(key=team.key, name=team.name) if team else None,
        objective=Ref(key=objective.key, name=objective.title) if objective else None,
        milestone=Ref(key=milestone.key, name=milestone.name) if milestone else None,
        estimate=EstimateInfo(optimistic=low, likely=mid, pessimistic=high)
        if low is not None and mid is not None and high is not None
        else None,
        depends_on=depends_on,
        updated_at=row.updated_at,
    )
