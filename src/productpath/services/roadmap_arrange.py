"""Arrange the roadmap from the browser or the API: an initiative's priority (its place in the
roadmap's order) and its planned ``start`` and ``target`` dates.

Both edits go the way ``roadmap apply`` and undo go: the stored roadmap is loaded as a
document, the one change is made to it, the result is checked by the same validation as a file
(``validate_data``: an end before its start is refused with the words a file gets) and saved
with the same save, and the change is recorded in the history. So ``roadmap export`` writes the
new order and dates, and undo can put them back.

Each edit names the initiative's version it was based on; a stale one is a ConflictError
(409 in the API) and changes nothing. A move grows the moved initiative's version too, so two
people dragging the same card cannot both win silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.domain.roadmap_diff import diff
from productpath.errors import ConflictError, InputError, NotFoundError, RoadmapError
from productpath.ingest.roadmap_yaml import validate_data
from productpath.services.history import record_diff
from productpath.services.workspace import OpenWorkspace
from productpath.store import product_repo
from productpath.store.models import Initiative
from productpath.store.roadmap_repo import bump_versions, load_doc, save_doc

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
    neighbour = before if before is not None else after
    if neighbour == key:
        raise InputError("an initiative cannot move next to itself", field="before")

    def reorder(data: dict[str, Any]) -> None:
        items: list[dict[str, Any]] = data["initiatives"]
        moving = _take(items, key)
        where = _index(items, str(neighbour))
        items.insert(where if before is not None else where + 1, moving)

    return _arrange(handle, key, expected_version, reorder, actor=actor, via=via)


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

    A target before the start is refused with the wording of ``roadmap apply`` ("target
    2030-02-01 is before start 2030-03-01"), naming the field.
    """

    def redate(data: dict[str, Any]) -> None:
        item = data["initiatives"][_index(data["initiatives"], key)]
        item["start"] = start.isoformat() if start else None
        item["target"] = target.isoformat() if target else None

    return _arrange(handle, key, expected_version, redate, actor=actor, via=via)


def _arrange(
    handle: OpenWorkspace,
    key: str,
    expected_version: int,
    change: Callable[[dict[str, Any]], None],
    *,
    actor: str,
    via: str,
) -> Arranged:
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        row = _locked(session, product_id, key)
        if row.version != expected_version:
            raise ConflictError(
                f"initiative '{key}' was changed by someone else (version {row.version}, you "
                f"edited version {expected_version}); reload and try again"
            )
        old = load_doc(session, handle.workspace.product)
        assert old is not None and product_id is not None  # the initiative was found in it
        data = old.model_dump(mode="json")
        change(data)
        try:
            new = validate_data(data)
        except RoadmapError as exc:
            # The file's words, naming the initiative's own field (start, target).
            field = (exc.field or "").rsplit(".", 1)[-1] or None
            raise InputError(exc.reason, field=field) from None
        changes = diff(old, new)
        if not changes.is_empty:
            save_doc(session, new)
            edits = record_diff(session, product_id, changes, old, new, actor=actor, via=via)
            if not any(e.type == "initiative" and e.key == key for e in edits):
                bump_versions(session, product_id, {("initiative", key)})  # a move alone
        position = _index(data["initiatives"], key)
        spec = new.initiatives[position]
        version = session.scalar(select(Initiative.version).where(Initiative.id == row.id))
    return Arranged(
        key=key,
        version=version or expected_version,
        position=position,
        start=spec.start,
        target=spec.target,
        changed=not changes.is_empty,
    )


def _locked(session: Session, product_id: int | None, key: str) -> Initiative:
    row = (
        None
        if product_id is None
        else session.scalar(
            select(Initiative)
            .where(Initiative.product_id == product_id, Initiative.key == key)
            .with_for_update()
        )
    )
    if row is None:
        raise NotFoundError(f"no initiative '{key}' in this workspace")
    return row


def _index(items: list[dict[str, Any]], key: str) -> int:
    for n, item in enumerate(items):
        if item["id"] == key:
            return n
    raise NotFoundError(f"no initiative '{key}' in this workspace")


def _take(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return items.pop(_index(items, key))
