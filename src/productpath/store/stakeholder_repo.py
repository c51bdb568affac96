"""Stakeholders and their RACI assignments: lookup by key, upsert, listing, mapping."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from productpath.store.models import Initiative, RaciAssignment, Stakeholder

UpsertOutcome = Literal["added", "updated", "unchanged"]


def list_all(session: Session, product_id: int) -> list[Stakeholder]:
    """The product's stakeholders: roadmap order first, then the ones only the CLI added, by key."""
    stmt = (
        select(Stakeholder)
        .where(Stakeholder.product_id == product_id)
        .order_by(
            Stakeholder.roadmap_position.is_(None),
            Stakeholder.roadmap_position,
            Stakeholder.key,
        )
    )
    return list(session.scalars(stmt))


def find(session: Session, product_id: int, key: str) -> Stakeholder | None:
    stmt = select(Stakeholder).where(Stakeholder.product_id == product_id, Stakeholder.key == key)
    return session.scalar(stmt)


def upsert(
    session: Session, product_id: int, key: str, values: dict[str, Any]
) -> tuple[Stakeholder, UpsertOutcome]:
    """Create stakeholder ``key`` with ``values``, or set the values that differ on it."""
    row = find(session, product_id, key)
    if row is None:
        row = Stakeholder(product_id=product_id, key=key, **values)
        session.add(row)
        session.flush()
        return row, "added"
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    for name, value in changed.items():
        setattr(row, name, value)
    return row, "updated" if changed else "unchanged"


def remove(session: Session, row: Stakeholder) -> None:
    """Remove a stakeholder; its RACI rows and digest log go with it (ON DELETE CASCADE)."""
    session.execute(delete(RaciAssignment).where(RaciAssignment.stakeholder_id == row.id))
    session.delete(row)


def find_initiative(session: Session, product_id: int, key: str) -> Initiative | None:
    stmt = select(Initiative).where(Initiative.product_id == product_id, Initiative.key == key)
    return session.scalar(stmt)


def initiatives(session: Session, product_id: int) -> list[Initiative]:
    """The product's initiatives in roadmap order (the rows of the RACI matrix)."""
    stmt = (
        select(Initiative)
        .where(Initiative.product_id == product_id)
        .order_by(Initiative.position, Initiative.key)
    )
    return list(session.scalars(stmt))


def assignments(session: Session, product_id: int) -> list[RaciAssignment]:
    """Every RACI assignment of the product's initiatives."""
    stmt = (
        select(RaciAssignment)
        .join(Initiative, Initiative.id == RaciAssignment.initiative_id)
        .where(Initiative.product_id == product_id)
    )
    return list(session.scalars(stmt))


def set_role(session: Session, initiative_id: int, stakeholder_id: int, role: str) -> str | None:
    """Give the stakeholder ``role`` on the initiative; returns the role it had before."""
    row = session.get(RaciAssignment, (initiative_id, stakeholder_id))
    if row is None:
        session.add(
            RaciAssignment(initiative_id=initiative_id, stakeholder_id=stakeholder_id, role=role)
        )
        return None
    before = row.role
    row.role = role
    return before


def remove_role(session: Session, initiative_id: int, stakeholder_id: int) -> str | None:
    """Take the stakeholder off the initiative; the role removed, or None if they had none."""
    row = session.get(RaciAssignment, (initiative_id, stakeholder_id))
    if row is None:
        return None
    session.delete(row)
    return row.role
