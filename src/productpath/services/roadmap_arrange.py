"""Arrange the roadmap from the browser or the API: an initiative's priority (its place in the
roadmap's order) and its planned ``start`` and ``target`` dates.

New dates are an edit of the initiative's ``start`` and ``target`` through the edit service
(``services.roadmap_edit``): the rules and words of ``roadmap apply`` (an end before its start
is refused as a file's is), its version check, its history (``start`` and ``target`` of the
initiative) and its relinking of work. A move writes the ``position`` of the rows whose place
changed, not the whole roadmap, so it costs the same on a roadmap of 5 initiatives or 500; the
history records it as ``roadmap apply`` records a new order (the ``order`` of the roadmap's
``initiatives``) with the initiative's ``priority`` (its place, 1 = first) before and after, so
the move is in its own history and can be undone from its page; ``roadmap export`` writes the
new order and dates.

Each edit names the initiative's version it was based on; a stale one is a ConflictError
(409 in the API) and changes nothing. A move grows the moved initiative's version too, so two
people dragging the same card cannot both win silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from productpath.domain.history import PLACE
from productpath.domain.roadmap_edits import FieldEdit
from productpath.errors import InputError, NotFoundError
from productpath.services.history import record_edits
from productpath.services.roadmap_edit import edit_object, locked_version
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo
from productpath.store.models import Initiative, utcnow

__all__ = ["Arranged", "move_initiative", "set_planned_dates"]


@dataclass(frozen=True)
class Arranged:
    """The initiative after the edit: its version, its place (0 = first) among all the
    roadmap's initiatives, and its planned dates; ``changed`` is False when nothing moved."""

    key: str
    version: int
    position: int
    start: dt.date | None
    target: dt.date | None
    changed: bool


def move_initiative(
    handle: OpenWorkspace,
    key: str,
    *,
    before: str | None = None,
    after: str | None = None,
    expected_version: int,
    actor: str,
    via: str,
) -> Arranged:
    """Put ``key`` just before the initiative ``before`` or just after ``after`` (exactly one).

    The other initiatives keep their order, so moving a card within a board column leaves
    every other column as it was. NotFoundError for an unknown key or neighbour, InputError
    for a move relative to itself or with neither or both neighbours.
    """
    if (before is None) == (after is None):
        raise InputError("name exactly one neighbour: before or after", field="before")
    neighbour = str(before if before is not None else after)
    if neighbour == key:
        raise InputError("an initiative cannot move next to itself", field="before")
    with handle.store.write() as session:
        product_id, row = _locked(session, handle, key, expected_version)
        # The roadmap's order, as load_doc (and so export) reads it.
        rows = session.execute(
            select(Initiative.id, Initiative.key, Initiative.position)
            .where(Initiative.product_id == product_id)
            .order_by(Initiative.position, Initiative.id)
        ).all()
        old = [r.key for r in rows]
        if neighbour not in old:
            raise NotFoundError(f"no initiative '{neighbour}' in this workspace")
        new = [k for k in old if k != key]
        at = new.index(neighbour)
        new.insert(at if before is not None else at + 1, key)
        changed = new != old
        if changed:
            _renumber(session, product_id, rows, old, new, key)
            _bump(session, row.id)
            # The roadmap's order (what export and undo read) and the initiative's own place,
            # so its history shows the move and "undo the last change" on its page finds it.
            place = FieldEdit("initiative", key, PLACE, old.index(key) + 1, new.index(key) + 1)
            order = FieldEdit("roadmap", "initiatives", "order", old, new)
            record_edits(session, product_id, [place, order], actor=actor, via=via)
        return _result(session, row.id, new.index(key), changed)


def set_planned_dates(
    handle: OpenWorkspace,
    key: str,
    *,
    start: dt.date | None,
    target: dt.date | None,
    expected_version: int,
    actor: str,
    via: str,
) -> Arranged:
    """Set (or, with None, clear) the planned start and target of ``key``.

    An edit of the initiative's ``start`` and ``target`` through the edit service
    (``roadmap_edit.edit_object``: its version check, rules, history and relinking), so a
    target before the start is refused with the wording of ``roadmap apply`` ("target
    2030-02-01 is before start 2030-03-01"), naming the field.
    """
    saved = edit_object(
        handle,
        "initiative",
        key,
        {"start": _iso(start), "target": _iso(target)},
        expected_version=expected_version,
        actor=actor,
        via=via,
    )
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        row = session.execute(
            select(Initiative.id, Initiative.position).where(
                Initiative.product_id == product_id, Initiative.key == key
            )
        ).one()
        return _result(
            session,
            row.id,
            _rank(session, product_id or 0, row.id, row.position),
            saved.changed != (),
        )


def _locked(
    session: Session, handle: OpenWorkspace, key: str, expected_version: int
) -> tuple[int, Initiative]:
    """The product's id and the initiative's row, locked for this write (PostgreSQL: other
    writers of it wait; SQLite has one writer at a time anyway); ConflictError when stale,
    in the edit service's words."""
    product_id = product_repo.find_id(session, handle.workspace.product)
    if product_id is None:
        raise NotFoundError(f"no initiative '{key}' in this workspace")
    locked_version(session, product_id, "initiative", key, expected_version)
    row = session.scalar(
        select(Initiative).where(Initiative.product_id == product_id, Initiative.key == key)
    )
    assert row is not None  # locked_version found it
    return product_id, row


def _renumber(
    session: Session,
    product_id: int,
    rows: Sequence[Any],
    old: list[str],
    new: list[str],
    key: str,
) -> None:
    """Store the order ``new``. Positions numbered 0, 1, 2 ... (as every save leaves them)
    shift by one between the two places in one statement; others are numbered afresh."""
    if [r.position for r in rows] == list(range(len(rows))):
        was, now = old.index(key), new.index(key)
        lo, hi, by = (now, was - 1, 1) if now < was else (was + 1, now, -1)
        session.execute(
            update(Initiative)
            .where(
                Initiative.product_id == product_id,
                Initiative.position >= lo,
                Initiative.position <= hi,
            )
            .values(position=Initiative.position + by)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Initiative)
            .where(Initiative.product_id == product_id, Initiative.key == key)
            .values(position=now)
            .execution_options(synchronize_session=False)
        )
        return
    wanted = {k: n for n, k in enumerate(new)}
    moved = [
        {"row_id": r.id, "new_position": wanted[r.key]} for r in rows if r.position != wanted[r.key]
    ]
    session.connection().execute(
        update(Initiative.__table__)  # type: ignore[arg-type]
        .where(Initiative.__table__.c.id == bindparam("row_id"))
        .values(position=bindparam("new_position")),
        moved,
    )


def _bump(session: Session, row_id: int) -> None:
    session.execute(
        update(Initiative)
        .where(Initiative.id == row_id)
        .values(version=Initiative.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _rank(session: Session, product_id: int, row_id: int, position: int | None) -> int:
    """How many initiatives come before this one in the roadmap's order."""
    ahead = session.scalar(
        select(func.count())
        .select_from(Initiative)
        .where(
            Initiative.product_id == product_id,
            (Initiative.position < position)
            | ((Initiative.position == position) & (Initiative.id < row_id)),
        )
    )
    return int(ahead or 0)


def _result(session: Session, row_id: int, position: int, changed: bool) -> Arranged:
    stored = session.execute(
        select(
            Initiative.key, Initiative.version, Initiative.start_date, Initiative.target_date
        ).where(Initiative.id == row_id)
    ).one()
    return Arranged(
        key=stored.key,
        version=stored.version,
        position=position,
        start=stored.start_date,
        target=stored.target_date,
        changed=changed,
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None
