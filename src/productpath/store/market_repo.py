"""The market sections of the roadmap in the tables: segments, customers, competitors and the
feature matrix.

Segments and customers are shared with ``customers import``: the roadmap manages only the rows
it lists (``roadmap_position`` is set), and a row it stops listing is released, never deleted,
because feedback may point at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.domain.roadmap import (
    CompetitorSpec,
    CustomerSpec,
    FeatureSpec,
    SegmentSpec,
    Support,
    SupportSpec,
)
from productpath.store.models import (
    Competitor,
    Customer,
    Feature,
    FeatureInitiative,
    FeatureSupport,
    Segment,
)
from productpath.store.upsert import assign, sync_keyed

_Listed = TypeVar("_Listed", Segment, Customer)
_Owned = TypeVar("_Owned", Competitor, Feature)


def load_segments(session: Session, product_id: int) -> tuple[SegmentSpec, ...]:
    return tuple(SegmentSpec(id=s.key, name=s.name) for s in _listed(session, Segment, product_id))


def load_customers(session: Session, product_id: int) -> tuple[CustomerSpec, ...]:
    segments = {
        segment_id: key
        for segment_id, key in session.execute(
            select(Segment.id, Segment.key).where(Segment.product_id == product_id)
        )
    }
    return tuple(
        CustomerSpec(
            id=c.key,
            name=c.name,
            segment=segments.get(c.segment_id) if c.segment_id is not None else None,
            annual_revenue=c.annual_revenue,
        )
        for c in _listed(session, Customer, product_id)
    )


def load_competitors(session: Session, product_id: int) -> tuple[CompetitorSpec, ...]:
    return tuple(
        CompetitorSpec(id=c.key, name=c.name, url=c.url)
        for c in _owned(session, Competitor, product_id)
    )


def load_features(
    session: Session, product_id: int, initiative_keys: dict[int, str]
) -> tuple[FeatureSpec, ...]:
    features = _owned(session, Feature, product_id)
    competitors = {c.id: c.key for c in _owned(session, Competitor, product_id)}
    ids = [f.id for f in features]
    cells: dict[int, list[SupportSpec]] = {i: [] for i in ids}
    for cell in session.scalars(
        select(FeatureSupport)
        .where(FeatureSupport.feature_id.in_(ids))
        .order_by(FeatureSupport.position, FeatureSupport.competitor_id)
    ):
        cells[cell.feature_id].append(
            SupportSpec(
                competitor=competitors[cell.competitor_id],
                level=Support(cell.level),
                source=cell.source,
            )
        )
    plans: dict[int, list[str]] = {i: [] for i in ids}
    for plan in session.scalars(
        select(FeatureInitiative)
        .where(FeatureInitiative.feature_id.in_(ids))
        .order_by(FeatureInitiative.position, FeatureInitiative.initiative_id)
    ):
        plans[plan.feature_id].append(initiative_keys[plan.initiative_id])
    return tuple(
        FeatureSpec(
            id=f.key,
            name=f.name,
            description=f.description,
            ours=Support(f.ours),
            planned_by=tuple(plans[f.id]),
            support=tuple(cells[f.id]),
        )
        for f in features
    )


def save_segments_and_customers(
    session: Session,
    product_id: int,
    segments: Sequence[SegmentSpec],
    customers: Sequence[CustomerSpec],
) -> None:
    """Upsert the listed segments and customers by key; release the ones no longer listed."""
    segment_rows = _upsert_listed(
        session, Segment, product_id, segments, lambda s: {"name": s.name}
    )
    session.flush()

    def customer_values(spec: CustomerSpec) -> dict[str, Any]:
        return {
            "name": spec.name,
            "segment_id": segment_rows[spec.segment].id if spec.segment else None,
            "annual_revenue": spec.annual_revenue,
        }

    _upsert_listed(session, Customer, product_id, customers, customer_values)
    session.flush()


def save_competition(
    session: Session,
    product_id: int,
    competitors: Sequence[CompetitorSpec],
    features: Sequence[FeatureSpec],
    initiative_ids: dict[str, int],
) -> None:
    """Make the competitor and feature tables hold exactly these, for this product."""
    competitor_rows, stale_competitors = _sync_owned(
        session,
        Competitor,
        product_id,
        competitors,
        lambda s: {"name": s.name, "url": s.url},
    )
    feature_rows, stale_features = _sync_owned(
        session,
        Feature,
        product_id,
        features,
        lambda s: {"name": s.name, "description": s.description, "ours": s.ours.value},
    )
    session.flush()
    for feature_row in stale_features:
        session.delete(feature_row)
    session.flush()
    for spec in features:
        feature = feature_rows[spec.id]
        _sync_cells(session, feature.id, spec.support, competitor_rows)
        _sync_plans(session, feature.id, [initiative_ids[k] for k in spec.planned_by])
    session.flush()
    for competitor_row in stale_competitors:
        session.delete(competitor_row)
    session.flush()


def _sync_cells(
    session: Session,
    feature_id: int,
    cells: Sequence[SupportSpec],
    competitors: dict[str, Competitor],
) -> None:
    existing = {
        c.competitor_id: c
        for c in session.scalars(
            select(FeatureSupport).where(FeatureSupport.feature_id == feature_id)
        )
    }
    for position, spec in enumerate(cells):
        competitor_id = competitors[spec.competitor].id
        row = existing.pop(competitor_id, None)
        if row is None:
            row = FeatureSupport(feature_id=feature_id, competitor_id=competitor_id)
            session.add(row)
        assign(row, level=spec.level.value, source=spec.source, position=position)
    for row in existing.values():
        session.delete(row)


def _sync_plans(session: Session, feature_id: int, initiative_ids: list[int]) -> None:
    existing = {
        p.initiative_id: p
        for p in session.scalars(
            select(FeatureInitiative).where(FeatureInitiative.feature_id == feature_id)
        )
    }
    for position, initiative_id in enumerate(initiative_ids):
        row = existing.pop(initiative_id, None)
        if row is None:
            row = FeatureInitiative(feature_id=feature_id, initiative_id=initiative_id)
            session.add(row)
        assign(row, position=position)
    for row in existing.values():
        session.delete(row)


def _listed(session: Session, model: type[_Listed], product_id: int) -> list[_Listed]:
    query = (
        select(model)
        .where(model.product_id == product_id, model.roadmap_position.is_not(None))
        .order_by(model.roadmap_position, model.id)
    )
    return list(session.scalars(query))


def _upsert_listed(
    session: Session,
    model: type[_Listed],
    product_id: int,
    specs: Sequence[Any],
    values: Any,
) -> dict[str, _Listed]:
    rows = {r.key: r for r in session.scalars(select(model).where(model.product_id == product_id))}
    kept: dict[str, _Listed] = {}
    for position, spec in enumerate(specs):
        row = rows.get(spec.id)
        if row is None:
            row = model(product_id=product_id, key=spec.id)
            session.add(row)
            rows[spec.id] = row
        assign(row, roadmap_position=position, **values(spec))
        kept[spec.id] = row
    for key, row in rows.items():
        if key not in kept:
            assign(row, roadmap_position=None)
    return kept


def _owned(session: Session, model: type[_Owned], product_id: int) -> list[_Owned]:
    query = select(model).where(model.product_id == product_id).order_by(model.position, model.id)
    return list(session.scalars(query))


def _sync_owned(
    session: Session, model: type[_Owned], product_id: int, specs: Sequence[Any], values: Any
) -> tuple[dict[str, _Owned], list[_Owned]]:
    existing = {row.key: row for row in _owned(session, model, product_id)}
    return sync_keyed(session, model, product_id, existing, specs, values)
