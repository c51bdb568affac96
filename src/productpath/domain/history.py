"""Field-level edits of roadmap objects: derived from a roadmap diff, and put back for an undo.

An edit names an object (``type`` and ``key``), a field and its value before and after, in
the JSON shape of ``roadmap export``. Field names are those of the roadmap diff: ``title``,
``estimate.likely``, ``key_results[kr-1].target``; an object created or removed as a whole
has the field ``created`` or ``removed`` and its document as the value.
"""

from __future__ import annotations

import re
from typing import Any

from productpath.domain.roadmap import RoadmapDoc
from productpath.domain.roadmap_diff import SECTIONS, Action, RoadmapDiff
from productpath.domain.roadmap_edits import CREATED, REMOVED, FieldEdit

WHOLE_OBJECT = frozenset({CREATED, REMOVED})
# An initiative's place in the roadmap's order (1 = first), recorded beside the roadmap's
# ``order`` when one initiative is moved, so its own history shows the move and its page can
# undo it. A record only: the roadmap's ``order`` row of the same edit is what puts it back.
PLACE = "priority"
# roadmap section by object type ("initiative" -> "initiatives").
SECTION_OF = {kind: section for section, kind in SECTIONS}
# "key_results[kr-1].target" -> ("key_results", "kr-1", "target"); keys never hold "]".
_STEP = re.compile(r"^(?P<name>[A-Za-z_]+)(?:\[(?P<item>[^\]]+)\])?(?:\.(?P<rest>.+))?$")


class UndoRefused(ValueError):
    """An edit that cannot be put back as it is (the message says why)."""


def edits_from_diff(
    changes: RoadmapDiff, old: RoadmapDoc | None, new: RoadmapDoc
) -> list[FieldEdit]:
    """The field edits that turn ``old`` into ``new``, given their diff.

    Dependencies are recorded on the initiative that has them, as its whole ``depends_on``
    list before and after, so an initiative's history shows them and an undo restores them.
    """
    old_items = _by_key(old)
    new_items = _by_key(new)
    edits: list[FieldEdit] = []
    for change in changes.changes:
        if change.kind in ("dependency", "order"):
            if change.kind == "order":
                edits += [
                    FieldEdit("roadmap", change.key, "order", f.old, f.new) for f in change.fields
                ]
            continue
        key = (change.kind, change.key)
        if change.action is Action.ADDED:
            edits.append(FieldEdit(change.kind, change.key, CREATED, None, new_items.get(key)))
        elif change.action is Action.REMOVED:
            edits.append(FieldEdit(change.kind, change.key, REMOVED, old_items.get(key), None))
        else:
            edits += [
                FieldEdit(change.kind, change.key, f.field, f.old, f.new)
                for f in change.fields
                if not (change.kind == "initiative" and f.field == "depends_on")
            ]
    if old is not None:
        before = {i.id: list(i.depends_on) for i in old.initiatives}
        for initiative in new.initiatives:
            was = before.get(initiative.id)
            if was is not None and was != list(initiative.depends_on):
                edits.append(
                    FieldEdit(
                        "initiative", initiative.id, "depends_on", was, list(initiative.depends_on)
                    )
                )
    return edits


def _by_key(doc: RoadmapDoc | None) -> dict[tuple[str, str], Any]:
    if doc is None:
        return {}
    found: dict[tuple[str, str], Any] = {}
    for section, kind in SECTIONS:
        for item in getattr(doc, section):
            found[(kind, item.id)] = item.model_dump(mode="json")
    return found


def touches(field: str, other: str) -> bool:
    """Whether two field names overlap (the same field, one inside the other, or the object)."""
    if field in WHOLE_OBJECT or other in WHOLE_OBJECT:
        return True
    if field == other:
        return True
    shorter, longer = sorted((field, other), key=len)
    return longer.startswith(shorter) and longer[len(shorter)] in ".[ "


def revert(data: dict[str, Any], edits: list[FieldEdit]) -> dict[str, Any]:
    """``data`` (a roadmap as JSON, changed in place and returned) with ``edits`` put back,
    the last edit first."""
    for edit in reversed(edits):
        _revert_one(data, edit)
    return data


def replay(data: dict[str, Any], edits: list[FieldEdit]) -> dict[str, Any]:
    """``data`` with ``edits`` made again (their ``after`` values), in order."""
    for edit in edits:
        field = {CREATED: REMOVED, REMOVED: CREATED}.get(edit.field, edit.field)
        _revert_one(data, FieldEdit(edit.type, edit.key, field, edit.after, edit.before))
    return data


def _revert_one(data: dict[str, Any], edit: FieldEdit) -> None:
    if edit.type == "initiative" and edit.field == PLACE:
        return  # the order row of the same edit moves it
    if edit.type == "product":
        _put(data["product"], edit.field, edit.before)
        return
    if edit.type == "roadmap" and edit.field == "order" and edit.key in data:
        data[edit.key] = _reordered(data[edit.key], edit.before)
        return
    section_name = SECTION_OF.get(edit.type)
    if section_name is None:
        raise UndoRefused(f"a change of {edit.type} '{edit.key}' cannot be undone here")
    section: list[dict[str, Any]] = data.setdefault(section_name, [])
    position = next((n for n, item in enumerate(section) if item["id"] == edit.key), None)
    if edit.field == CREATED:
        if position is not None:
            del section[position]
        return
    if edit.field == REMOVED:
        if position is None:
            section.append(edit.before)
        return
    if position is None:
        raise UndoRefused(f"{edit.type} '{edit.key}' no longer exists")
    _put(section[position], edit.field, edit.before)


def _reordered(items: list[Any], order: list[str]) -> list[Any]:
    """``items`` with those whose id is in ``order`` put in that order, in the same slots."""
    wanted = [i for i in order if any(_id(item) == i for item in items)]
    slots = [n for n, item in enumerate(items) if _id(item) in set(wanted)]
    by_id = {_id(item): item for item in items}
    result = list(items)
    for slot, key in zip(slots, wanted, strict=True):
        result[slot] = by_id[key]
    return result


def _id(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else item


def _put(target: dict[str, Any], field: str, value: Any) -> None:
    if field.endswith(" order"):
        listed = field.removesuffix(" order")
        if listed in target and isinstance(value, list):
            target[listed] = _reordered(target[listed], value)
            return
        raise UndoRefused(f"a change of the order of '{listed}' cannot be undone here")
    match = _STEP.match(field)
    if match is None:
        raise UndoRefused(f"the field '{field}' cannot be undone here")
    name, item, rest = match["name"], match["item"], match["rest"]
    if item is None:
        if rest is None:
            _set(target, name, value)
        else:
            child = target.get(name)
            if not isinstance(child, dict):
                raise UndoRefused(f"the field '{field}' was changed again since")
            _put(child, rest, value)
        return
    items = target.get(name) or []
    index = next((n for n, v in enumerate(items) if v.get("id") == item), None)
    if rest is None:
        if index is not None:
            del items[index]
        if value is not None:
            items.insert(len(items) if index is None else index, value)
        target[name] = items
        return
    if index is None:
        raise UndoRefused(f"'{name}[{item}]' no longer exists")
    _put(items[index], rest, value)


def _set(target: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        target.pop(name, None)  # absent and unset are one thing in the document
    else:
        target[name] = value
