"""Writing a list of specs onto stored rows, the way every "as code" import does it.

Rows are matched by their key: a spec updates its row in place (only the attributes that
differ, so an unchanged row is not written and its version stays), a new key adds a row, and
the rows no spec names are handed back for the caller to delete or keep.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session

_Row = TypeVar("_Row")


def assign(row: object, **values: Any) -> None:
    """Set only the attributes that differ, so an unchanged row is not written."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def sync_keyed(
    session: Session,
    make: Callable[..., _Row],
    product_id: int,
    existing: Mapping[str, _Row],
    specs: Sequence[Any],
    values: Callable[[Any], dict[str, Any]],
) -> tuple[dict[str, _Row], list[_Row]]:
    """Upsert one row per spec (by ``spec.id``, ``position`` in spec order) among ``existing``
    (by key); return the rows by key, and the rows no spec named."""
    left = dict(existing)
    kept: dict[str, _Row] = {}
    for position, spec in enumerate(specs):
        row = left.pop(spec.id, None)
        if row is None:
            row = make(product_id=product_id, key=spec.id)
            session.add(row)
        assign(row, position=position, **values(spec))
        kept[spec.id] = row
    return kept, list(left.values())
