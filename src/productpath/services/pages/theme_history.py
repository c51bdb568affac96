"""One theme's history (``/api/v1/themes/{number}/history``, the theme page): the curation
decisions that touched it, read from the curation log, in the shape of the roadmap's history.

A theme is not a roadmap object, so its changes are not in the roadmap's history: every change
a person makes to a theme is a curation decision (services.curation), and the log keeps who
took it, when and what it replaced. Each decision becomes one entry per theme it touched:

- rename: ``label``, the label before and after;
- merge: ``merged``, the themes merged (before) and the one kept (after), on each of them;
- split: ``split``, the theme split (before) and its parts (after), on each part;
- move: ``members``, on the theme the items joined (after: their ids) and on each theme they
  left (before: their ids);
- dismiss: ``dismissed``, on each theme the items left (before: their ids) as not feedback;
- undo: the entry of the decision taken back, at the time of the undo, before and after
  swapped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from productpath.errors import NotFoundError
from productpath.services.workspace import OpenWorkspace
from productpath.store import curation_repo, product_repo
from productpath.store.curation_repo import StoredDecision

MAX_ENTRIES = 500
NOT_RECORDED = "not recorded"


class ThemeChange(BaseModel):
    """One curation decision as it touched one theme."""

    decision: int = Field(description="the decision's number in the curation log")
    action: str = Field(description="rename, merge, split, move, dismiss, or undo")
    summary: str = Field(description="the decision in words, as the curation log writes it")
    at: dt.datetime
    actor: str = Field(description="who: a user's e-mail or name, or 'cli'")
    via: str = Field(description="web, api or cli")
    field: str = Field(description="label, merged, split, members or dismissed")
    before: Any = Field(description="the value before (null: none)")
    after: Any = Field(description="the value after (null: none)")


def theme_history(handle: OpenWorkspace, number: int, *, limit: int = 100) -> list[ThemeChange]:
    """The curation decisions that touched theme ``number``, undos included, newest first;
    NotFoundError when the workspace never had such a theme."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        row = None if product_id is None else curation_repo.theme_row(session, product_id, number)
        if product_id is None or row is None:
            raise NotFoundError(f"no theme #{number} in this workspace")
        logged = curation_repo.decisions(session, product_id, active_only=False)
    entries: list[ThemeChange] = []
    for decision in logged:
        for field, before, after in _touches(decision, number):
            entries.append(_entry(decision, field, before, after))
            if decision.undone_at is not None:
                entries.append(_undo_entry(decision, field, before, after))
    entries.sort(key=lambda e: (e.at, e.decision, e.action == "undo"), reverse=True)
    return entries[: min(limit, MAX_ENTRIES)]


def _touches(decision: StoredDecision, number: int) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of each way ``decision`` changed theme ``number``."""
    d = decision.details
    if decision.action == "rename":
        if int(d["theme"]) != number:
            return []
        return [("label", d.get("before", {}).get("label"), d["label"])]
    if decision.action == "merge":
        merged = sorted(int(n) for n in d["members"])
        return [("merged", merged, int(d["into"]))] if number in merged else []
    if decision.action == "split":
        parts = sorted(int(n) for n in d["parts"])
        return [("split", int(d["theme"]), parts)] if number in parts else []
    left = sorted(int(i) for i, was in d.get("before", {}).items() if was == number)
    if decision.action == "move":
        found: list[tuple[str, Any, Any]] = []
        if int(d["theme"]) == number:
            found.append(("members", None, sorted(int(i) for i in d["items"])))
        elif left:
            found.append(("members", left, None))
        return found
    if decision.action == "dismiss" and left:
        return [("dismissed", left, None)]
    return []


def _via(via: Any, set_by: str | None) -> str:
    if isinstance(via, str) and via:
        return via
    # Decisions logged before the log kept the door: the CLI signs its decisions 'cli'.
    return "cli" if set_by == "cli" else NOT_RECORDED


def _entry(decision: StoredDecision, field: str, before: Any, after: Any) -> ThemeChange:
    return ThemeChange(
        decision=decision.number,
        action=decision.action,
        summary=decision.summary,
        at=decision.set_at,
        actor=decision.set_by or NOT_RECORDED,
        via=_via(decision.details.get("via"), decision.set_by),
        field=field,
        before=before,
        after=after,
    )


def _undo_entry(decision: StoredDecision, field: str, before: Any, after: Any) -> ThemeChange:
    assert decision.undone_at is not None
    by = decision.details.get("undone_by")
    return ThemeChange(
        decision=decision.number,
        action="undo",
        summary=f"undid: {decision.summary}",
        at=decision.undone_at,
        actor=by if isinstance(by, str) and by else NOT_RECORDED,
        via=_via(decision.details.get("undone_via"), by if isinstance(by, str) else None),
        field=field,
        before=after,
        after=before,
    )
