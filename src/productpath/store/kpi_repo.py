"""KPIs and their dated values: look-ups, upserts for imports, and series by date range."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from productpath.store import listing_rows
from productpath.store.models import KeyResult, Kpi, KpiPoint, Objective

CHUNK_SIZE = 1000


def find(session: Session, product_id: int, key: str) -> Kpi | None:
    return session.scalar(select(Kpi).where(Kpi.product_id == product_id, Kpi.key == key))


def by_key(session: Session, product_id: int) -> dict[str, Kpi]:
    return {k.key: k for k in session.scalars(select(Kpi).where(Kpi.product_id == product_id))}


def create(session: Session, product_id: int, key: str, name: str) -> Kpi:
    kpi = Kpi(product_id=product_id, key=key, name=name)
    session.add(kpi)
    session.flush()
    return kpi


def existing_points(session: Session, kpi_id: int) -> dict[tuple[dt.date, str], tuple[int, float]]:
    """(day, segment) -> (point id, value) for every stored point of the KPI."""
    rows = session.execute(
        select(KpiPoint.day, KpiPoint.segment, KpiPoint.id, KpiPoint.value).where(
            KpiPoint.kpi_id == kpi_id
        )
    )
    return {(day, segment): (pid, value) for day, segment, pid, value in rows}


def insert_points(session: Session, rows: list[Mapping[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK_SIZE):
        session.execute(insert(KpiPoint), rows[start : start + CHUNK_SIZE])


def update_values(session: Session, changes: Iterable[tuple[int, float, str, str]]) -> None:
    """(point id, new value, source, external_id) for each restated value."""
    for point_id, value, source, external_id in changes:
        session.execute(
            update(KpiPoint)
            .where(KpiPoint.id == point_id)
            .values(value=value, source=source, external_id=external_id)
        )


def summaries(
    session: Session, product_id: int
) -> list[tuple[Kpi, int, dt.date | None, dt.date | None]]:
    """Every KPI with its number of points and first and last day, by name."""
    stmt = (
        select(Kpi, func.count(KpiPoint.id), func.min(KpiPoint.day), func.max(KpiPoint.day))
        .outerjoin(KpiPoint, KpiPoint.kpi_id == Kpi.id)
        .where(Kpi.product_id == product_id)
        .group_by(Kpi.id)
        .order_by(Kpi.name, Kpi.id)
    )
    return [(kpi, count, first, last) for kpi, count, first, last in session.execute(stmt)]


def series(
    session: Session,
    kpi_id: int,
    *,
    segment: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[tuple[dt.date, float]]:
    """(day, value) in date order for one segment ("" = the whole product), within
    [start, end] when given: what trend charts and outcome reviews read. The one query is
    ``listing_rows.kpi_series``, which the CLI runs without the ORM."""
    return listing_rows.kpi_series(
        session.connection(), kpi_id, segment=segment, start=start, end=end
    )


def segments(session: Session, kpi_id: int) -> list[str]:
    return listing_rows.kpi_segments(session.connection(), kpi_id)


def link_key_result(session: Session, key_result_id: int, kpi_id: int | None) -> None:
    session.execute(update(KeyResult).where(KeyResult.id == key_result_id).values(kpi_id=kpi_id))


def find_key_result(
    session: Session, product_id: int, objective_key: str, key_result_key: str
) -> KeyResult | None:
    return session.scalar(
        select(KeyResult)
        .join(Objective, Objective.id == KeyResult.objective_id)
        .where(
            Objective.product_id == product_id,
            Objective.key == objective_key,
            KeyResult.key == key_result_key,
        )
    )


def keys_by_id(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {i: k for i, k in session.execute(select(Kpi.id, Kpi.key).where(Kpi.id.in_(wanted)))}


def point_counts(session: Session, product_id: int) -> dict[str, int]:
    """Number of stored values of every KPI of the product, by key (0 for an empty one)."""
    return {kpi.key: count for kpi, count, _, _ in summaries(session, product_id)}


def declare(session: Session, product_id: int, keys: Iterable[str]) -> dict[str, int]:
    """Ids of the KPIs ``keys`` name, creating each missing one empty (named by its key).

    The roadmap names KPIs before their values are imported; ``kpi import`` of a metric whose
    key matches then fills the same row (and gives it the metric's name).
    """
    existing = by_key(session, product_id)
    out: dict[str, int] = {}
    for key in dict.fromkeys(keys):
        kpi = existing.get(key) or create(session, product_id, key, key)
        out[key] = kpi.id
    return out


def drop_unused_empty(session: Session, product_id: int) -> list[str]:
    """Delete the product's KPIs that hold no values and nothing refers to; their keys.

    Only a roadmap's key result creates such a KPI, so one no longer named is a leftover
    (a typo fixed in roadmap.yaml, say) rather than anyone's data.
    """
    from productpath.store.models import Decision, DecisionEvidence

    used = (
        select(KeyResult.kpi_id)
        .where(KeyResult.kpi_id.is_not(None))
        .union(
            select(Decision.expected_kpi_id).where(Decision.expected_kpi_id.is_not(None)),
            select(DecisionEvidence.kpi_id).where(DecisionEvidence.kpi_id.is_not(None)),
            select(KpiPoint.kpi_id),
        )
    )
    stale = list(
        session.scalars(select(Kpi).where(Kpi.product_id == product_id, Kpi.id.not_in(used)))
    )
    for kpi in stale:
        session.delete(kpi)
    return [kpi.key for kpi in stale]


def key_result_series(
    session: Session, product_id: int
) -> dict[int, tuple[str, list[tuple[dt.date, float]]]]:
    """For each key result of the product that points at a KPI: (KPI key, whole-product series)."""
    rows = session.execute(
        select(KeyResult.id, Kpi.id, Kpi.key)
        .join(Objective, Objective.id == KeyResult.objective_id)
        .join(Kpi, Kpi.id == KeyResult.kpi_id)
        .where(Objective.product_id == product_id)
    ).all()
    cache: dict[int, list[tuple[dt.date, float]]] = {}
    out = {}
    for kr_id, kpi_id, key in rows:
        if kpi_id not in cache:
            cache[kpi_id] = series(session, kpi_id)
        out[kr_id] = (key, cache[kpi_id])
    return out
