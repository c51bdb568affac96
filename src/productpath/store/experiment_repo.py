"""Experiments and their stored read-outs; a re-analysis under the same key replaces both."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from productpath.store.models import Experiment, ExperimentResult, utcnow


def find(session: Session, product_id: int, key: str) -> Experiment | None:
    return session.scalar(
        select(Experiment)
        .options(selectinload(Experiment.results))
        .where(Experiment.product_id == product_id, Experiment.key == key)
    )


def save(
    session: Session,
    product_id: int,
    key: str,
    fields: Mapping[str, Any],
    results: Sequence[Mapping[str, Any]],
) -> Experiment:
    """Create or overwrite the experiment ``key`` with ``fields`` and its ``results``."""
    experiment = find(session, product_id, key)
    if experiment is None:
        experiment = Experiment(product_id=product_id, key=key)
        session.add(experiment)
    for name, value in fields.items():
        setattr(experiment, name, value)
    experiment.analysed_at = utcnow()
    experiment.results = [ExperimentResult(position=i, **r) for i, r in enumerate(results)]
    session.flush()
    return experiment


def list_all(session: Session, product_id: int) -> list[Experiment]:
    stmt = (
        select(Experiment)
        .options(selectinload(Experiment.results))
        .where(Experiment.product_id == product_id)
        .order_by(Experiment.analysed_at.desc(), Experiment.id.desc())
    )
    return list(session.scalars(stmt))
