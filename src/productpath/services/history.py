"""Who changed what: the change history of the roadmap's objects, its feed, and undo.

Every path that edits the roadmap records here, inside its own write transaction, so a change
and its history are committed together or not at all: ``roadmap apply`` (via
``roadmap-apply``), the initiative page (``web``), the JSON API (``api``), the CLI (``cli``) and
an undo (through whichever of those asked for it). ``sync`` is reserved for imports that edit
roadmap objects. Recorded edits are handed to ``services.notifications`` in the same
transaction, so the watchers of an initiative hear of its status change whichever door it came
through.

An undo puts back the values one edit replaced, through the same validation as a roadmap file
(``validate_data``) and the same save (``save_doc``), and is itself recorded. It is refused
when a later edit touched one of the same fields: putting the old value back would silently
drop that later change.
"""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from productpath.domain.history import (
    PLACE,
    SECTION_OF,
    UndoRefused,
    edits_from_diff,
    revert,
    touches,
)
from productpath.domain.roadmap import RoadmapDoc
from productpath.domain.roadmap_diff import RoadmapDiff, diff
from productpath.domain.roadmap_edits import FieldEdit
from productpath.errors import ConflictError, InputError, NotFoundError, RoadmapError
from productpath.ingest.roadmap_yaml import validate_data
from productpath.services.delivery import relink_session, request_risk_check
from productpath.services.notifications import notify_edits
from productpath.services.workspace import OpenWorkspace
from productpath.store import history_repo, product_repo
from productpath.store.roadmap_repo import bump_versions, has_object, load_doc, save_doc

VIAS = ("web", "api", "cli", "roadmap-apply", "sync")
# Objects whose history can be asked for by key (roadmap sections, one word each).
OBJECT_TYPES = tuple(SECTION_OF)
MAX_ENTRIES = 500


class HistoryEntry(BaseModel):
    """One field of one object changed by one edit."""

    id: int = Field(description="this entry's id, growing with time")
    edit: str = Field(description="the edit it belongs to: the entries one save wrote share it")
    at: dt.datetime
    actor: str = Field(description="who: a user's e-mail or name, or the login of a CLI user")
    via: str = Field(description="web, api, cli, roadmap-apply or sync")
    type: str = Field(description="the object's type: initiative, objective, milestone, team, ...")
    key: str
    field: str = Field(
        description="the field, as roadmap diffs name it (title, estimate.likely, "
        "key_results[kr-1].target); 'created' or 'removed' for a whole object"
    )
    before: Any = Field(description="the value before, as roadmap.yaml writes it (null: unset)")
    after: Any = Field(description="the value after (null: unset)")


class UndoResult(BaseModel):
    """The edit that was undone and the fields put back."""

    undone: str
    type: str
    key: str
    fields: list[str]


