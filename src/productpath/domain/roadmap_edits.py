"""The plain results of comparing roadmap states: one field's edit, a conflict between a
roadmap file and the workspace, and a three-way merge's outcome.

Kept apart from ``history`` (which turns diffs into edits and back) and ``roadmap_merge``
(which merges), so that ``roadmap_diff`` can carry a merge's outcome without importing either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CREATED = "created"
REMOVED = "removed"


@dataclass(frozen=True)
class FieldEdit:
    type: str  # product, objective, team, milestone, initiative, ... or "roadmap" for an order
    key: str
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Conflict:
    """A field both sides changed: what the base had, the file says and the workspace says."""

    type: str
    key: str
    field: str
    base: Any
    file: Any
    workspace: Any
    workspace_field: str  # what the workspace changed: the same field, or one overlapping it

    def line(self) -> str:
        return (
            f"conflict: {self.type} '{self.key}' field '{self.field}': the file "
            f"{_said(self.field, self.file)}, the workspace "
            f"{_said(self.workspace_field, self.workspace)}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "key": self.key,
            "field": self.field,
            "base": self.base,
            "file": self.file,
            "workspace": self.workspace,
            "workspace_field": self.workspace_field,
        }


@dataclass(frozen=True)
class Merge:
    """The merged roadmap (as JSON data, to be validated) and how each change was treated."""

    data: dict[str, Any]
    from_file: tuple[FieldEdit, ...] = ()
    kept: tuple[FieldEdit, ...] = ()  # changed in the workspace only: left as they are
    conflicts: tuple[Conflict, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        def edits(found: tuple[FieldEdit, ...]) -> list[dict[str, Any]]:
            return [
                {"type": e.type, "key": e.key, "field": e.field, "old": e.before, "new": e.after}
                for e in found
            ]

        return {
            "from_file": edits(self.from_file),
            "kept": edits(self.kept),
            "conflicts": [c.as_dict() for c in self.conflicts],
        }


def _said(field_name: str, value: Any) -> str:
    """How one side's change reads in a conflict line."""
    if field_name == CREATED:
        return "added it"
    if field_name == REMOVED:
        return "removed it"
    shown = "unset" if value is None else repr(value) if isinstance(value, str) else value
    return f"has {field_name} = {shown}"
