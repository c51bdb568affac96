"""Read model for one initiative's page: the roadmap's fields, the work linked to it (with the
rule that linked each piece), and the people who did that work.

Links are the ``work_link`` rows the delivery linker wrote (``productpath delivery relink``);
this module only reads them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from productpath.delivery.bots import Bots
from productpath.delivery.status import InitiativeDelivery
from productpath.domain.views import ProductInfo, View
from productpath.errors import NotFoundError
from productpath.services.pages.initiative_delivery import initiative_delivery
from productpath.services.pages.initiative_evidence import Evidence, ScoreInfo, evidence, score_info
from productpath.services.pages.overview import EstimateInfo, Ref
from productpath.services.portal import CommentPublic, social_of
from productpath.services.scoring import ranked_initiatives
from productpath.services.workspace import OpenWorkspace
from productpath.store.models import (
    Commit,
    Contributor,
    Decision,
    Initiative,
    InitiativeDependency,
    Product,
    Repository,
    TrackerItem,
    WorkLink,
)

_PULL_REQUEST = re.compile(r"^Merge pull request #(\d+) ")


class MilestoneRef(View):
    key: str
    name: str
    target_date: dt.date


class InitiativeRef(View):
    key: str
    title: str
    status: str


class LinkedCommit(View):
    repository: str
    sha: str
    subject: str
    author: str | None
    committed_at: dt.datetime
    is_merge: bool
    pull_request: int | None  # the number a GitHub merge commit names
    title: str  # a merge's pull request title (its body's first line), else the subject
    rule: str


class LinkedItem(View):
    source: str
    key: str
    title: str
    item_type: str
    status: str
    status_category: str
    assignee: str | None
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    url: str | None
    rule: str


class ContributorInfo(View):
    name: str
    commits: int  # linked commits they authored, merges left out
    items: int  # linked tracker items assigned to them
    last_commit: dt.datetime | None


class LinkedDecision(View):
    """A decision recorded about this initiative (``productpath decision add --initiative``)."""

    key: str
    title: str
    decision: str
    decided_on: dt.date
    review_on: dt.date | None
    status: str


class InitiativeDetail(View):
    product: ProductInfo
    key: str
    title: str
    description: str
    status: str
    team: Ref | None
    objective: Ref | None
    milestone: MilestoneRef | None
    estimate: EstimateInfo | None
    evidence: Evidence  # linked themes, quotes, and the customers behind them
    score: ScoreInfo | None  # RICE or WSJF breakdown with each term's source
    work_epics: tuple[str, ...]
    work_labels: tuple[str, ...]
    depends_on: tuple[InitiativeRef, ...]
    needed_by: tuple[InitiativeRef, ...]  # initiatives that depend on this one
    links_by_rule: dict[str, int]
    pull_requests: int
    commits: tuple[LinkedCommit, ...]  # newest first
    items: tuple[LinkedItem, ...]  # epics first, then open before done, newest first
    contributors: tuple[ContributorInfo, ...]  # most work first
    delivery: InitiativeDelivery | None  # progress, projection and risks (delivery status)
    # Edits (web, API) name the version they were based on; see services.initiative_edit.
    version: int = 1
    public: bool = False  # shown on the stakeholder portal
    votes: int = 0  # portal votes, and their weights summed (services.portal)
    vote_weight: float = 0.0
    comments: tuple[CommentPublic, ...] = ()  # oldest first
    decisions: tuple[LinkedDecision, ...] = ()  # newest first


def initiative_detail(
    handle: OpenWorkspace, key: str, *, today: dt.date | None = None
) -> InitiativeDetail:
    """The initiative ``key`` of the workspace's product; NotFoundError when there is none.

    ``today`` dates the delivery status (default: the current date).
    """
    detail = _detail(handle, key)
    # Its own entry of delivery_status, read for it and its dependencies alone.
    found = initiative_delivery(handle, detail.key, today=today)
    scores = ranked_initiatives(handle)
    mine = next((s for s in scores if s.key == detail.key), None)
    return detail.model_copy(update={"delivery": found, "score": score_info(mine, len(scores))})


def _detail(handle: OpenWorkspace, key: str) -> InitiativeDetail:
    with handle.store.read() as session:
        product = session.scalar(select(Product).where(Product.key == handle.workspace.product))
        initiative = None
        if product is not None:
            initiative = session.scalar(
                select(Initiative)
                .where(Initiative.product_id == product.id, Initiative.key == key)
                .options(
                    joinedload(Initiative.team),
                    joinedload(Initiative.objective),
                    joinedload(Initiative.milestone),
                )
            )
        if product is None or initiative is None:
            raise NotFoundError(f"no initiative '{key}' in this workspace")
        commits = _commits(session, initiative.id)
        items = _items(session, initiative.id)
        depends_on, needed_by = _dependencies(session, initiative.id)
        social = social_of(session, initiative.id)
        return InitiativeDetail(
            product=ProductInfo(
                key=product.key, name=product.name, description=product.description
            ),
            key=initiative.key,
            title=initiative.title,
            description=initiative.description,
            status=initiative.status,
            team=Ref(key=initiative.team.key, name=initiative.team.name)
            if initiative.team
            else None,
            objective=Ref(key=initiative.objective.key, name=initiative.objective.title)
            if initiative.objective
            else None,
            milestone=MilestoneRef(
                key=initiative.milestone.key,
                name=initiative.milestone.name,
                target_date=initiative.milestone.target_date,
            )
            if initiative.milestone
            else None,
            estimate=_estimate(initiative),
            evidence=evidence(session, initiative.id),
            score=None,
            work_epics=_split(initiative.work_epics, "\n"),
            work_labels=_split(initiative.work_labels, "\n"),
            depends_on=depends_on,
            needed_by=needed_by,
            links_by_rule=dict(
                sorted(Counter([c.rule for c in commits] + [i.rule for i in items]).items())
            ),
            pull_requests=sum(1 for c in commits if c.pull_request is not None),
            commits=commits,
            items=items,
            contributors=_contributors(commits, items, Bots.of(handle.workspace.delivery.bots)),
            delivery=None,
            version=initiative.version,
            public=initiative.public,
            votes=social.votes,
            vote_weight=social.weight,
            comments=social.comments,
            decisions=_decisions(session, initiative.id),
        )


def _decisions(session: Session, initiative_id: int) -> tuple[LinkedDecision, ...]:
    rows = session.scalars(
        select(Decision)
        .where(Decision.initiative_id == initiative_id)
        .order_by(Decision.decided_on.desc(), Decision.key)
    )
    return tuple(
        LinkedDecision(
            key=d.key,
            title=d.title,
            decision=d.decision,
            decided_on=d.decided_on,
            review_on=d.review_on,
            status=d.status,
        )
        for d in rows
    )


def _commits(session: Session, initiative_id: int) -> tuple[LinkedCommit, ...]:
    rows = session.execute(
        select(Commit, Contributor.name, Repository.name, WorkLink.rule)
        .join(WorkLink, WorkLink.commit_id == Commit.id)
        .join(Repository, Repository.id == Commit.repository_id)
        .outerjoin(Contributor, Contributor.id == Commit.author_id)
        .where(WorkLink.initiative_id == initiative_id)
        .order_by(Commit.committed_at.desc(), Commit.sha)
    ).all()
    return tuple(
        LinkedCommit(
            repository=repository,
            sha=commit.sha,
            subject=commit.subject,
            author=author,
            committed_at=commit.committed_at,
            is_merge=commit.is_merge,
            pull_request=int(m.group(1)) if (m := _PULL_REQUEST.match(commit.subject)) else None,
            title=_title(commit),
            rule=rule,
        )
        for commit, author, repository, rule in rows
    )


def _title(commit: Commit) -> str:
    """What a person calls the commit: a merge's pull request title when it has one."""
    if commit.is_merge:
        for line in commit.body.splitlines():
            if line.strip():
                return line.strip()
    return commit.subject