def local_actor() -> str:
    """Who is at the keyboard of a CLI command: the operating system's login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers): still say it was the CLI
        return "cli"


def record_diff(
    session: Session,
    product_id: int,
    changes: RoadmapDiff,
    old: RoadmapDoc | None,
    new: RoadmapDoc,
    *,
    actor: str,
    via: str,
    extra: list[FieldEdit] | None = None,
) -> list[FieldEdit]:
    """Record what ``changes`` did (and ``extra`` edits the diff cannot name, such as an
    initiative's place) and move the version of every edited object on."""
    edits = edits_from_diff(changes, old, new) + (extra or [])
    history_repo.append(session, product_id, edits, actor=actor, via=via)
    notify_edits(session, product_id, edits, actor=actor, via=via)
    if edits:  # any roadmap change can move a risk or the forecast
        request_risk_check(session, product_id)
    bump_versions(session, product_id, {(e.type, e.key) for e in edits if e.field != "created"})
    return edits


def record_edits(
    session: Session, product_id: int, edits: list[FieldEdit], *, actor: str, via: str
) -> None:
    """Record edits a service made itself (one field at a time, not from a roadmap diff);
    a move or new dates can change the forecast, so the watchers' risk check is queued."""
    history_repo.append(session, product_id, edits, actor=actor, via=via)
    notify_edits(session, product_id, edits, actor=actor, via=via)
    if edits:
        request_risk_check(session, product_id)


def object_history(
    handle: OpenWorkspace, object_type: str, key: str, *, limit: int = 100
) -> list[HistoryEntry]:
    """The edits of one object, newest first; NotFoundError if it neither exists nor existed."""
    with handle.store.read() as session:
        product_id = _product_id(session, handle)
        rows = history_repo.of_object(
            session, product_id, object_type, key, limit=min(limit, MAX_ENTRIES)
        )
        if not rows and not _exists(session, handle, object_type, key):
            raise NotFoundError(f"no {object_type} '{key}' in this workspace")
    return [_entry(r) for r in rows]


def recent_activity(handle: OpenWorkspace, *, limit: int = 20) -> list[HistoryEntry]:
    """The latest edits of the workspace's product, any object, newest first."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        rows = history_repo.recent(session, product_id, limit=min(limit, MAX_ENTRIES))
    return [_entry(r) for r in rows]


def undo(
    handle: OpenWorkspace,
    object_type: str,
    key: str,
    *,
    edit: str | None = None,
    actor: str,
    via: str,
) -> UndoResult:
    """Put back what one edit (default: the object's latest) changed on one object.

    ConflictError when a later edit touched one of its fields; NotFoundError when there is
    nothing to undo; RoadmapError when the old values no longer fit the roadmap (say, the
    team it named was removed since).
    """
    if object_type not in SECTION_OF:
        raise NotFoundError(f"there is no history of {object_type} objects to undo")
    with handle.store.write() as session:
        product_id = _product_id(session, handle)
        if edit is None:
            latest = history_repo.of_object(session, product_id, object_type, key, limit=1)
            if not latest:
                raise NotFoundError(f"{object_type} '{key}' has no change to undo")
            edit = latest[0].edit
        rows = history_repo.rows_of_edit(session, product_id, object_type, key, edit)
        if not rows:
            raise NotFoundError(f"{object_type} '{key}' has no change '{edit}'")
        later = history_repo.later_than(session, product_id, object_type, key, rows[-1].id)
        if object_type == "initiative" and any(r.edited.field == PLACE for r in rows):
            rows = rows + _order_rows(session, product_id, edit, rows)
        for row in rows:
            clash = next((x for x in later if touches(row.edited.field, x.edited.field)), None)
            if clash is not None:
                raise ConflictError(
                    f"cannot undo: {object_type} '{key}' field '{clash.edited.field}' was "
                    f"changed again by {clash.actor} ({clash.via}) at {_when(clash.at)}, after "
                    f"the change by {row.actor} at {_when(row.at)}; undo the later change first"
                )
        old = load_doc(session, handle.workspace.product)
        if old is None:
            raise NotFoundError(f"no {object_type} '{key}' in this workspace")
        try:
            data = revert(old.model_dump(mode="json"), [r.edited for r in rows])
        except UndoRefused as exc:
            raise InputError(f"cannot undo: {exc}") from None
        new = validate_data(data)
        changes = diff(old, new)
        save_doc(session, new)
        relink_session(session, new.product.id)
        places = [
            FieldEdit(object_type, key, PLACE, _place(old, key), _place(new, key))
            for r in rows
            if r.edited.field == PLACE and _place(old, key) != _place(new, key)
        ]
        record_diff(session, product_id, changes, old, new, actor=actor, via=via, extra=places)
    return UndoResult(undone=edit, type=object_type, key=key, fields=[r.edited.field for r in rows])


def state_at(session: Session, product_id: int, current: RoadmapDoc, revision: int) -> RoadmapDoc:
    """The roadmap as it was at ``revision``: the current one with every later change put back.

    Every edit path records its changes, so the history alone rebuilds any earlier state; no
    snapshot is stored. RoadmapError when ``revision`` is newer than the workspace's latest.
    """
    latest = history_repo.latest_id(session, product_id)
    if revision > latest:
        raise RoadmapError(
            f"the file was exported at revision {revision}, but this workspace's latest change "
            f"is revision {latest}: it comes from another workspace; remove 'revision' to apply "
            "it as it is",
            field="revision",
        )
    later = history_repo.since(session, product_id, revision)
    try:
        data = revert(current.model_dump(mode="json"), [r.edited for r in later])
        return RoadmapDoc.model_validate({**data, "revision": revision})
    except (UndoRefused, ValueError) as exc:
        raise RoadmapError(
            f"cannot rebuild the workspace as it was at revision {revision} ({exc}); remove "
            "'revision' to apply the file as it is",
            field="revision",
        ) from None


def latest_revision(session: Session, product_id: int) -> int:
    """The revision an export taken now is of."""
    return history_repo.latest_id(session, product_id)


def _order_rows(
    session: Session, product_id: int, edit: str, rows: list[history_repo.StoredEdit]
) -> list[history_repo.StoredEdit]:
    """The roadmap's order as the move ``edit`` changed it, which an undo of the move puts
    back; ConflictError when the order was changed again since (putting the old order back
    would silently undo that later move too)."""
    order = history_repo.rows_of_edit(session, product_id, "roadmap", "initiatives", edit)
    moved = next(r for r in rows if r.edited.field == PLACE)
    if not order:
        raise InputError(f"cannot undo: the move of '{moved.edited.key}' left no roadmap order")
    later = history_repo.later_than(session, product_id, "roadmap", "initiatives", order[-1].id)
    if later:
        clash = later[0]
        raise ConflictError(
            f"cannot undo: the roadmap's order (the priority of initiative "
            f"'{moved.edited.key}') was changed again by {clash.actor} ({clash.via}) at "
            f"{_when(clash.at)}, after the move by {moved.actor} at {_when(moved.at)}; undo the "
            "later change first"
        )
    return order


def _place(doc: RoadmapDoc, key: str) -> int | None:
    """An initiative's place in the roadmap's order, 1 = first."""
    keys = [i.id for i in doc.initiatives]
    return keys.index(key) + 1 if key in keys else None


def _product_id(session: Session, handle: OpenWorkspace) -> int:
    product_id = product_repo.find_id(session, handle.workspace.product)
    if product_id is None:
        raise NotFoundError(f"product '{handle.workspace.product}' has no roadmap yet")
    return product_id


def _exists(session: Session, handle: OpenWorkspace, object_type: str, key: str) -> bool:
    product_id = product_repo.find_id(session, handle.workspace.product)
    if product_id is None or object_type not in SECTION_OF:
        return False
    found = has_object(session, product_id, object_type, key)
    if found is not None:
        return found
    doc = load_doc(session, handle.workspace.product)  # the rarer types: read the roadmap
    return doc is not None and any(item.id == key for item in getattr(doc, SECTION_OF[object_type]))


def _when(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _entry(row: history_repo.StoredEdit) -> HistoryEntry:
    return HistoryEntry(
        id=row.id,
        edit=row.edit,
        at=row.at,
        actor=row.actor,
        via=row.via,
        type=row.edited.type,
        key=row.edited.key,
        field=row.edited.field,
        before=row.edited.before,
        after=row.edited.after,
    )
