"""Past roadmap forecasts for the demo, so its retrospective has something to score.

Each snapshot is a real run of the roadmap simulator as of an earlier day: initiatives that
shipped after that day are put back as they stood then (planned, or in progress with the share
of linked items not yet resolved on that day), and the run is stored with that day as its
``created_at``. Initiatives still open today keep today's state, which a real past forecast
would not have known; the demo's retrospective scores only the shipped ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from productpath.domain.plan_inputs import IN_PROGRESS
from productpath.planning.roadmap_sim import forecast_roadmap
from productpath.services.forecasting.planning import MIN_REMAINING, inputs_record, plan_inputs
from productpath.services.forecasting.retro import shipped_span
from productpath.services.workspace import OpenWorkspace
from productpath.store import forecast_repo, product_repo, work_records, work_repo

__all__ = ["record_past_forecasts"]

TRIALS = 2_000


def record_past_forecasts(
    handle: OpenWorkspace, days: tuple[dt.date, ...], *, seed: int = 0
) -> int:
    """Store one ``roadmap`` forecast as of each day in ``days``; returns how many were stored."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        ids = {refs.key: row_id for row_id, refs in work_repo.initiatives(session, product_id or 0)}
        commits, items = work_records.linked_work(session, product_id or 0)
    stored = 0
    for n, as_of in enumerate(days):
        inputs = plan_inputs(handle, start=as_of, today=as_of)
        initiatives = []
        for item in inputs.initiatives:
            row_id = ids.get(item.key, -1)
            linked = items.get(row_id, [])
            started, shipped = shipped_span(linked, commits.get(row_id, []))
            if item.status != "done" or shipped is None or shipped <= as_of:
                initiatives.append(item)
                continue
            scope = [i for i in linked if i.in_scope]
            resolved = sum(
                1 for i in scope if i.resolved_at is not None and i.resolved_at.date() <= as_of
            )
            if started is not None and started <= as_of and scope:
                share = max(1 - resolved / len(scope), MIN_REMAINING)
                initiatives.append(replace(item, status=IN_PROGRESS, remaining=share))
            else:
                initiatives.append(replace(item, status="planned", remaining=1.0))
        # No pace floor: the linked items carry today's status, so a pace taken from them as of
        # a past day would count work finished after it. A past forecast goes by its estimates.
        unpaced = tuple(replace(i, pace_finish=None, pace_weeks=()) for i in initiatives)
        past = replace(inputs, initiatives=unpaced, notes=())
        result = forecast_roadmap(past, trials=TRIALS, seed=seed + n, today=as_of)
        with handle.store.write() as session:
            product_id = product_repo.find_id(session, handle.workspace.product)
            assert product_id is not None
            forecast_repo.save_run(
                session,
                product_id,
                kind="roadmap",
                trials=TRIALS,
                seed=seed + n,
                inputs=inputs_record(past),
                result=result.model_dump(mode="json"),
                created_at=dt.datetime.combine(as_of, dt.time(9), tzinfo=dt.UTC),
            )
        stored += 1
    return stored