def _items(session: Session, initiative_id: int) -> tuple[LinkedItem, ...]:
    rows = session.execute(
        select(TrackerItem, WorkLink.rule)
        .join(WorkLink, WorkLink.tracker_item_id == TrackerItem.id)
        .where(WorkLink.initiative_id == initiative_id)
    ).all()
    found = [
        LinkedItem(
            source=item.source,
            key=item.key,
            title=item.title,
            item_type=item.item_type,
            status=item.status,
            status_category=item.status_category,
            assignee=item.assignee,
            opened_at=item.opened_at,
            resolved_at=item.resolved_at,
            # Only web addresses become links: an export could carry "javascript:" URLs.
            url=item.url if item.url and item.url.startswith(("https://", "http://")) else None,
            rule=rule,
        )
        for item, rule in rows
    ]
    order = {"in_progress": 0, "todo": 1, "done": 2}
    found.sort(key=lambda i: (i.item_type != "epic", i.key))
    found.sort(key=lambda i: i.resolved_at or i.opened_at, reverse=True)
    found.sort(key=lambda i: (i.item_type != "epic", order.get(i.status_category, 3)))
    return tuple(found)


def _dependencies(
    session: Session, initiative_id: int
) -> tuple[tuple[InitiativeRef, ...], tuple[InitiativeRef, ...]]:
    other = aliased(Initiative)
    depends_on = session.execute(
        select(other.key, other.title, other.status)
        .join(InitiativeDependency, InitiativeDependency.depends_on_id == other.id)
        .where(InitiativeDependency.initiative_id == initiative_id)
        .order_by(InitiativeDependency.position)
    ).all()
    needed_by = session.execute(
        select(other.key, other.title, other.status)
        .join(InitiativeDependency, InitiativeDependency.initiative_id == other.id)
        .where(InitiativeDependency.depends_on_id == initiative_id)
        .order_by(other.position, other.key)
    ).all()
    return (
        tuple(InitiativeRef(key=k, title=t, status=s) for k, t, s in depends_on),
        tuple(InitiativeRef(key=k, title=t, status=s) for k, t, s in needed_by),
    )


def _contributors(
    commits: tuple[LinkedCommit, ...], items: tuple[LinkedItem, ...], bots: Bots
) -> tuple[ContributorInfo, ...]:
    # Bots (dependency updates and the like) are not people: they contribute nobody's work.
    made: Counter[str] = Counter()
    last: dict[str, dt.datetime] = {}
    for commit in commits:
        if commit.author is None or commit.is_merge or bots.is_bot(commit.author):
            continue
        made[commit.author] += 1
        if commit.author not in last or commit.committed_at > last[commit.author]:
            last[commit.author] = commit.committed_at
    held = Counter(
        i.assignee
        for i in items
        if i.assignee and i.item_type != "epic" and not bots.is_bot(i.assignee)
    )
    people = sorted(set(made) | set(held), key=lambda n: (-(made[n] + held[n]), n))
    return tuple(
        ContributorInfo(name=n, commits=made[n], items=held[n], last_commit=last.get(n))
        for n in people
    )


def _estimate(initiative: Initiative) -> EstimateInfo | None:
    low, mid, high = (
        initiative.estimate_optimistic,
        initiative.estimate_likely,
        initiative.estimate_pessimistic,
    )
    if low is None or mid is None or high is None:
        return None
    return EstimateInfo(optimistic=low, likely=mid, pessimistic=high)


def _split(text: str, separator: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(separator) if part.strip())
