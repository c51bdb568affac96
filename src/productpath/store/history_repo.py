"""The ``change_history`` table: append the field edits of one edit, read them back."""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, Table, func, insert, select
from sqlalchemy.orm import Session

from productpath.domain.roadmap_edits import FieldEdit
from productpath.store.models import ChangeRecord, utcnow


@dataclass(frozen=True)
class StoredEdit:
    id: int
    edit: str
    at: dt.datetime
    actor: str
    via: str
    edited: FieldEdit


def append(
    session: Session, product_id: int, edits: Sequence[FieldEdit], *, actor: str, via: str
) -> str | None:
    """Store ``edits`` as one edit (one id, one time); returns that id, None when empty."""
    if not edits:
        return None
    edit_id = uuid.uuid4().hex
    at = utcnow()
    rows = [
        {
            "product_id": product_id,
            "edit": edit_id,
            "at": at,
            "actor": actor[:320],
            "via": via,
            "object_type": e.type,
            "object_key": e.key[:200],
            "field": e.field[:300],
            "before": _json(e.before),
            "after": _json(e.after),
        }
        for e in edits
    ]
    # A Core executemany: SQLAlchemy sends it as a few multi-row INSERTs ("insertmanyvalues")
    # from one cached statement, so a roadmap apply of hundreds of objects pays a few round
    # trips. (The ORM's bulk insert costs more; a hand-built VALUES list far more to compile.)
    session.execute(insert(cast(Table, ChangeRecord.__table__)), rows)
    return edit_id


def of_object(
    session: Session, product_id: int, object_type: str, key: str, *, limit: int
) -> list[StoredEdit]:
    """The object's edits, newest first."""
    query = _of_object(product_id, object_type, key).order_by(ChangeRecord.id.desc())
    return [_stored(row) for row in session.scalars(query.limit(limit))]


def recent(session: Session, product_id: int, *, limit: int) -> list[StoredEdit]:
    """The product's latest edits of any object, newest first."""
    query = (
        select(ChangeRecord)
        .where(ChangeRecord.product_id == product_id)
        .order_by(ChangeRecord.id.desc())
        .limit(limit)
    )
    return [_stored(row) for row in session.scalars(query)]


def rows_of_edit(
    session: Session, product_id: int, object_type: str, key: str, edit: str
) -> list[StoredEdit]:
    """The rows one edit wrote about one object, oldest first."""
    query = _of_object(product_id, object_type, key).where(ChangeRecord.edit == edit)
    return [_stored(row) for row in session.scalars(query.order_by(ChangeRecord.id))]


def later_than(
    session: Session, product_id: int, object_type: str, key: str, after_id: int
) -> list[StoredEdit]:
    """The object's rows written after the row ``after_id``, oldest first."""
    query = _of_object(product_id, object_type, key).where(ChangeRecord.id > after_id)
    return [_stored(row) for row in session.scalars(query.order_by(ChangeRecord.id))]


def _of_object(product_id: int, object_type: str, key: str) -> Select[ChangeRecord]:
    return select(ChangeRecord).where(
        ChangeRecord.product_id == product_id,
        ChangeRecord.object_type == object_type,
        ChangeRecord.object_key == key,
    )


def latest_id(session: Session, product_id: int) -> int:
    """The id of the product's latest change: its revision (0 before any change)."""
    found = session.scalar(
        select(func.max(ChangeRecord.id)).where(ChangeRecord.product_id == product_id)
    )
    return int(found or 0)


def since(session: Session, product_id: int, after_id: int) -> list[StoredEdit]:
    """Every change of the product after the change ``after_id``, oldest first."""
    query = (
        select(ChangeRecord)
        .where(ChangeRecord.product_id == product_id, ChangeRecord.id > after_id)
        .order_by(ChangeRecord.id)
    )
    return [_stored(row) for row in session.scalars(query)]


def _json(value: Any) -> str | None:
    # Numbers are most of a bulk apply's values (estimates, capacities); their repr is their
    # JSON, without the encoder's per-call setup. Values come from model_dump, whose key order
    # is fixed already, so keys are not sorted.
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and math.isfinite(value):
        return repr(value)
    return json.dumps(value)


def _stored(row: ChangeRecord) -> StoredEdit:
    return StoredEdit(
        id=row.id,
        edit=row.edit,
        at=row.at,
        actor=row.actor,
        via=row.via,
        edited=FieldEdit(
            row.object_type,
            row.object_key,
            row.field,
            None if row.before is None else json.loads(row.before),
            None if row.after is None else json.loads(row.after),
        ),
    )
