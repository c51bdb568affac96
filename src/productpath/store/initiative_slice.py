"""The part of a stored roadmap that the rules read when one initiative's own fields change:
the initiative as roadmap.yaml holds it, the keys the roadmap's initiatives may name, and the
dependency graph, read as plain rows (no whole :class:`RoadmapDoc` is built).

``services.roadmap_edit`` validates such an edit with it, through the same rules and wording as
``roadmap apply`` (``ingest.roadmap_yaml.validate_initiative_edit``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.domain.roadmap import InitiativeSpec, ProductSpec
from productpath.domain.roadmap_rules import Known
from productpath.store import evidence_repo, roadmap_stakeholders
from productpath.store.models import (
    Initiative,
    InitiativeDependency,
    Milestone,
    Objective,
    Product,
    Stakeholder,
    Team,
)
from productpath.store.roadmap_repo import _initiative_spec


@dataclass(frozen=True)
class InitiativeSlice:
    """One stored initiative and what the roadmap rules need to check a change of it."""

    product: ProductSpec
    spec: InitiativeSpec
    position: int  # its place among the roadmap's initiatives (0 = first)
    known: Known
    order: tuple[str, ...]  # every initiative's key, in roadmap order
    edges: dict[str, tuple[str, ...]]  # what each initiative depends on, as stored


def initiative_slice(session: Session, product_id: int, key: str) -> InitiativeSlice | None:
    """The slice around the initiative ``key``; None when the product has no such one."""
    product = session.get(Product, product_id)
    row = session.scalar(
        select(Initiative).where(Initiative.product_id == product_id, Initiative.key == key)
    )
    if product is None or row is None:
        return None
    keyed = session.execute(
        select(Initiative.id, Initiative.key)
        .where(Initiative.product_id == product_id)
        .order_by(Initiative.position, Initiative.id)
    ).all()
    keys = {row_id: k for row_id, k in keyed}
    edges: dict[str, list[str]] = {k: [] for k in keys.values()}
    for initiative_id, depends_on_id in session.execute(
        select(InitiativeDependency.initiative_id, InitiativeDependency.depends_on_id)
        .join(Initiative, Initiative.id == InitiativeDependency.initiative_id)
        .where(Initiative.product_id == product_id)
        .order_by(InitiativeDependency.position, InitiativeDependency.depends_on_id)
    ):
        edges[keys[initiative_id]].append(keys[depends_on_id])
    objectives, teams, milestones = (
        _keys(session, model, product_id) for model in (Objective, Team, Milestone)
    )
    stakeholders = session.scalars(
        select(Stakeholder.key).where(
            Stakeholder.product_id == product_id, Stakeholder.roadmap_position.is_not(None)
        )
    )
    links = evidence_repo.load_links(session, {row.id: row.key})[row.id]
    spec = _initiative_spec(
        row,
        {i: k for k, i in objectives.items()},
        {i: k for k, i in teams.items()},
        {i: k for k, i in milestones.items()},
        edges[row.key],
    ).model_copy(
        update={
            "themes": links.themes,
            "feedback": links.feedback,
            "score": evidence_repo.load_overrides(session, [row.id]).get(row.id),
            "raci": roadmap_stakeholders.load_raci(session, product_id, [row.id]).get(row.id),
        }
    )
    order = tuple(keys.values())
    return InitiativeSlice(
        product=ProductSpec(id=product.key, name=product.name, description=product.description),
        spec=spec,
        position=order.index(row.key),
        known=Known(
            objectives=frozenset(objectives),
            teams=frozenset(teams),
            milestones=frozenset(milestones),
            initiatives=frozenset(order),
            stakeholders=frozenset(stakeholders),
        ),
        order=order,
        edges={k: tuple(v) for k, v in edges.items()},
    )


def _keys(
    session: Session, model: type[Objective | Team | Milestone], product_id: int
) -> dict[str, int]:
    rows = session.execute(select(model.key, model.id).where(model.product_id == product_id))
    return {k: i for k, i in rows}
