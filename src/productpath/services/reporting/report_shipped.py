"""What shipped in a window: done initiatives with their ship day, theme and cleaned work lines.

An initiative's ship day is the finish of its linked work (see :func:`services.forecasting.retro.
shipped_span`); a done initiative with no dated work counts from the day its row last changed
(when the roadmap marked it done). What customers asked for is the name of the first customer
theme it answers (accepted evidence links, roadmap order), or nothing when it answers none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.delivery.progress import day
from productpath.domain.work import CommitRecord, ItemRecord
from productpath.reports.cleaning import clean_titles
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
    """Cleaned titles of the work finished in the window: tracker items (not epics), else the
    commits that are not merges."""
    titles = [
        i.title
        for i in items
        if not i.is_epic and i.resolved_at is not None and since <= day(i.resolved_at) <= until
    ]
    if not titles:
        titles = [
            c.subject
            for c in commits
            if not c.is_merge
            and c.committed_at is not None
            and since <= day(c.committed_at) <= until
        ]
    return clean_titles(titles, names)
