"""The decision log: decisions with their evidence, and the look-ups evidence refers to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from productpath.store.models import (
    Decision,
    Experiment,
    FeedbackItem,
    ForecastRun,
    Initiative,
    Kpi,
    Theme,
)


def find(session: Session, product_id: int, key: str) -> Decision | None:
    return session.scalar(
        select(Decision)
        .options(selectinload(Decision.evidence))
        .where(Decision.product_id == product_id, Decision.key == key)
    )


def list_all(session: Session, product_id: int) -> list[Decision]:
    stmt = (
        select(Decision)
        .options(selectinload(Decision.evidence))
        .where(Decision.product_id == product_id)
        .order_by(Decision.decided_on.desc(), Decision.id.desc())
    )
    return list(session.scalars(stmt))


def add(session: Session, decision: Decision) -> Decision:
    session.add(decision)
    session.flush()
    return decision


def theme_id(session: Session, product_id: int, number: int) -> int | None:
    return session.scalar(
        select(Theme.id).where(Theme.product_id == product_id, Theme.number == number)
    )


def feedback_id(session: Session, product_id: int, item_id: int) -> int | None:
    return session.scalar(
        select(FeedbackItem.id).where(
            FeedbackItem.product_id == product_id, FeedbackItem.id == item_id
        )
    )


def feedback_ids_by_external_id(
    session: Session, product_id: int, external_id: str
) -> list[tuple[int, str]]:
    """(id, source) of the items with this external id: one per source at most."""
    rows = session.execute(
        select(FeedbackItem.id, FeedbackItem.source)
        .where(FeedbackItem.product_id == product_id, FeedbackItem.external_id == external_id)
        .order_by(FeedbackItem.source)
    )
    return [(i, source) for i, source in rows]


def feedback_quote(session: Session, item_id: int) -> tuple[str, str, str] | None:
    """(external id, source, text) of a feedback item."""
    row = session.execute(
        select(FeedbackItem.external_id, FeedbackItem.source, FeedbackItem.text).where(
            FeedbackItem.id == item_id
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def kpi_id(session: Session, product_id: int, key: str) -> int | None:
    return session.scalar(select(Kpi.id).where(Kpi.product_id == product_id, Kpi.key == key))


def experiment_id(session: Session, product_id: int, key: str) -> int | None:
    return session.scalar(
        select(Experiment.id).where(Experiment.product_id == product_id, Experiment.key == key)
    )


def forecast_run_id(session: Session, product_id: int, run_id: int) -> int | None:
    return session.scalar(
        select(ForecastRun.id).where(ForecastRun.product_id == product_id, ForecastRun.id == run_id)
    )


def initiative_id(session: Session, product_id: int, key: str) -> int | None:
    return session.scalar(
        select(Initiative.id).where(Initiative.product_id == product_id, Initiative.key == key)
    )


def initiative_keys(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Initiative.id, Initiative.key).where(Initiative.id.in_(ids)))
    return {i: k for i, k in rows}


def kpi_keys(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {i: k for i, k in session.execute(select(Kpi.id, Kpi.key).where(Kpi.id.in_(ids)))}


def experiment_keys(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Experiment.id, Experiment.key).where(Experiment.id.in_(ids)))
    return {i: k for i, k in rows}


def theme_labels(session: Session, ids: set[int]) -> dict[int, tuple[int, str]]:
    if not ids:
        return {}
    rows = session.execute(select(Theme.id, Theme.number, Theme.label).where(Theme.id.in_(ids)))
    return {i: (n, label) for i, n, label in rows}
