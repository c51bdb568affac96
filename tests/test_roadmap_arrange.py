"""Reordering priority and changing planned dates (services/roadmap_arrange.py), on SQLite and
PostgreSQL: validation as roadmap apply words it, versions, history and the export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from arrange_fixtures import seed_arrange
from productpath.errors import ConflictError, InputError, NotFoundError
from productpath.services.history import object_history, recent_activity, undo
from productpath.services.roadmap import apply_roadmap, export_roadmap
from productpath.services.roadmap_arrange import move_initiative, set_planned_dates
from productpath.services.workspace import OpenWorkspace, open_workspace


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    with open_workspace() as h:
        seed_arrange(h, workspace_dir)
        yield h


def _order(handle: OpenWorkspace) -> list[str]:
    exported = yaml.safe_load(export_roadmap(handle))
    return [i["id"] for i in exported["initiatives"]]


def test_a_move_changes_the_exported_order_and_records_it(handle: OpenWorkspace) -> None:
    moved = move_initiative(
        handle, "charlie", before="alpha", expected_version=1, actor="pm@x", via="web"
    )
    assert moved.changed and moved.position == 0 and moved.version == 2
    assert _order(handle) == ["charlie", "alpha", "bravo", "now-one"]
    after = move_initiative(
        handle, "alpha", after="bravo", expected_version=1, actor="pm@x", via="api"
    )
    assert after.position == 2
    assert _order(handle) == ["charlie", "bravo", "alpha", "now-one"]
    feed = recent_activity(handle, limit=5)
    assert feed[0].field == "order" and feed[0].via == "api" and feed[0].actor == "pm@x"
    assert feed[0].after == ["charlie", "bravo", "alpha", "now-one"]


def test_a_move_to_where_it_is_changes_nothing(handle: OpenWorkspace) -> None:
    same = move_initiative(
        handle, "bravo", after="alpha", expected_version=1, actor="pm", via="web"
    )
    assert not same.changed and same.version == 1 and same.position == 1


def test_a_stale_move_is_a_conflict_and_writes_nothing(handle: OpenWorkspace) -> None:
    move_initiative(handle, "charlie", before="alpha", expected_version=1, actor="a", via="web")
    with pytest.raises(ConflictError, match=r"version 2, you edited version 1"):
        move_initiative(handle, "charlie", after="bravo", expected_version=1, actor="b", via="web")
    assert _order(handle) == ["charlie", "alpha", "bravo", "now-one"]


def test_bad_moves_are_refused(handle: OpenWorkspace) -> None:
    with pytest.raises(InputError, match="exactly one neighbour"):
        move_initiative(handle, "alpha", expected_version=1, actor="a", via="api")
    with pytest.raises(InputError, match="next to itself"):
        move_initiative(handle, "alpha", before="alpha", expected_version=1, actor="a", via="api")
    with pytest.raises(NotFoundError, match="no initiative 'nope'"):
        move_initiative(handle, "alpha", before="nope", expected_version=1, actor="a", via="api")
    with pytest.raises(NotFoundError, match="no initiative 'nope'"):
        move_initiative(handle, "nope", before="alpha", expected_version=1, actor="a", via="api")


def test_dates_change_export_and_history(handle: OpenWorkspace) -> None:
    done = set_planned_dates(
        handle,
        "bravo",
        start=dt.date(2030, 2, 3),
        target=dt.date(2030, 3, 3),
        expected_version=1,
        actor="pm@x",
        via="web",
    )
    assert done.changed and done.version == 2
    bravo = next(
        i for i in yaml.safe_load(export_roadmap(handle))["initiatives"] if i["id"] == "bravo"
    )
    assert (bravo["start"], bravo["target"]) == (dt.date(2030, 2, 3), dt.date(2030, 3, 3))
    fields = [(e.field, e.after, e.via) for e in object_history(handle, "initiative", "bravo")]
    assert ("start", "2030-02-03", "web") in fields and ("target", "2030-03-03", "web") in fields
    cleared = set_planned_dates(
        handle, "bravo", start=None, target=None, expected_version=2, actor="pm", via="api"
    )
    assert (cleared.start, cleared.target, cleared.version) == (None, None, 3)


def test_a_target_before_the_start_is_refused_with_the_files_words(
    handle: OpenWorkspace,
) -> None:
    with pytest.raises(InputError) as caught:
        set_planned_dates(
            handle,
            "alpha",
            start=dt.date(2030, 3, 1),
            target=dt.date(2030, 2, 1),
            expected_version=1,
            actor="pm",
            via="web",
        )
    assert str(caught.value) == "field 'target': target 2030-02-01 is before start 2030-03-01"
    alpha = next(
        i for i in yaml.safe_load(export_roadmap(handle))["initiatives"] if i["id"] == "alpha"
    )
    assert alpha["start"] == dt.date(2030, 1, 6)  # nothing half-saved
    with pytest.raises(ConflictError):
        set_planned_dates(
            handle, "alpha", start=None, target=None, expected_version=7, actor="pm", via="web"
        )


def test_applying_an_older_export_keeps_the_browsers_changes(
    handle: OpenWorkspace, tmp_path: Path
) -> None:
    older = tmp_path / "older.yaml"
    older.write_text(export_roadmap(handle), encoding="utf-8")
    move_initiative(handle, "charlie", before="alpha", expected_version=1, actor="a", via="web")
    set_planned_dates(
        handle,
        "bravo",
        start=dt.date(2030, 2, 3),
        target=None,
        expected_version=1,
        actor="a",
        via="web",
    )
    apply_roadmap(handle, older, actor="cli")
    exported = yaml.safe_load(export_roadmap(handle))
    assert [i["id"] for i in exported["initiatives"]] == ["charlie", "alpha", "bravo", "now-one"]
    bravo = next(i for i in exported["initiatives"] if i["id"] == "bravo")
    assert bravo["start"] == dt.date(2030, 2, 3)


def test_a_move_over_positions_with_gaps_numbers_them_afresh(handle: OpenWorkspace) -> None:
    from sqlalchemy import update

    from productpath.store.models import Initiative

    with handle.store.write() as session:  # as a hand-seeded store might hold them
        session.execute(update(Initiative).values(position=Initiative.position * 10 + 5))
    move_initiative(handle, "now-one", after="alpha", expected_version=1, actor="a", via="api")
    assert _order(handle) == ["alpha", "now-one", "bravo", "charlie"]
    move_initiative(handle, "alpha", after="charlie", expected_version=1, actor="a", via="api")
    assert _order(handle) == ["now-one", "bravo", "charlie", "alpha"]


def test_a_move_is_in_the_initiatives_history_and_undone_from_it(handle: OpenWorkspace) -> None:
    move_initiative(handle, "charlie", before="alpha", expected_version=1, actor="pm@x", via="web")
    latest = object_history(handle, "initiative", "charlie")[0]
    assert (latest.field, latest.before, latest.after, latest.via) == ("priority", 4, 1, "web")
    done = undo(handle, "initiative", "charlie", actor="lead@x", via="web")
    assert done.fields == ["priority", "order"]
    assert _order(handle) == ["alpha", "bravo", "now-one", "charlie"]
    # The undo is itself a move in the initiative's history, and can be undone in turn.
    latest = object_history(handle, "initiative", "charlie")[0]
    assert (latest.field, latest.before, latest.after, latest.actor) == ("priority", 1, 4, "lead@x")
    undo(handle, "initiative", "charlie", actor="lead@x", via="api")
    assert _order(handle) == ["charlie", "alpha", "bravo", "now-one"]


def test_undoing_a_move_after_a_later_reorder_is_refused(handle: OpenWorkspace) -> None:
    move_initiative(handle, "charlie", before="alpha", expected_version=1, actor="pm@x", via="web")
    move_initiative(handle, "alpha", after="bravo", expected_version=1, actor="ed@x", via="api")
    with pytest.raises(
        ConflictError,
        match=r"cannot undo: the roadmap's order \(the priority of initiative 'charlie'\) was "
        r"changed again by ed@x \(api\) at .*; undo the later change first",
    ):
        undo(handle, "initiative", "charlie", actor="pm@x", via="web")
    assert _order(handle) == ["charlie", "bravo", "alpha", "now-one"]  # nothing written
    # The later move itself is undone: the order it replaced comes back.
    undo(handle, "initiative", "alpha", actor="ed@x", via="api")
    assert _order(handle) == ["charlie", "alpha", "bravo", "now-one"]
