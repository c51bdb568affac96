"""Edit one roadmap object (initiative, objective, milestone, team) from the browser or the API,
through exactly the rules of ``roadmap apply``.

Every save takes the stored roadmap, changes the one object, validates it with the rules and
error wording of roadmap.yaml (``ingest.roadmap_yaml``), checks linked themes and feedback
against the store, and then saves it as an apply does (``save_doc``) and records the same
history, all in one write transaction: an invalid edit writes nothing.

An edit of one initiative's own fields (title, status, team, dates, estimate, dependencies...:
``INITIATIVE_OWN_FIELDS``) does not build the whole roadmap: the initiative, the roadmap's keys
and its dependency graph are read as rows (``store.initiative_slice``) and checked by the same
rules (``validate_initiative_edit``), and only that initiative's row is written. Such an edit
touches no feedback, so scoring's cached pass over the feedback stays current across it
(``scoring_repo.feedback_untouched``). Other edits take the whole-roadmap path.

An edit names the version it was based on. The object's row is read ``FOR UPDATE`` (so two
PostgreSQL writers queue up; SQLite has one writer anyway), and a version other than the stored
one is a :class:`ConflictError`: never a lost update. Each save moves the version on by one.

Initiatives are archived (``status: archived``), not deleted: their history and evidence stay,
and they leave boards, schedules, forecasts and scoring. Objectives, milestones and teams are
deleted, once no initiative names them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.domain.roadmap import InitiativeStatus, RoadmapDoc
from productpath.domain.roadmap_diff import RoadmapDiff, diff
from productpath.errors import ConflictError, InputError, NotFoundError, RoadmapError
from productpath.ingest.roadmap_yaml import validate_change, validate_initiative_edit
from productpath.services.delivery import relink_session
from productpath.services.history import record_diff
from productpath.services.initiative_edit import notify_voters
from productpath.services.workspace import OpenWorkspace
from productpath.store import evidence_repo, product_repo, scoring_repo
from productpath.store.initiative_slice import initiative_slice
from productpath.store.models import Initiative
from productpath.store.roadmap_repo import (
    INITIATIVE_OWN_FIELDS,
    load_doc,
    save_doc,
    save_initiative,
    versioned_row,
    versions_of,
)
from productpath.workspace import slugify

log = logging.getLogger(__name__)

SECTIONS = {
    "initiative": "initiatives",
    "objective": "objectives",
    "milestone": "milestones",
    "team": "teams",
}
# Which initiative field names each other type (deleting one still named is refused).
REFERENCED_AS = {"objective": "objective", "milestone": "milestone", "team": "team"}
ARCHIVED = InitiativeStatus.ARCHIVED.value
# An initiative field whose change moves which tracker work and commits belong to it.
_LINK_FIELDS = {"created", "work", "start"}


@dataclass(frozen=True)
class Saved:
    """The object after a save: its key, its version now, and the fields that changed
    (``created`` for a new object, ``removed`` for a deleted one; empty: nothing changed)."""

    type: str
    key: str
    version: int
    changed: tuple[str, ...]


def create_object(
    handle: OpenWorkspace,
    object_type: str,
    values: Mapping[str, Any],
    *,
    actor: str,
    via: str,
) -> Saved:
    """Add an object given as roadmap.yaml would write it (``id`` optional for an initiative:
    the slug of its title). RoadmapError (field relative to the object) for a bad value or an
    id that exists, with the wording of ``roadmap apply``."""
    section = _section(object_type)
    item = {k: v for k, v in values.items() if v is not None}
    if not item.get("id") and object_type == "initiative" and isinstance(item.get("title"), str):
        item["id"] = slugify(item["title"])
    with handle.store.write() as session:
        old, product_id = _current(session, handle)
        key = str(item.get("id") or "")
        if any(existing.id == key for existing in getattr(old, section)):
            raise RoadmapError(f"duplicate id '{key}'", field="id")
        new = _validated(session, product_id, old, section, None, item)
        _save(session, product_id, old, new, actor=actor, via=via)
    log.info("%s %s created by %s (%s)", object_type, key, actor, via)
    return Saved(object_type, key, 1, ("created",))


def edit_object(
    handle: OpenWorkspace,
    object_type: str,
    key: str,
    values: Mapping[str, Any],
    *,
    expected_version: int,
    actor: str,
    via: str,
) -> Saved:
    """Set the fields in ``values`` (roadmap.yaml names and shapes; None unsets one) on the
    object ``key`` if it is still at ``expected_version``.

    NotFoundError for an unknown key, ConflictError for a stale version, RoadmapError for a
    value ``roadmap apply`` would refuse. An edit that changes nothing keeps the version.
    """
    section = _section(object_type)
    if "id" in values and values["id"] != key:
        raise InputError("the key of an existing object cannot be changed", field="id")
    mark = None
    with handle.store.write() as session:
        saved = None
        if object_type == "initiative":
            saved = _edit_initiative(session, handle, key, values, expected_version, actor, via)
            if saved is not None and saved.changed:
                # Own fields of one initiative: no feedback, theme or customer row changed.
                mark = scoring_repo.feedback_untouched(session)
        if saved is None:
            saved = _edit_whole(
                session, handle, section, object_type, key, values, expected_version, actor, via
            )
    if mark is not None:
        scoring_repo.digests_still_current(mark)
    if saved.changed:
        log.info(
            "%s %s edited by %s (%s): %s", object_type, key, actor, via, ", ".join(saved.changed)
        )
    return saved


def _edit_whole(
    session: Session,
    handle: OpenWorkspace,
    section: str,
    object_type: str,
    key: str,
    values: Mapping[str, Any],
    expected_version: int,
    actor: str,
    via: str,
) -> Saved:
    """Any edit, checked on the whole stored roadmap with the one item changed."""
    old, product_id = _current(session, handle)
    index = _index(old, section, object_type, key)
    version = locked_version(session, product_id, object_type, key, expected_version)
    item = {**getattr(old, section)[index].model_dump(mode="json"), **values, "id": key}
    new = _validated(session, product_id, old, section, index, item)
    changed = _save(session, product_id, old, new, actor=actor, via=via)
    if not changed:
        return Saved(object_type, key, version, ())
    if object_type == "initiative" and "status" in changed:
        _tell_voters(session, product_id, new, key)
    return Saved(object_type, key, version + 1, changed)


def remove_object(
    handle: OpenWorkspace,
    object_type: str,
    key: str,
    *,
    expected_version: int | None,
    actor: str,
    via: str,
) -> Saved:
    """Archive an initiative, or delete an objective, milestone or team no initiative names.

    ``expected_version`` None skips the version check (a delete meant whatever the state).
    """
    section = _section(object_type)
    if object_type == "initiative":
        with handle.store.read() as session:
            _, product_id = _current(session, handle)
            current = versioned_row(session, product_id, object_type, key, lock=False)
        if current is None:
            raise NotFoundError(f"no initiative '{key}' in this workspace")
        return edit_object(
            handle,
            object_type,
            key,
            {"status": ARCHIVED},
            expected_version=current if expected_version is None else expected_version,
            actor=actor,
            via=via,
        )
    with handle.store.write() as session:
        old, product_id = _current(session, handle)
        index = _index(old, section, object_type, key)
        stored = locked_version(session, product_id, object_type, key, expected_version)
        users = [
            i.id for i in old.initiatives if getattr(i, REFERENCED_AS[object_type], None) == key
        ]
        if users:
            named = ", ".join(f"'{u}'" for u in users[:5]) + (" ..." if len(users) > 5 else "")
            raise InputError(
                f"{object_type} '{key}' is still named by initiative{'s' if len(users) > 1 else ''}"
                f" {named}; change their {REFERENCED_AS[object_type]} first",
                field="id",
            )
        new = _validated(session, product_id, old, section, index, None)
        _save(session, product_id, old, new, actor=actor, via=via)
    log.info("%s %s deleted by %s (%s)", object_type, key, actor, via)
    return Saved(object_type, key, stored, ("removed",))


def object_spec(handle: OpenWorkspace, object_type: str, key: str) -> tuple[dict[str, Any], int]:
    """The object as roadmap.yaml writes it (JSON values) and its version; NotFoundError."""
    section = _section(object_type)
    with handle.store.read() as session:
        old, product_id = _current(session, handle)
        index = _index(old, section, object_type, key)
        version = versioned_row(session, product_id, object_type, key, lock=False)
    item: dict[str, Any] = getattr(old, section)[index].model_dump(mode="json")
    return item, version or 1


def list_objects(handle: OpenWorkspace, object_type: str) -> list[tuple[dict[str, Any], int]]:
    """Every object of the type, in roadmap order, as :func:`object_spec` gives one."""
    section = _section(object_type)
    with handle.store.read() as session:
        doc, product_id = _current(session, handle)
        versions = versions_of(session, product_id, object_type)
    return [
        (item.model_dump(mode="json"), versions.get(item.id, 1)) for item in getattr(doc, section)
    ]


def new_key(title: str) -> str:
    """The key an initiative created without one gets: the slug of its title."""
    return slugify(title)


# -- inside the transaction --------------------------------------------------------------------


def _edit_initiative(
    session: Session,
    handle: OpenWorkspace,
    key: str,
    values: Mapping[str, Any],
    expected_version: int,
    actor: str,
    via: str,
) -> Saved | None:
    """An edit of one initiative's own fields (INITIATIVE_OWN_FIELDS), checked and saved
    without building the whole roadmap: the initiative, the roadmap's keys and its dependency
    graph are read as rows (``store.initiative_slice``) and go through the same rules and
    wording as ``roadmap apply`` (``validate_initiative_edit``). None when the edit changes
    other fields (themes, feedback, score, raci) or there is no such initiative: the caller
    then takes the whole-roadmap path, which words those cases."""
    product_id = product_repo.find_id(session, handle.workspace.product)
    part = None if product_id is None else initiative_slice(session, product_id, key)
    if part is None or product_id is None:
        return None
    version = locked_version(session, product_id, "initiative", key, expected_version)
    item = {**part.spec.model_dump(mode="json"), **values, "id": key}

    def owner(name: str, index: int) -> str | None:
        return part.order[index] if name == "initiatives" else None

    try:
        spec = validate_initiative_edit(part.position, item, part.known, part.order, part.edges)
    except RoadmapError as exc:
        raise _relative(exc.reason, exc.field, "initiatives", part.position, owner) from None
    old = RoadmapDoc(product=part.product, initiatives=(part.spec,))
    new = RoadmapDoc(product=part.product, initiatives=(spec,))
    problems = evidence_repo.missing_evidence(session, product_id, new)
    if problems:
        path, reason = problems[0]
        where = _render(("initiatives", part.position, *path[2:]))
        raise _relative(reason, where, "initiatives", part.position, owner)
    changes = diff(old, new)
    if changes.is_empty:
        return Saved("initiative", key, version, ())
    if _own_fields_only(changes) != key:
        return None
    changed = _save(session, product_id, old, new, actor=actor, via=via, whole=False)
    if "status" in changed:
        _tell_voters(session, product_id, new, key)
    return Saved("initiative", key, version + 1, changed)


def _section(object_type: str) -> str:
    section = SECTIONS.get(object_type)
    if section is None:
        raise NotFoundError(f"{object_type} objects cannot be edited here")
    return section


def _current(session: Session, handle: OpenWorkspace) -> tuple[RoadmapDoc, int]:
    key = handle.workspace.product
    product_id = product_repo.find_id(session, key)
    doc = load_doc(session, key) if product_id is not None else None
    if doc is None or product_id is None:
        raise NotFoundError(
            f"product '{key}' has no roadmap; apply one with 'productpath roadmap apply "
            "roadmap.yaml' (the format is in docs/roadmap.md)"
        )
    return doc, product_id


def _index(doc: RoadmapDoc, section: str, object_type: str, key: str) -> int:
    for index, item in enumerate(getattr(doc, section)):
        if item.id == key:
            return index
    raise NotFoundError(f"no {object_type} '{key}' in this workspace")


def locked_version(
    session: Session, product_id: int, object_type: str, key: str, expected: int | None
) -> int:
    """The object's stored version, its row locked for this write; NotFoundError, or
    ConflictError when ``expected`` (None: any) is not it. Every roadmap edit checks here."""
    stored = versioned_row(session, product_id, object_type, key, lock=True)
    if stored is None:
        raise NotFoundError(f"no {object_type} '{key}' in this workspace")
    if expected is not None and stored != expected:
        raise ConflictError(
            f"{object_type} '{key}' was changed by someone else (version {stored}, you edited "
            f"version {expected}); reload and try again"
        )
    return stored


def _validated(
    session: Session,
    product_id: int,
    old: RoadmapDoc,
    section: str,
    index: int | None,
    item: dict[str, Any] | None,
) -> RoadmapDoc:
    """The roadmap with the one item changed, or the first problem as roadmap apply words it,
    with the field named relative to the edited object (``team``, ``estimate.likely``)."""
    position = len(getattr(old, section)) if index is None else index
    try:
        doc = validate_change(old, section, index, item)
    except RoadmapError as exc:
        raise _relative(exc.reason, exc.field, section, position, _in(old)) from None
    problems = evidence_repo.missing_evidence(session, product_id, doc)
    if problems:
        path, reason = problems[0]
        raise _relative(reason, _render(path), section, position, _in(doc))
    return doc


def _relative(
    reason: str,
    field: str | None,
    section: str,
    position: int,
    owner: Callable[[str, int], str | None],
) -> RoadmapError:
    """The error with its field relative to the edited object (the ``position``-th of
    ``section``); a field of another object is named in the reason, by ``owner`` (the key of the
    item of a section at an index)."""
    if field is None:
        return RoadmapError(reason)
    own = f"{section}[{position}]"
    if field == own or field.startswith(own + ".") or field.startswith(own + "["):
        inner = field[len(own) + 1 :] or "id"
        # An inner list's index is the form's line: "depends_on[1]" stays as it is.
        return RoadmapError(reason, field=inner)
    return RoadmapError(f"{reason} (in {_describe(field, owner)})")


def _describe(field: str, owner: Callable[[str, int], str | None]) -> str:
    """``initiatives[3].team`` as ``initiative 'checkout', field 'team'``."""
    head, _, rest = field.partition(".")
    name, _, number = head.partition("[")
    try:
        key = owner(name, int(number.rstrip("]")))
    except (AttributeError, KeyError, ValueError, IndexError, TypeError):
        key = None
    if key is None:
        return f"field '{field}'"
    kind = next((t for t, s in SECTIONS.items() if s == name), name)
    return f"{kind} '{key}', field '{rest or 'id'}'"


def _in(doc: RoadmapDoc) -> Callable[[str, int], str | None]:
    """The key of the item of a section of ``doc`` at an index."""

    def owner(name: str, index: int) -> str | None:
        return str(getattr(doc, name)[index].model_dump(mode="json").get("id"))

    return owner


def _render(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _save(
    session: Session,
    product_id: int,
    old: RoadmapDoc,
    new: RoadmapDoc,
    *,
    actor: str,
    via: str,
    whole: bool = True,
) -> tuple[str, ...]:
    """Save ``new`` like an apply does and record its history; the top-level fields changed.

    ``whole`` False: the two roadmaps hold only the one initiative whose own fields changed."""
    changes = diff(old, new)
    if changes.is_empty:
        return ()
    own = _own_fields_only(changes)
    if own is None and not whole:  # pragma: no cover - the caller checked
        raise ValueError("a partial roadmap saves only one initiative's own fields")
    if own is not None:
        # One stored initiative's own columns: write that row alone (save_doc would compare and
        # rewrite every table of the roadmap to find the same one change).
        save_initiative(session, product_id, next(i for i in new.initiatives if i.id == own))
    else:
        save_doc(session, new)
    # The history reads the changed objects only: the rest of both roadmaps is the same.
    edits = record_diff(
        session,
        product_id,
        changes,
        _only(old, changes),
        _only(new, changes),
        actor=actor,
        via=via,
    )
    fields = tuple(dict.fromkeys(_top(e.field) for e in edits))
    if any(e.type == "initiative" and _top(e.field) in _LINK_FIELDS for e in edits):
        relink_session(session, new.product.id)
    return fields


def _only(doc: RoadmapDoc, changes: RoadmapDiff) -> RoadmapDoc:
    """``doc`` holding only the objects ``changes`` names, in the sections edited here."""
    named = {(c.kind, c.key) for c in changes.changes}
    kept = {
        section: tuple(i for i in getattr(doc, section) if (kind, i.id) in named)
        for kind, section in SECTIONS.items()
    }
    return doc.model_copy(update=kept)


def _own_fields_only(changes: RoadmapDiff) -> str | None:
    """The key of the one stored initiative the diff changes, if it changes only fields that
    :func:`save_initiative` writes; else None."""
    keys = set()
    for change in changes.changes:
        if change.kind != "initiative" or change.action.value != "changed":
            return None
        if any(_top(f.field) not in INITIATIVE_OWN_FIELDS for f in change.fields):
            return None
        keys.add(change.key)
    return keys.pop() if len(keys) == 1 else None


def _top(field: str) -> str:
    return field.split(".", 1)[0].split("[", 1)[0]


def _tell_voters(session: Session, product_id: int, doc: RoadmapDoc, key: str) -> None:
    spec = next(i for i in doc.initiatives if i.id == key)
    if not spec.public:
        return
    row = session.scalar(
        select(Initiative).where(Initiative.product_id == product_id, Initiative.key == key)
    )
    if row is not None:
        notify_voters(session, row, spec.title, spec.status.value)
