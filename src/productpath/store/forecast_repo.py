"""Forecast snapshots: every forecast run is kept with its inputs and percentiles, so a later
retrospective can compare what was predicted with what happened."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.store.models import ForecastRun


def save_run(
    session: Session,
    product_id: int,
    *,
    kind: str,
    trials: int,
    seed: int | None,
    inputs: Mapping[str, Any],
    result: Mapping[str, Any],
    created_at: dt.datetime | None = None,
) -> ForecastRun:
    """Store one forecast; ``inputs`` and ``result`` must be JSON-serialisable (dates as text).

    ``created_at`` (default: now) lets a snapshot be recorded as of an earlier day.
    """
    run = ForecastRun(
        product_id=product_id,
        kind=kind,
        trials=trials,
        seed=seed,
        inputs=json.dumps(inputs, sort_keys=True, default=str),
        result=json.dumps(result, sort_keys=True, default=str),
    )
    if created_at is not None:
        run.created_at = created_at
    session.add(run)
    session.flush()
    return run


def list_runs(
    session: Session, product_id: int, *, kind: str | None = None, limit: int | None = None
) -> list[ForecastRun]:
    """Stored forecasts, newest first."""
    stmt = select(ForecastRun).where(ForecastRun.product_id == product_id)
    if kind is not None:
        stmt = stmt.where(ForecastRun.kind == kind)
    stmt = stmt.order_by(ForecastRun.created_at.desc(), ForecastRun.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))
