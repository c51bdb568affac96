"""The roadmap's stakeholders and each initiative's RACI in the tables.

Stakeholders are shared with ``productpath stakeholders add``: the roadmap manages only the rows
it lists (``roadmap_position`` is set). A row the roadmap stops listing is released, never
deleted, so its digest history stays; one the CLI added is never touched. Likewise the roadmap's
``raci:`` decides the assignments of the stakeholders it lists, and leaves the assignments of
CLI-only stakeholders alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.domain.roadmap import RACI_ROLES, InitiativeSpec, RaciSpec, StakeholderSpec
from productpath.store.models import Initiative, RaciAssignment, Stakeholder
from productpath.store.upsert import assign

_ROLE_NAME = {role[0].upper(): role for role in RACI_ROLES}


def listed(session: Session, product_id: int) -> list[Stakeholder]:
    """The stakeholders the roadmap lists, in its order."""
    query = (
        select(Stakeholder)
        .where(Stakeholder.product_id == product_id, Stakeholder.roadmap_position.is_not(None))
        .order_by(Stakeholder.roadmap_position, Stakeholder.id)
    )
    return list(session.scalars(query))


def load_stakeholders(session: Session, product_id: int) -> tuple[StakeholderSpec, ...]:
    return tuple(
        StakeholderSpec.model_validate(
            {
                "id": row.key,
                "name": row.name,
                "role": row.role,
                "organisation": row.organisation,
                "email": row.email,
                "audience": row.audience,
                "power": row.power,
                "interest": row.interest,
                "channel": row.channel,
                "webhook_url": row.webhook_url,
                "cadence": row.cadence,
            }
        )
        for row in listed(session, product_id)
    )


def load_raci(
    session: Session, product_id: int, initiative_ids: Sequence[int]
) -> dict[int, RaciSpec | None]:
    """Each initiative's RACI among the listed stakeholders (None when it has none)."""
    keys = {row.id: row.key for row in listed(session, product_id)}
    roles: dict[int, dict[str, list[str]]] = {i: {} for i in initiative_ids}
    if keys and initiative_ids:
        for row in session.scalars(
            select(RaciAssignment).where(
                RaciAssignment.initiative_id.in_(list(initiative_ids)),
                RaciAssignment.stakeholder_id.in_(list(keys)),
            )
        ):
            role = _ROLE_NAME.get(row.role)
            if role is not None:
                roles[row.initiative_id].setdefault(role, []).append(keys[row.stakeholder_id])
    out: dict[int, RaciSpec | None] = {}
    for initiative_id, by_role in roles.items():
        raci = RaciSpec.model_validate({role: tuple(ks) for role, ks in by_role.items()})
        out[initiative_id] = None if raci.is_empty else raci
    return out


def save_stakeholders(
    session: Session, product_id: int, specs: Sequence[StakeholderSpec]
) -> dict[str, Stakeholder]:
    """Upsert the listed stakeholders by key; release the ones no longer listed."""
    rows = {
        r.key: r
        for r in session.scalars(select(Stakeholder).where(Stakeholder.product_id == product_id))
    }
    kept: dict[str, Stakeholder] = {}
    for position, spec in enumerate(specs):
        row = rows.get(spec.id)
        if row is None:
            row = Stakeholder(product_id=product_id, key=spec.id)
            session.add(row)
            rows[spec.id] = row
        assign(
            row,
            roadmap_position=position,
            name=spec.name,
            role=spec.role,
            organisation=spec.organisation,
            email=spec.email,
            audience=spec.audience.value,
            power=spec.power.value,
            interest=spec.interest.value,
            channel=spec.channel.value,
            webhook_url=spec.webhook_url,
            cadence=spec.cadence.value,
        )
        kept[spec.id] = row
    for key, row in rows.items():
        if key not in kept:
            assign(row, roadmap_position=None)
    session.flush()
    return kept


def save_raci(
    session: Session,
    specs: Sequence[InitiativeSpec],
    initiatives: dict[str, Initiative],
    stakeholders: dict[str, Stakeholder],
) -> None:
    """Make the listed stakeholders' assignments exactly what each initiative's ``raci`` says."""
    managed = {row.id for row in stakeholders.values()}
    ids = [initiatives[spec.id].id for spec in specs]
    existing: dict[tuple[int, int], RaciAssignment] = {}
    if managed and ids:
        for row in session.scalars(
            select(RaciAssignment).where(
                RaciAssignment.initiative_id.in_(ids),
                RaciAssignment.stakeholder_id.in_(list(managed)),
            )
        ):
            existing[(row.initiative_id, row.stakeholder_id)] = row
    for spec in specs:
        initiative_id = initiatives[spec.id].id
        for key, role in spec.raci.assignments() if spec.raci else ():
            where = (initiative_id, stakeholders[key].id)
            found = existing.pop(where, None)
            if found is None:
                session.add(
                    RaciAssignment(initiative_id=where[0], stakeholder_id=where[1], role=role)
                )
            else:
                assign(found, role=role)
    for row in existing.values():
        session.delete(row)
