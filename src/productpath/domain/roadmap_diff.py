"""What applying a roadmap would change: added, changed and removed objects, field by field.

The diff is empty exactly when the two documents are equal, so an empty diff means applying
would write nothing. That is why re-ordering (of a section, or of one initiative's dependencies)
is reported too: in a roadmap, order is priority.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from productpath.domain.roadmap import RoadmapDoc
from productpath.domain.roadmap_edits import Merge


class Action(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value (JSON-ready); None on one side means absent or unset."""

    field: str  # dotted for nested values: "estimate.likely", "key_results[kr-1].target"
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    # product, objective, team, stakeholder, milestone, initiative, segment, customer,
    # competitor, feature, dependency, order
    kind: str
    key: str
    action: Action
    fields: tuple[FieldChange, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "action": self.action.value,
            "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in self.fields],
        }


@dataclass(frozen=True)
class RoadmapDiff:
    changes: tuple[Change, ...]
    product: str = ""  # the key of the product the roadmap belongs to
    # What the user should know that is not a change, e.g. a key result's KPI with no values.
    warnings: tuple[str, ...] = ()
    # For a file that names the revision it was exported from: how its changes were merged.
    merge: Merge | None = None

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    def counts(self) -> dict[str, int]:
        return {a.value: self.count(a) for a in Action}

    def summary(self) -> str:
        if self.is_empty:
            return "no changes"
        return ", ".join(f"{n} {action}" for action, n in self.counts().items())

    def as_dict(self) -> dict[str, Any]:
        found = {
            "product": self.product,
            "summary": self.counts(),
            "changes": [c.as_dict() for c in self.changes],
            "warnings": list(self.warnings),
        }
        if self.merge is not None:
            found["three_way"] = self.merge.as_dict()
        return found


# Sections of the document in the order the diff reports them, with the singular kind name.
SECTIONS = (
    ("objectives", "objective"),
    ("teams", "team"),
    ("stakeholders", "stakeholder"),
    ("milestones", "milestone"),
    ("initiatives", "initiative"),
    ("segments", "segment"),
    ("customers", "customer"),
    ("competitors", "competitor"),
    ("features", "feature"),
)


def diff(old: RoadmapDoc | None, new: RoadmapDoc) -> RoadmapDiff:
    """Changes that turn ``old`` (None: nothing stored yet) into ``new``."""
    changes: list[Change] = []
    if old is None:
        changes.append(Change("product", new.product.id, Action.ADDED))
    else:
        fields = _field_changes(old.product, new.product)
        if fields:
            changes.append(Change("product", new.product.id, Action.CHANGED, fields))
    for section, kind in SECTIONS:
        before: Sequence[Any] = getattr(old, section) if old is not None else ()
        after: Sequence[Any] = getattr(new, section)
        changes += _diff_section(kind, before, after)
        moved = _reordered([item.id for item in before], [item.id for item in after])
        if moved is not None:
            changes.append(Change("order", section, Action.CHANGED, (moved,)))
    changes += _diff_dependencies(old, new)
    return RoadmapDiff(tuple(changes), new.product.id)


def _diff_section(kind: str, before: Sequence[Any], after: Sequence[Any]) -> list[Change]:
    old_by_id = {item.id: item for item in before}
    new_ids = {item.id for item in after}
    changes = []
    for item in after:
        previous = old_by_id.get(item.id)
        if previous is None:
            changes.append(Change(kind, item.id, Action.ADDED))
        else:
            fields = _field_changes(previous, item)
            if fields:
                changes.append(Change(kind, item.id, Action.CHANGED, fields))
    changes += [Change(kind, key, Action.REMOVED) for key in old_by_id if key not in new_ids]
    return changes


def _diff_dependencies(old: RoadmapDoc | None, new: RoadmapDoc) -> list[Change]:
    def edges(doc: RoadmapDoc | None) -> list[str]:
        if doc is None:
            return []
        return [f"{i.id} -> {dep}" for i in doc.initiatives for dep in i.depends_on]

    before, after = edges(old), edges(new)
    before_set, after_set = set(before), set(after)
    return [Change("dependency", e, Action.ADDED) for e in after if e not in before_set] + [
        Change("dependency", e, Action.REMOVED) for e in before if e not in after_set
    ]


def _field_changes(old: BaseModel, new: BaseModel) -> tuple[FieldChange, ...]:
    left = old.model_dump(mode="json", exclude={"id"})
    right = new.model_dump(mode="json", exclude={"id"})
    # Dependencies are reported as edges of their own; only a new order of the same edges
    # shows up here, as a field change.
    old_deps, new_deps = left.pop("depends_on", []), right.pop("depends_on", [])
    changes = _compare("", left, right)
    moved = _reordered(old_deps, new_deps)
    if moved is not None:
        changes.append(FieldChange("depends_on", moved.old, moved.new))
    return tuple(changes)


def _compare(prefix: str, old: Any, new: Any) -> list[FieldChange]:
    """Field changes between two JSON values, descending into mappings and lists of ids."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        names = [*new, *(name for name in old if name not in new)]
        return [
            change
            for name in names
            for change in _compare(
                f"{prefix}.{name}" if prefix else name, old.get(name), new.get(name)
            )
        ]
    if _id_list(old) and _id_list(new):
        return _compare_by_id(prefix, old, new)
    return [FieldChange(prefix, old, new)]


def _id_list(value: Any) -> bool:
    if not isinstance(value, list) or not all(isinstance(v, dict) and "id" in v for v in value):
        return False
    ids = [v["id"] for v in value]
    return len(ids) == len(set(ids))


def _compare_by_id(prefix: str, old: list[Any], new: list[Any]) -> list[FieldChange]:
    # Lists of objects with ids (key results) compare item by item, so one changed target
    # reads as one line instead of two whole lists.
    old_by_id = {item["id"]: item for item in old}
    new_ids = {item["id"] for item in new}
    changes: list[FieldChange] = []
    for item in new:
        name = f"{prefix}[{item['id']}]"
        if item["id"] in old_by_id:
            changes += _compare(name, old_by_id[item["id"]], item)
        else:
            changes.append(FieldChange(name, None, item))
    changes += [
        FieldChange(f"{prefix}[{key}]", item, None)
        for key, item in old_by_id.items()
        if key not in new_ids
    ]
    moved = _reordered([i["id"] for i in old], [i["id"] for i in new])
    if moved is not None:
        changes.append(FieldChange(f"{prefix} order", moved.old, moved.new))
    return changes


def _reordered(before: Sequence[str], after: Sequence[str]) -> FieldChange | None:
    """The ids both lists share, in both orders, when that order differs; else None."""
    common = set(before) & set(after)
    old_order = [key for key in before if key in common]
    new_order = [key for key in after if key in common]
    if old_order == new_order:
        return None
    return FieldChange("order", old_order, new_order)
