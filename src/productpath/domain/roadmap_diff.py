"""What applying a roadmap would change: added, changed and removed objects, field by field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from productpath.domain.roadmap import RoadmapDoc


class Action(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    kind: str  # product, objective, team, milestone, initiative, dependency
    key: str
    action: Action
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class RoadmapDiff:
    changes: tuple[Change, ...]

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    def summary(self) -> str:
        if self.is_empty:
            return "no changes"
        return ", ".join(f"{self.count(a)} {a.value}" for a in Action)


# Sections of the document in the order the diff reports them, with the singular kind name.
_SECTIONS = (("objectives", "objective"), ("teams", "team"),
             ("milestones", "milestone"), ("initiatives", "initiative"))


def diff(old: RoadmapDoc | None, new: RoadmapDoc) -> RoadmapDiff:
    """Changes that turn ``old`` (None: nothing stored yet) into ``new``."""
    changes: list[Change] = []
    if old is None:
        changes.append(Change("product", new.product.id, Action.ADDED))
    else:
        fields = _field_changes(old.product, new.product)
        if fields:
            changes.append(Change("product", new.product.id, Action.CHANGED, fields))
    for section, kind in _SECTIONS:
        before = getattr(old, section) if old is not None else ()
        changes += _diff_section(kind, before, getattr(new, section))
    changes += _diff_dependencies(old, new)
    return RoadmapDiff(tuple(changes))


def _diff_section(kind: str, before: Sequence[BaseModel], after: Sequence[BaseModel]
                  ) -> list[Change]:
    old_by_id = {item.id: item for item in before}  # type: ignore[attr-defined]
    new_ids = {item.id for item in after}  # type: ignore[attr-defined]
    changes = []
    for item in after:
        key = item.id  # type: ignore[attr-defined]
        previous = old_by_id.get(key)
        if previous is None:
            changes.append(Change(kind, key, Action.ADDED))
        else:
            fields = _field_changes(previous, item)
            if fields:
                changes.append(Change(kind, key, Action.CHANGED, fields))
    changes += [Change(kind, key, Action.REMOVED) for key in old_by_id if key not in new_ids]
    return changes


def _diff_dependencies(old: RoadmapDoc | None, new: RoadmapDoc) -> list[Change]:
    def edges(doc: RoadmapDoc | None) -> list[str]:
        if doc is None:
            return []
        return [f"{i.id} -> {dep}" for i in doc.initiatives for dep in i.depends_on]

    before, after = edges(old), edges(new)
    before_set, after_set = set(before), set(after)
    return ([Change("dependency", e, Action.ADDED) for e in after if e not in before_set]
            + [Change("dependency", e, Action.REMOVED) for e in before if e not in after_set])


def _field_changes(old: BaseModel, new: BaseModel) -> tuple[FieldChange, ...]:
    # Dependencies are reported as edges of their own, so they are left out here.
    left = old.model_dump(mode="json", exclude={"id", "depends_on"})
    right = new.model_dump(mode="json", exclude={"id", "depends_on"})
    return tuple(FieldChange(name, left.get(name), right.get(name))
                 for name in right if left.get(name) != right.get(name))
