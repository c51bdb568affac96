"""The risk check: tell watchers when a watched initiative became at risk or a watched
milestone's P85 date moved past its target, without waiting for ``digest send``.

It runs as a background job (``risk_check``), queued by the writes that can change either
(``services.delivery.request_risk_check``: a roadmap edit, apply, undo or move, a sync, a git
or tracker ingest) and by the periodic schedule (``services/background/schedule.py``), since
risks also come with time passing (an item going stale, a target date coming closer). Each
watcher is told once per transition: the watch remembers the warning until the risk clears
(``services.notifications``), so any number of runs tell them once.

The milestone dates are the page forecast's (the seeded forecast ``/roadmap``, ``/forecast``
and the milestone's page show), so a notification matches what its link shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from productpath.services.notifications import check_delivery, milestone_forecast
from productpath.services.pages.roadmap_timeline import timeline
from productpath.services.workspace import OpenWorkspace
from productpath.store import notification_repo, product_repo


@dataclass(frozen=True)
class RiskCheck:
    """How many people were told: of initiatives now at risk, of milestones now late."""

    at_risk: int
    late: int


def check_risks(handle: OpenWorkspace, *, today: dt.date | None = None) -> RiskCheck:
    """Look at every watched initiative's delivery risks and every watched milestone's P85
    as of ``today`` (default: the current date), and tell whoever has not been told yet."""
    at_risk = check_delivery(handle, today=today)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        watched = product_id is not None and notification_repo.any_watch(
            session, product_id, ("milestone",)
        )
    if not watched or product_id is None:
        return RiskCheck(at_risk=at_risk, late=0)
    plan = timeline(handle, today=today)
    if plan.forecast is None:  # no forecast (no roadmap, no estimates): nothing moved
        return RiskCheck(at_risk=at_risk, late=0)
    finishes = [
        (m.key, m.name, m.target_date, m.finish.p85 if m.finish else None)
        for m in plan.forecast.milestones
    ]
    with handle.store.write() as session:
        late = milestone_forecast(session, product_id, finishes)
    return RiskCheck(at_risk=at_risk, late=late)
