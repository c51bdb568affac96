"""One initiative's delivery status (progress, projection, risks) for its page, read for that
initiative and its direct dependencies only.

``delivery_status`` builds the status of every initiative of the roadmap; an initiative's own
entry depends only on its own linked work and on the progress of what it depends on (the
"dependency slipping" risk), so building the status of that handful of initiatives with the same
``build_status`` gives the same entry at a fraction of the reads. Archived initiatives have no
delivery status (as in ``delivery_status``), and an archived dependency is left out the same way.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.delivery.progress import InitiativeWork
from productpath.delivery.risks import RiskSettings
from productpath.delivery.status import InitiativeDelivery, build_status
from productpath.domain.roadmap import InitiativeStatus
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo, work_records
from productpath.store.models import Initiative, InitiativeDependency, Milestone

ARCHIVED = InitiativeStatus.ARCHIVED.value
STALE_DAYS = 14  # delivery_status's default, which the initiative page has always shown


def initiative_delivery(
    handle: OpenWorkspace, key: str, *, today: dt.date | None = None
) -> InitiativeDelivery | None:
    """The delivery status ``delivery_status(handle, today=today)`` gives the initiative
    ``key``; None when there is no such live (unarchived) initiative."""
    today = today or dt.date.today()
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        me = None
        if product_id is not None:
            me = session.scalar(
                select(Initiative.id).where(
                    Initiative.product_id == product_id, Initiative.key == key
                )
            )
        if product_id is None or me is None:
            return None
        works = _works(session, product_id, me)
    if not works or works[0].key != key:
        return None  # archived
    status = build_status(works, [], today, settings=RiskSettings(stale_days=STALE_DAYS))
    return status.initiatives[0]


def _works(session: Session, product_id: int, me: int) -> list[InitiativeWork]:
    """The initiative (first) and its live direct dependencies, with their linked work."""
    needed = [me] + [
        d
        for d in session.scalars(
            select(InitiativeDependency.depends_on_id).where(
                InitiativeDependency.initiative_id == me
            )
        )
        if d != me
    ]
    rows = {
        row.id: row
        for row in session.execute(
            select(
                Initiative.id,
                Initiative.key,
                Initiative.title,
                Initiative.status,
                Milestone.key.label("milestone"),
                Milestone.target_date,
            )
            .outerjoin(Milestone, Milestone.id == Initiative.milestone_id)
            .where(Initiative.id.in_(needed), Initiative.status != ARCHIVED)
        )
    }
    keys = dict(
        session.execute(
            select(Initiative.id, Initiative.key).where(Initiative.product_id == product_id)
        ).all()
    )
    depends_on: dict[int, list[str]] = {i: [] for i in rows}
    for initiative_id, depends_on_id in session.execute(
        select(InitiativeDependency.initiative_id, InitiativeDependency.depends_on_id)
        .where(InitiativeDependency.initiative_id.in_(list(rows)))
        .order_by(InitiativeDependency.position, InitiativeDependency.depends_on_id)
    ):
        depends_on[initiative_id].append(keys[depends_on_id])
    commits, items = work_records.linked_work(session, product_id, list(rows))
    return [
        InitiativeWork(
            key=row.key,
            title=row.title,
            status=row.status,
            milestone=row.milestone,
            target_date=row.target_date,
            depends_on=tuple(depends_on[row_id]),
            commits=tuple(commits.get(row_id, ())),
            items=tuple(items.get(row_id, ())),
        )
        for row_id in needed
        if (row := rows.get(row_id)) is not None
    ]
