"""The ``change_history`` table: append the field edits of one edit, read them back."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from productpath.domain.history import FieldEdit
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
    # One multi-row INSERT: a roadmap apply of hundreds of objects pays one round trip.
    session.execute(
        insert(ChangeRecord),
        [
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
        ],
    )
    return edit_id


def of_object(
    session: Session, product_id: int, object_type: str, key: str, *, limit: int
) -> list[StoredEdit]:
    """The object's edits, newest first."""
    query = (
        select(ChangeRecord)
        .where(
            ChangeRecord.product_id == product_id,
            ChangeRecord.object_type == object_type,
            ChangeRecord.object_key == key,
        )
        .order_by(ChangeRecord.id.desc())
        .limit(limit)
    )
    return [_stored(row) for row in session.scalars(query)]


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
    query = (
        select(ChangeRecord)
        .where(
            ChangeRecord.product_id == product_id,
            ChangeRecord.object_type == object_type,
            ChangeRecord.object_key == key,
            ChangeRecord.edit == edit,
        )
        .order_by(ChangeRecord.id)
    )
    return [_stored(row) for row in session.scalars(query)]


def later_than(
    session: Session, product_id: int, object_type: str, key: str, after_id: int
) -> list[StoredEdit]:
    """The object's rows written after the row ``after_id``, oldest first."""
    query = (
        select(ChangeRecord)
        .where(
            ChangeRecord.product_id == product_id,
            ChangeRecord.object_type == object_type,
            ChangeRecord.object_key == key,
            ChangeRecord.id > after_id,
        )
        .order_by(ChangeRecord.id)
    )
    return [_stored(row) for row in session.scalars(query)]


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


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
