"""What shipped in a window: done initiatives with their ship day, theme and cleaned work lines.

An initiative's ship day is the finish of its linked work (see :func:`services.forecasting.retro.
shipped_span`); a done initiative with no dated work counts from the day its row last changed
(when the roadmap marked it done). What customers asked for is the name of the first customer
theme it answers (accepted evidence links, roadmap order), or nothing when it answers none.

Reports for users (the customer report and the release notes) keep only user-facing work, by the
rule :data:`USER_FACING_RULE` states (and the reports print): initiatives on the public roadmap
or answering a customer theme; within them the finished items not labelled as internal work;
near-duplicate lines merged. Work closed without being done never counts (see
:func:`productpath.domain.work.closes_without_doing`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.delivery.progress import day
from productpath.domain.work import CommitRecord, ItemRecord
from productpath.reports.cleaning import clean_titles, merge_near_duplicates
from productpath.reports.shipped_report import ShippedItem
from productpath.services.forecasting.retro import shipped_span
from productpath.store import work_records
from productpath.store.models import (
    EvidenceLink,
    Initiative,
    Milestone,
    Repository,
    Team,
    Theme,
)


@dataclass(frozen=True)
class Shipped:
    key: str
    title: str
    description: str
    shipped_on: dt.date
    asked_for: str  # the first customer theme it answers, as a phrase; "" when none
    changes: tuple[str, ...]
    public: bool = False  # on the stakeholder portal's public roadmap

    @property
    def user_facing(self) -> bool:
        return self.public or bool(self.asked_for)


# Labels that mark an item as work users never see; compared case-insensitively.
INTERNAL_LABELS = frozenset(
    {
        "backend",
        "back-end",
        "internal",
        "infra",
        "infrastructure",
        "tech-debt",
        "techdebt",
        "tech debt",
        "devops",
        "ops",
        "refactor",
        "chore",
        "no-release-notes",
        "skip-changelog",
        "no-changelog",
    }
)
USER_FACING_RULE = (
    "Chosen for users: initiatives on the public roadmap or answering a customer request; "
    "within them, finished work not labelled internal (backend, infra, tech-debt...). Work "
    "closed without being done (Won't Do, Duplicate...) is left out and near-duplicate lines "
    "are merged."
)
# When the roadmap marks nothing public and links nothing to customer requests, it cannot tell
# user-facing initiatives from internal ones: every delivered initiative is shown.
UNMARKED_RULE = (
    "Chosen for users: every delivered initiative (the roadmap marks none public and links "
    "none to a customer request); within them, finished work not labelled internal (backend, "
    "infra, tech-debt...). Work closed without being done (Won't Do, Duplicate...) is left out "
    "and near-duplicate lines are merged."
)


def for_users(
    session: Session, product_id: int, shipped: list[Shipped]
) -> tuple[list[Shipped], list[str], str]:
    """The user-facing initiatives, the titles of those left out as internal work, and the
    rule that chose them, in words."""
    if not _roadmap_marks_user_facing(session, product_id):
        return shipped, [], UNMARKED_RULE
    kept = [s for s in shipped if s.user_facing]
    return kept, [s.title for s in shipped if not s.user_facing], USER_FACING_RULE


def _roadmap_marks_user_facing(session: Session, product_id: int) -> bool:
    public = select(Initiative.id).where(
        Initiative.product_id == product_id, Initiative.public.is_(True)
    )
    answered = (
        select(EvidenceLink.id)
        .join(Initiative, Initiative.id == EvidenceLink.initiative_id)
        .where(Initiative.product_id == product_id, EvidenceLink.status == "accepted")
    )
    return (
        session.scalar(public.limit(1)) is not None or session.scalar(answered.limit(1)) is not None
    )


def shipped_between(
    session: Session,
    product_id: int,
    since: dt.date,
    until: dt.date,
    *,
    milestone_id: int | None = None,
) -> list[Shipped]:
    """Done initiatives whose ship day is in ``since``..``until`` (both included), by ship day."""
    stmt = (
        select(Initiative)
        .where(Initiative.product_id == product_id, Initiative.status == "done")
        .order_by(Initiative.position, Initiative.key)
    )
    if milestone_id is not None:
        stmt = stmt.where(Initiative.milestone_id == milestone_id)
    rows = list(session.scalars(stmt))
    if not rows:
        return []
    commits, items = work_records.linked_work(session, product_id)
    themes = _first_themes(session, [r.id for r in rows])
    names = _internal_names(session, product_id, rows, items.values())
    out = []
    for row in rows:
        linked_items, linked_commits = items.get(row.id, []), commits.get(row.id, [])
        _, shipped = shipped_span(linked_items, linked_commits)
        if shipped is None:
            shipped = day(row.updated_at)
        if not since <= shipped <= until:
            continue
        out.append(
            Shipped(
                key=row.key,
                title=row.title,
                description=" ".join(row.description.split()),
                shipped_on=shipped,
                asked_for=_phrase(themes.get(row.id, "")),
                changes=tuple(
                    _changes(linked_items, linked_commits, since, until, [*names, row.key])
                ),
                public=row.public,
            )
        )
    out.sort(key=lambda s: (s.shipped_on, s.title))
    return out


def report_items(shipped: list[Shipped]) -> tuple[ShippedItem, ...]:
    """What the customer report and the release notes show of each shipped initiative."""
    return tuple(
        ShippedItem(s.title, s.description, s.shipped_on, s.changes, s.asked_for) for s in shipped
    )


def _phrase(label: str) -> str:
    # A theme named before names became phrases is a keyword list ("transfer · failed ·
    # flat"): read it as a phrase.
    words = [w.strip() for w in label.split("·") if w.strip()]
    text = ", ".join(words) if len(words) > 1 else label
    return text[:1].upper() + text[1:]


def _first_themes(session: Session, initiative_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    rows = session.execute(
        select(EvidenceLink.initiative_id, Theme.label)
        .join(Theme, Theme.id == EvidenceLink.theme_id)
        .where(
            EvidenceLink.initiative_id.in_(initiative_ids),
            EvidenceLink.status == "accepted",
        )
        .order_by(EvidenceLink.initiative_id, EvidenceLink.position, EvidenceLink.id)
    )
    for initiative_id, label in rows:
        found.setdefault(initiative_id, label)
    return found


def _internal_names(
    session: Session,
    product_id: int,
    rows: list[Initiative],
    items: Iterable[list[ItemRecord]],
) -> list[str]:
    """Team, repository and branch names, epic keys: words only the team knows."""
    names: list[str] = []
    for key, name in session.execute(
        select(Team.key, Team.name).where(Team.product_id == product_id)
    ):
        names.extend((key, name))
    names.extend(
        session.scalars(select(Repository.name).where(Repository.product_id == product_id))
    )
    names.extend(session.scalars(select(Milestone.key).where(Milestone.product_id == product_id)))
    for row in rows:
        names.extend(e for e in row.work_epics.split() if e)
    for group in items:
        names.extend(i.branch for i in group if i.branch)
    return names


def _changes(
    items: list[ItemRecord],
    commits: list[CommitRecord],
    since: dt.date,
    until: dt.date,
    names: list[str],
) -> list[str]:
    """Cleaned titles of the work finished in the window: tracker items (not epics, not
    dropped, not labelled internal), else the commits that are not merges; near-duplicates
    merged."""
    titles = [
        i.title
        for i in items
        if i.in_scope
        and i.is_done
        and i.resolved_at is not None
        and since <= day(i.resolved_at) <= until
        and not any(label.casefold() in INTERNAL_LABELS for label in i.labels)
    ]
    if not titles:
        titles = [
            c.subject
            for c in commits
            if not c.is_merge
            and c.committed_at is not None
            and since <= day(c.committed_at) <= until
        ]
    return merge_near_duplicates(clean_titles(titles, names))
