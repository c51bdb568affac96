"""Three-way merge of a roadmap: the state a file was exported from (its base), the file as
edited, and the workspace as it is now.

A field changed only in the file takes the file's value; one changed only in the workspace
keeps the workspace's; an object added or removed on one side only follows that side. A field
changed on both sides to different values is a conflict (so is an object removed on one side
and changed on the other); with ``force`` the file's side wins them. Both sides making the
same change is no conflict.
"""

from __future__ import annotations

from typing import Any

from productpath.domain.history import SECTION_OF, edits_from_diff, replay, touches
from productpath.domain.roadmap import RoadmapDoc
from productpath.domain.roadmap_diff import diff
from productpath.domain.roadmap_edits import CREATED, REMOVED, Conflict, FieldEdit, Merge


def three_way(base: RoadmapDoc, file: RoadmapDoc, workspace: RoadmapDoc, *, force: bool) -> Merge:
    """Merge the file's changes since ``base`` into ``workspace``; see the module docstring."""
    theirs = edits_from_diff(diff(base, workspace), base, workspace)
    ours = edits_from_diff(diff(base, file), base, file)
    data = workspace.model_dump(mode="json")
    applied: list[FieldEdit] = []
    conflicts: list[Conflict] = []
    overlapped: set[int] = set()
    restored: set[tuple[str, str]] = set()  # removed in the workspace, forced back by the file
    for edit in ours:
        clashes = [
            n
            for n, other in enumerate(theirs)
            if (other.type, other.key) == (edit.type, edit.key) and touches(edit.field, other.field)
        ]
        overlapped.update(clashes)
        same = all(theirs[n].field == edit.field and theirs[n].after == edit.after for n in clashes)
        if clashes and not same:
            other = theirs[clashes[0]]
            conflicts.append(
                Conflict(
                    edit.type,
                    edit.key,
                    edit.field,
                    edit.before,
                    edit.after,
                    other.after,
                    other.field,
                )
            )
            if not force:
                continue
            if other.field == REMOVED:
                # The file wins over a removal: the object comes back as the file has it.
                restored.add((edit.type, edit.key))
                continue
        elif clashes:
            continue  # both sides made this very change: it is there already
        applied.append(edit)
    for object_type, key in sorted(restored):
        whole = next(i for i in getattr(file, SECTION_OF[object_type]) if i.id == key)
        applied.append(FieldEdit(object_type, key, CREATED, None, whole.model_dump(mode="json")))
    # The changes that are no conflict are merged even when there are conflicts, so a dry run
    # shows them; the apply itself stops on a conflict before anything is written.
    replay(data, applied)
    _place_added(data, file, applied)
    kept = tuple(e for n, e in enumerate(theirs) if n not in overlapped)
    return Merge(data, tuple(applied), kept, tuple(conflicts))


def _place_added(data: dict[str, Any], file: RoadmapDoc, applied: list[FieldEdit]) -> None:
    """Objects the file added go where the file has them: after the object before them there."""
    for edit in applied:
        section_name = SECTION_OF.get(edit.type)
        if edit.field != CREATED or section_name is None:
            continue
        section: list[dict[str, Any]] = data[section_name]
        ids = [item.id for item in getattr(file, section_name)]
        at = ids.index(edit.key)
        item = next(i for i in section if i["id"] == edit.key)
        section.remove(item)
        previous = next((k for k in reversed(ids[:at]) if any(i["id"] == k for i in section)), None)
        position = (
            0
            if previous is None
            else 1 + next(n for n, i in enumerate(section) if i["id"] == previous)
        )
        section.insert(position, item)
