"""The change history: every edit path records who changed which field, and undo puts it back.

Real SQLite and PostgreSQL; the roadmap is applied from a real file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from planning_fixtures import seeded
from productpath.errors import ConflictError, NotFoundError, RoadmapError
from productpath.services.evidence import link, unlink
from productpath.services.history import object_history, recent_activity, undo
from productpath.services.initiative_edit import InitiativeChanges, update_initiative
from productpath.services.roadmap import apply_roadmap, load_roadmap
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store.models import Initiative
from roadmap_fixtures import SMALL_ROADMAP


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    with open_workspace() as h:
        yield h


def _apply(handle: OpenWorkspace, tmp_path: Path, text: str, actor: str = "pm") -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_text(text, encoding="utf-8")
    apply_roadmap(handle, path, actor=actor)


def _version(handle: OpenWorkspace, key: str) -> int:
    with handle.store.read() as s:
        version = s.scalar(select(Initiative.version).where(Initiative.key == key))
        assert version is not None
        return version


def test_apply_records_created_and_changed_fields(handle: OpenWorkspace, tmp_path: Path) -> None:
    _apply(handle, tmp_path, SMALL_ROADMAP, actor="ana")
    created = object_history(handle, "initiative", "kyc")
    assert [(e.field, e.actor, e.via) for e in created] == [("created", "ana", "roadmap-apply")]
    assert created[0].after["title"] == "Light identity check" and created[0].before is None

    changed = SMALL_ROADMAP.replace("likely: 2,", "likely: 3,").replace(
        "depends_on: [kyc]", "depends_on: []"
    )
    _apply(handle, tmp_path, changed.replace("Tap to pay", "Tap and pay"), actor="bo")
    kyc = object_history(handle, "initiative", "kyc")
    assert (kyc[0].field, kyc[0].before, kyc[0].after) == ("estimate.likely", 2.0, 3.0)
    tap = {e.field: (e.before, e.after) for e in object_history(handle, "initiative", "tap")}
    assert tap["title"] == ("Tap to pay", "Tap and pay")
    assert tap["depends_on"] == (["kyc"], [])
    # Both edits of the apply share one id; the feed lists them newest first.
    feed = recent_activity(handle, limit=3)
    assert len({e.edit for e in feed}) == 1 and feed[0].actor == "bo"
    # An apply moves the version on, so a web edit based on the old one is stale.
    assert _version(handle, "kyc") == 2


def test_web_and_api_edits_are_recorded_with_their_door(
    handle: OpenWorkspace, tmp_path: Path
) -> None:
    _apply(handle, tmp_path, SMALL_ROADMAP)
    update_initiative(
        handle,
        "tap",
        InitiativeChanges(status="planned", title="Tap"),
        expected_version=1,
        actor="ed@example.com",
        via="web",
    )
    entries = object_history(handle, "initiative", "tap")
    assert [(e.field, e.before, e.after, e.via, e.actor) for e in entries[:2]] == [
        ("title", "Tap to pay", "Tap", "web", "ed@example.com"),
        ("status", "proposed", "planned", "web", "ed@example.com"),
    ]


def test_undo_puts_the_last_change_back_and_is_recorded(
    handle: OpenWorkspace, tmp_path: Path
) -> None:
    _apply(handle, tmp_path, SMALL_ROADMAP)
    _apply(handle, tmp_path, SMALL_ROADMAP.replace("    team: payments\n", ""), actor="bo")
    doc = load_roadmap(handle)
    assert doc is not None and doc.initiatives[0].team is None
    result = undo(handle, "initiative", "kyc", actor="ana", via="cli")
    assert result.fields == ["team"]
    doc = load_roadmap(handle)
    assert doc is not None and doc.initiatives[0].team == "payments"
    latest = object_history(handle, "initiative", "kyc")[0]
    assert (latest.field, latest.before, latest.after, latest.actor) == (
        "team",
        None,
        "payments",
        "ana",
    )


def test_undo_refuses_when_a_later_change_touched_the_field(
    handle: OpenWorkspace, tmp_path: Path
) -> None:
    _apply(handle, tmp_path, SMALL_ROADMAP)
    update_initiative(
        handle, "tap", InitiativeChanges(title="One"), expected_version=1, actor="a", via="web"
    )
    first = object_history(handle, "initiative", "tap")[0].edit
    update_initiative(
        handle, "tap", InitiativeChanges(title="Two"), expected_version=2, actor="b", via="api"
    )
    with pytest.raises(ConflictError, match=r"field 'title' was changed again by b \(api\)"):
        undo(handle, "initiative", "tap", edit=first, actor="c", via="web")
    # The latest change can be undone, and then the first one too.
    undo(handle, "initiative", "tap", actor="c", via="web")
    doc = load_roadmap(handle)
    assert doc is not None and doc.initiatives[1].title == "One"


def test_undo_that_breaks_a_rule_says_so_and_writes_nothing(
    handle: OpenWorkspace, tmp_path: Path
) -> None:
    _apply(handle, tmp_path, SMALL_ROADMAP)
    # tap drops its dependency, then kyc is removed: bringing the dependency back would name
    # an initiative that no longer exists.
    _apply(handle, tmp_path, SMALL_ROADMAP.replace("depends_on: [kyc]", "depends_on: []"))
    removed = SMALL_ROADMAP.replace("depends_on: [kyc]", "depends_on: []")
    start = removed.index("  - id: kyc")
    end = removed.index("  - id: tap")
    _apply(handle, tmp_path, removed[:start] + removed[end:])
    before = len(recent_activity(handle, limit=100))
    with pytest.raises(RoadmapError, match="depends_on"):
        undo(handle, "initiative", "tap", actor="c", via="web")
    assert len(recent_activity(handle, limit=100)) == before


def test_unknown_objects_and_empty_history(handle: OpenWorkspace, tmp_path: Path) -> None:
    _apply(handle, tmp_path, SMALL_ROADMAP)
    with pytest.raises(NotFoundError, match="no initiative 'nope'"):
        object_history(handle, "initiative", "nope")
    assert [e.field for e in object_history(handle, "milestone", "beta")] == ["created"]
    with pytest.raises(NotFoundError, match="no change to undo"):
        undo(handle, "team", "nobody", actor="a", via="cli")


def test_linking_evidence_is_recorded_and_undone(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    link(opened, "passcode-reset", ["#9", "app:3-0"])
    entries = {e.field: e for e in object_history(opened, "initiative", "passcode-reset")[:2]}
    assert (entries["themes"].before, entries["themes"].after) == ([], [9])
    assert (entries["feedback"].before, entries["feedback"].after, entries["feedback"].via) == (
        [],
        ["app:3-0"],
        "cli",
    )
    unlink(opened, "passcode-reset", ["#9"])
    latest = object_history(opened, "initiative", "passcode-reset")[0]
    assert (latest.field, latest.before, latest.after) == ("themes", [9], [])
    undo(opened, "initiative", "passcode-reset", actor="pm", via="cli")
    doc = load_roadmap(opened)
    assert doc is not None
    assert next(i for i in doc.initiatives if i.id == "passcode-reset").themes == (9,)
