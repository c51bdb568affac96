"""The roadmap aggregate in the tables: load a :class:`RoadmapDoc`, or make the tables equal one.

``save_doc`` writes only what differs, so rows that did not change keep their ``updated_at``
(SQLAlchemy issues no UPDATE for an object whose attributes were not changed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select, union, update
from sqlalchemy.orm import Session, selectinload

from productpath.domain.roadmap import (
    Estimate,
    InitiativeSpec,
    KeyResultSpec,
    MemberSpec,
    MilestoneSpec,
    ObjectiveSpec,
    ProductSpec,
    RoadmapDoc,
    TeamSpec,
    WorkSpec,
)
from productpath.store import evidence_repo, kpi_repo, market_repo, roadmap_stakeholders
from productpath.store.models import (
    Competitor,
    Customer,
    Feature,
    Initiative,
    InitiativeDependency,
    KeyResult,
    Milestone,
    Objective,
    Person,
    Product,
    Segment,
    Stakeholder,
    Team,
)
from productpath.store.upsert import assign, sync_keyed

_Row = TypeVar("_Row", Objective, Team, Milestone, Initiative)


def load_doc(session: Session, product_key: str) -> RoadmapDoc | None:
    """The stored roadmap of ``product_key`` in ``position`` order; None if no such product."""
    product = session.scalar(select(Product).where(Product.key == product_key))
    if product is None:
        return None
    objectives = _rows(session, Objective, product.id, selectinload(Objective.key_results))
    teams = _rows(session, Team, product.id, selectinload(Team.members))
    milestones = _rows(session, Milestone, product.id)
    initiatives = _rows(session, Initiative, product.id)
    keys = {o.id: o.key for o in objectives}, {t.id: t.key for t in teams}
    milestone_keys = {m.id: m.key for m in milestones}
    initiative_keys = {i.id: i.key for i in initiatives}
    links = evidence_repo.load_links(session, initiative_keys)
    overrides = evidence_repo.load_overrides(session, initiative_keys)
    raci = roadmap_stakeholders.load_raci(session, product.id, list(initiative_keys))
    kpi_keys = kpi_repo.keys_by_id(
        session, (kr.kpi_id for o in objectives for kr in o.key_results if kr.kpi_id is not None)
    )
    depends_on: dict[int, list[str]] = {i.id: [] for i in initiatives}
    for dep in session.scalars(
        select(InitiativeDependency)
        .where(InitiativeDependency.initiative_id.in_(list(initiative_keys)))
        .order_by(InitiativeDependency.position, InitiativeDependency.depends_on_id)
    ):
        depends_on[dep.initiative_id].append(initiative_keys[dep.depends_on_id])
    return RoadmapDoc(
        product=ProductSpec(id=product.key, name=product.name, description=product.description),
        objectives=tuple(
            ObjectiveSpec(
                id=o.key,
                title=o.title,
                description=o.description,
                key_results=tuple(
                    KeyResultSpec(
                        id=kr.key,
                        title=kr.title,
                        target=kr.target,
                        unit=kr.unit,
                        kpi=kpi_keys.get(kr.kpi_id) if kr.kpi_id is not None else None,
                    )
                    for kr in o.key_results
                ),
            )
            for o in objectives
        ),
        teams=tuple(
            TeamSpec(
                id=t.key,
                name=t.name,
                capacity_per_week=t.capacity_per_week,
                members=tuple(MemberSpec(name=p.name, email=p.email) for p in t.members),
            )
            for t in teams
        ),
        stakeholders=roadmap_stakeholders.load_stakeholders(session, product.id),
        milestones=tuple(
            MilestoneSpec(
                id=m.key, name=m.name, target_date=m.target_date, description=m.description
            )
            for m in milestones
        ),
        initiatives=tuple(
            _initiative_spec(i, keys[0], keys[1], milestone_keys, depends_on[i.id]).model_copy(
                update={
                    "themes": links[i.id].themes,
                    "feedback": links[i.id].feedback,
                    "score": overrides.get(i.id),
                    "raci": raci.get(i.id),
                }
            )
            for i in initiatives
        ),
        segments=market_repo.load_segments(session, product.id),
        customers=market_repo.load_customers(session, product.id),
        competitors=market_repo.load_competitors(session, product.id),
        features=market_repo.load_features(session, product.id, initiative_keys),
    )


def _rows(session: Session, model: type[_Row], product_id: int, *options: Any) -> list[_Row]:
    query = (
        select(model)
        .where(model.product_id == product_id)
        .order_by(model.position, model.id)
        .options(*options)
    )
    return list(session.scalars(query))


def _initiative_spec(
    row: Initiative,
    objectives: dict[int, str],
    teams: dict[int, str],
    milestones: dict[int, str],
    depends_on: list[str],
) -> InitiativeSpec:
    estimate = None
    if row.estimate_likely is not None:
        estimate = Estimate(
            optimistic=row.estimate_optimistic,
            likely=row.estimate_likely,
            pessimistic=row.estimate_pessimistic,
        )
    return InitiativeSpec(
        id=row.key,
        title=row.title,
        description=row.description,
        objective=objectives.get(row.objective_id) if row.objective_id else None,
        team=teams.get(row.team_id) if row.team_id else None,
        milestone=milestones.get(row.milestone_id) if row.milestone_id else None,
        start=row.start_date,
        target=row.target_date,
        status=row.status,
        estimate=estimate,
        depends_on=tuple(depends_on),
        work=WorkSpec(epics=_lines(row.work_epics), labels=_lines(row.work_labels)),
        target_kpi=row.target_kpi,
        public=row.public,
    )


def _lines(text: str) -> tuple[str, ...]:
    # split("\n") rather than splitlines(): a label may hold other line-break characters.
    return tuple(text.split("\n")) if text else ()


def products_with_roadmap(session: Session) -> list[str]:
    """Keys of the products whose roadmap lists anything besides the product itself."""
    owned = (Objective, Team, Milestone, Initiative, Competitor, Feature)
    ids = union(
        *(select(m.product_id) for m in owned),
        *(
            select(m.product_id).where(m.roadmap_position.is_not(None))
            for m in (Segment, Customer, Stakeholder)
        ),
    )
    query = select(Product.key).where(Product.id.in_(select(ids.subquery().c[0])))
    return sorted(session.scalars(query))


def save_doc(session: Session, doc: RoadmapDoc) -> None:
    """Make the tables hold exactly ``doc`` for its product; the caller owns the transaction.

    Rows are matched by key (members by e-mail, else name) and updated in place; what the
    document no longer names is deleted. ``doc`` must already satisfy ``roadmap_rules.check``.
    """
    product = session.scalar(select(Product).where(Product.key == doc.product.id))
    if product is None:
        product = Product(key=doc.product.id)
        session.add(product)
    assign(product, name=doc.product.name, description=doc.product.description)
    session.flush()
    pid = product.id

    objectives, stale = _sync(
        session,
        Objective,
        pid,
        doc.objectives,
        lambda s: {"title": s.title, "description": s.description},
    )
    kpi_ids = kpi_repo.declare(
        session, pid, (kr.kpi for o in doc.objectives for kr in o.key_results if kr.kpi)
    )
    for objective in doc.objectives:
        _sync_key_results(objectives[objective.id], objective.key_results, kpi_ids)
    teams, stale_teams = _sync(
        session,
        Team,
        pid,
        doc.teams,
        lambda s: {"name": s.name, "capacity_per_week": s.capacity_per_week},
    )
    pool = _MemberPool(session, pid)
    # Everyone is claimed before any team's list changes, and nothing is flushed in between,
    # so a member moving from one team to another is never taken for an orphan and deleted.
    with session.no_autoflush:
        new_members = [(teams[t.id], _member_rows(t.members, pool)) for t in doc.teams]
        for team_row, members in new_members:
            if members != team_row.members:
                team_row.members = members
    milestones, stale_milestones = _sync(
        session,
        Milestone,
        pid,
        doc.milestones,
        lambda s: {"name": s.name, "target_date": s.target_date, "description": s.description},
    )
    session.flush()  # new rows get the ids that initiatives refer to

    def initiative_values(s: InitiativeSpec) -> dict[str, Any]:
        return _initiative_columns(
            s,
            objectives[s.objective].id if s.objective else None,
            teams[s.team].id if s.team else None,
            milestones[s.milestone].id if s.milestone else None,
        )

    initiatives, stale_initiatives = _sync(
        session, Initiative, pid, doc.initiatives, initiative_values
    )
    session.flush()
    _sync_dependencies(session, pid, doc, initiatives)
    initiative_ids = {key: row.id for key, row in initiatives.items()}
    evidence_repo.save_links(session, pid, doc, initiative_ids)
    evidence_repo.save_overrides(session, doc, initiative_ids)
    stakeholders = roadmap_stakeholders.save_stakeholders(session, pid, doc.stakeholders)
    roadmap_stakeholders.save_raci(session, doc.initiatives, initiatives, stakeholders)
    market_repo.save_segments_and_customers(session, pid, doc.segments, doc.customers)
    market_repo.save_competition(session, pid, doc.competitors, doc.features, initiative_ids)
    session.flush()
    # Initiatives go first: the others are what they refer to.
    for rows in (stale_initiatives, [*stale, *stale_teams, *stale_milestones]):
        for row in rows:
            session.delete(row)
        session.flush()
    kpi_repo.drop_unused_empty(session, pid)
    session.flush()


def _initiative_columns(
    s: InitiativeSpec, objective_id: int | None, team_id: int | None, milestone_id: int | None
) -> dict[str, Any]:
    """An initiative's own columns from its spec (the save of a whole roadmap and of one
    initiative write the same)."""
    estimate = s.estimate
    return {
        "title": s.title,
        "description": s.description,
        "status": s.status.value,
        "objective_id": objective_id,
        "team_id": team_id,
        "milestone_id": milestone_id,
        "start_date": s.start,
        "target_date": s.target,
        "estimate_optimistic": estimate.optimistic if estimate else None,
        "estimate_likely": estimate.likely if estimate else None,
        "estimate_pessimistic": estimate.pessimistic if estimate else None,
        "work_epics": "\n".join(s.work.epics) if s.work else "",
        "work_labels": "\n".join(s.work.labels) if s.work else "",
        "target_kpi": s.target_kpi,
        "public": s.public,
    }


# What save_initiative writes: an edit of only these leaves every other table as it is.
INITIATIVE_OWN_FIELDS = frozenset(
    {
        "title",
        "description",
        "status",
        "objective",
        "team",
        "milestone",
        "start",
        "target",
        "estimate",
        "work",
        "target_kpi",
        "public",
        "depends_on",
    }
)


def save_initiative(session: Session, product_id: int, spec: InitiativeSpec) -> None:
    """Write one stored initiative's own columns and dependencies as ``spec`` has them, leaving
    the rest of the roadmap alone: what :func:`save_doc` would write for a roadmap that differs
    from the stored one only in these fields (INITIATIVE_OWN_FIELDS) of this initiative.
    ``spec`` must be part of a roadmap that satisfies ``roadmap_rules.check``."""

    def id_of(model: type[_Row], key: str | None) -> int | None:
        if key is None:
            return None
        return session.scalar(
            select(model.id).where(model.product_id == product_id, model.key == key)
        )

    row = session.scalars(
        select(Initiative).where(Initiative.product_id == product_id, Initiative.key == spec.id)
    ).one()
    assign(
        row,
        **_initiative_columns(
            spec,
            id_of(Objective, spec.objective),
            id_of(Team, spec.team),
            id_of(Milestone, spec.milestone),
        ),
    )
    targets: dict[str, int] = {
        key: target_id
        for key, target_id in session.execute(
            select(Initiative.key, Initiative.id).where(
                Initiative.product_id == product_id, Initiative.key.in_(spec.depends_on)
            )
        )
    }
    wanted = {targets[dep]: position for position, dep in enumerate(spec.depends_on)}
    for dep_row in session.scalars(
        select(InitiativeDependency).where(InitiativeDependency.initiative_id == row.id)
    ):
        position = wanted.pop(dep_row.depends_on_id, None)
        if position is None:
            session.delete(dep_row)
        else:
            assign(dep_row, position=position)
    session.add_all(
        InitiativeDependency(initiative_id=row.id, depends_on_id=b, position=position)
        for b, position in wanted.items()
    )
    session.flush()


def bump_versions(session: Session, product_id: int, keys: Iterable[tuple[str, str]]) -> None:
    """Move on the version of these objects (type, key): an edit based on the one before is
    stale. Types other than objective, team, milestone and initiative carry no version."""
    by_type: dict[str, set[str]] = {}
    for object_type, key in keys:
        by_type.setdefault(object_type, set()).add(key)
    for object_type, wanted in sorted(by_type.items()):
        model = _VERSIONED.get(object_type)
        if model is None:
            continue
        session.execute(
            update(model)
            .where(model.product_id == product_id, model.key.in_(sorted(wanted)))
            .values(version=model.version + 1)
            .execution_options(synchronize_session=False)
        )


def has_object(session: Session, product_id: int, object_type: str, key: str) -> bool | None:
    """Whether the product has an objective, team, milestone or initiative ``key``; None for
    other types (the caller looks in the whole roadmap)."""
    model = _VERSIONED.get(object_type)
    if model is None:
        return None
    found = session.scalar(select(model.id).where(model.product_id == product_id, model.key == key))
    return found is not None


def versioned_row(
    session: Session, product_id: int, object_type: str, key: str, *, lock: bool
) -> int | None:
    """The stored version of an objective, team, milestone or initiative (None: no such one).

    With ``lock`` the row is read FOR UPDATE, so a concurrent editor of the same object waits
    for this transaction and then sees its version (PostgreSQL; SQLite has one writer).
    """
    model = _VERSIONED[object_type]
    stmt = select(model.version).where(model.product_id == product_id, model.key == key)
    if lock:
        stmt = stmt.with_for_update()
    version: int | None = session.scalar(stmt)
    return version


def versions_of(session: Session, product_id: int, object_type: str) -> dict[str, int]:
    """The version of every object of a versioned type, by key."""
    model = _VERSIONED[object_type]
    rows = session.execute(select(model.key, model.version).where(model.product_id == product_id))
    return {key: version for key, version in rows}


_VERSIONED: dict[str, type[Objective | Team | Milestone | Initiative]] = {
    "objective": Objective,
    "team": Team,
    "milestone": Milestone,
    "initiative": Initiative,
}


def _sync(
    session: Session, model: type[_Row], product_id: int, specs: Sequence[Any], values: Any
) -> tuple[dict[str, _Row], list[_Row]]:
    existing = {row.key: row for row in _rows(session, model, product_id)}
    return sync_keyed(session, model, product_id, existing, specs, values)


def _sync_key_results(
    objective: Objective, specs: Iterable[KeyResultSpec], kpi_ids: dict[str, int]
) -> None:
    existing = {kr.key: kr for kr in objective.key_results}
    rows = []
    for position, spec in enumerate(specs):
        row = existing.get(spec.id) or KeyResult(key=spec.id)
        assign(
            row,
            title=spec.title,
            target=spec.target,
            unit=spec.unit,
            position=position,
            kpi_id=kpi_ids[spec.kpi] if spec.kpi else None,
        )
        rows.append(row)
    if rows != objective.key_results:
        objective.key_results = rows  # the ones left out are orphans, deleted by the cascade


class _MemberPool:
    """Every team member of a product, to be claimed by the document's member entries.

    Members have no id of their own. The same e-mail (else the same name) anywhere in the
    product is taken to be the same person, so someone who moves to another team keeps their
    row, and with it the git identities linked to it.
    """

    def __init__(self, session: Session, product_id: int) -> None:
        people = session.scalars(
            select(Person).join(Team).where(Team.product_id == product_id).order_by(Person.id)
        )
        self._left: list[Person] = list(people)

    def claim(self, spec: MemberSpec) -> Person | None:
        email = spec.email.casefold() if spec.email else None
        match = next(
            (p for p in self._left if email and (p.email or "").casefold() == email), None
        ) or next((p for p in self._left if p.name == spec.name), None)
        if match is not None:
            self._left.remove(match)
        return match


def _member_rows(specs: Iterable[MemberSpec], pool: _MemberPool) -> list[Person]:
    rows = []
    for position, spec in enumerate(specs):
        row = pool.claim(spec) or Person(name=spec.name)
        assign(row, name=spec.name, email=spec.email, position=position)
        rows.append(row)
    return rows


def _sync_dependencies(
    session: Session, product_id: int, doc: RoadmapDoc, initiatives: dict[str, Initiative]
) -> None:
    wanted = {
        (initiatives[spec.id].id, initiatives[dep].id): position
        for spec in doc.initiatives
        for position, dep in enumerate(spec.depends_on)
    }
    of_product = select(Initiative.id).where(Initiative.product_id == product_id)
    for row in session.scalars(
        select(InitiativeDependency).where(InitiativeDependency.initiative_id.in_(of_product))
    ):
        position = wanted.pop((row.initiative_id, row.depends_on_id), None)
        if position is None:
            session.delete(row)
        else:
            assign(row, position=position)
    session.add_all(
        InitiativeDependency(initiative_id=a, depends_on_id=b, position=position)
        for (a, b), position in wanted.items()
    )
