"""The retrospective: stored roadmap forecasts and estimates against what delivery shows, and
the outcome review of shipped initiatives' target KPIs.

When an initiative happened comes from its linked work (see docs/delivery.md for linking):

* **shipped** (its actual finish): the latest ``resolved_at`` of its linked tracker items (epics
  left out: an epic is often closed later, as housekeeping); with no resolved item, the latest
  linked commit.
* **started**: the earliest of its linked items' ``started_at`` and linked commits; with
  neither, the earliest item opened.

Only initiatives whose roadmap status is ``done`` count as finished.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from productpath.delivery.progress import day
from productpath.domain.views import View
from productpath.domain.work import CommitRecord, ItemRecord
from productpath.learning.outcome import POST_DAYS, PRE_DAYS, Outcome, review
from productpath.learning.retro import (
    EstimateInput,
    EstimateRetro,
    ForecastRetro,
    Prediction,
    estimate_retro,
    forecast_retro,
)
from productpath.services.workspace import OpenWorkspace
from productpath.store import forecast_repo, kpi_repo, product_repo, work_records
from productpath.store.models import Initiative

__all__ = [
    "OutcomeRow",
    "Retro",
    "outcome_review",
    "retrospective",
    "shipped_span",
]


class Retro(View):
    product: str
    forecasts: ForecastRetro
    estimates: EstimateRetro


class OutcomeRow(View):
    initiative: str
    title: str
    kpi: str
    kpi_name: str | None
    outcome: Outcome | None
    note: str


def shipped_span(
    items: Sequence[ItemRecord], commits: Sequence[CommitRecord]
) -> tuple[dt.date | None, dt.date | None]:
    """(started, shipped) of an initiative's linked work; None where the work does not say."""
    scope = [i for i in items if i.in_scope]
    resolved = [day(i.resolved_at) for i in scope if i.resolved_at is not None]
    committed = [day(c.committed_at) for c in commits if c.committed_at is not None]
    shipped = max(resolved) if resolved else max(committed, default=None)
    starts = [day(i.started_at) for i in scope if i.started_at is not None] + committed
    if not starts:
        starts = [day(i.opened_at) for i in scope]
    return min(starts, default=None), shipped


class _Done(View):
    key: str
    title: str
    team: str | None
    capacity: float | None
    estimate: tuple[float, float, float] | None
    target_kpi: str | None
    started: dt.date | None
    shipped: dt.date | None


def _done(handle: OpenWorkspace) -> tuple[int, list[_Done]]:
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:  # pragma: no cover - opening a workspace creates its product
            return 0, []
        rows = session.scalars(
            select(Initiative)
            .where(Initiative.product_id == product_id, Initiative.status == "done")
            .options(joinedload(Initiative.team))
            .order_by(Initiative.position, Initiative.id)
        ).all()
        commits, items = work_records.linked_work(session, product_id)
        out = []
        for row in rows:
            started, shipped = shipped_span(items.get(row.id, ()), commits.get(row.id, ()))
            low, likely, high = (
                row.estimate_optimistic,
                row.estimate_likely,
                row.estimate_pessimistic,
            )
            out.append(
                _Done(
                    key=row.key,
                    title=row.title,
                    team=row.team.key if row.team else None,
                    capacity=row.team.capacity_per_week if row.team else None,
                    estimate=(low, likely, high)
                    if low is not None and likely is not None and high is not None
                    else None,
                    target_kpi=row.target_kpi,
                    started=started,
                    shipped=shipped,
                )
            )
    return product_id, out


def _predictions(handle: OpenWorkspace, product_id: int) -> tuple[int, list[Prediction]]:
    with handle.store.read() as session:
        runs = forecast_repo.list_runs(session, product_id, kind="roadmap")
        out = []
        for run in runs:
            result = json.loads(run.result)
            made_on = run.created_at.date()
            for entry in result.get("initiatives", ()):
                finish = entry.get("finish") or {}
                if not all(finish.get(level) for level in ("p50", "p85", "p95")):
                    continue
                out.append(
                    Prediction(
                        snapshot=run.id,
                        made_on=made_on,
                        key=str(entry["key"]),
                        team=str(entry.get("team") or "(no team)"),
                        p50=dt.date.fromisoformat(finish["p50"]),
                        p85=dt.date.fromisoformat(finish["p85"]),
                        p95=dt.date.fromisoformat(finish["p95"]),
                    )
                )
    return len(runs), out


def retrospective(handle: OpenWorkspace) -> Retro:
    """Forecast hit rates and estimate calibration from what is stored now."""
    product_id, done = _done(handle)
    snapshots, predictions = _predictions(handle, product_id)
    finished = {d.key: d.shipped for d in done if d.shipped is not None}
    estimates = [
        EstimateInput(
            key=d.key,
            team=d.team,
            capacity_per_week=d.capacity,
            optimistic=d.estimate[0],
            likely=d.estimate[1],
            pessimistic=d.estimate[2],
            started=d.started,
            finished=d.shipped,
        )
        for d in done
        if d.team is not None
        and d.capacity is not None
        and d.estimate is not None
        and d.started is not None
        and d.shipped is not None
    ]
    return Retro(
        product=handle.workspace.product,
        forecasts=forecast_retro(predictions, finished, snapshots=snapshots),
        estimates=estimate_retro(estimates),
    )


def outcome_review(handle: OpenWorkspace) -> list[OutcomeRow]:
    """For each done initiative with a target KPI: did the KPI move after it shipped?"""
    product_id, done = _done(handle)
    rows: list[OutcomeRow] = []
    with handle.store.read() as session:
        for d in done:
            if d.target_kpi is None:
                continue
            kpi = kpi_repo.find(session, product_id, d.target_kpi)
            base = OutcomeRow(
                initiative=d.key,
                title=d.title,
                kpi=d.target_kpi,
                kpi_name=kpi.name if kpi else None,
                outcome=None,
                note="",
            )
            if kpi is None:
                note = f"no KPI '{d.target_kpi}' is stored; import it with 'productpath kpi import'"
                rows.append(base.model_copy(update={"note": note}))
                continue
            if d.shipped is None:
                note = "no linked work with a finish date, so the ship day is unknown"
                rows.append(base.model_copy(update={"note": note}))
                continue
            points = kpi_repo.series(
                session,
                kpi.id,
                start=d.shipped - dt.timedelta(days=PRE_DAYS),
                end=d.shipped + dt.timedelta(days=POST_DAYS),
            )
            outcome = review(
                [p[0] for p in points],
                [p[1] for p in points],
                d.shipped,
                higher_is_better=kpi.higher_is_better,
            )
            rows.append(base.model_copy(update={"outcome": outcome, "note": outcome.note}))
    return rows
