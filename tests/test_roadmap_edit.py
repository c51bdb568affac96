"""One editing service for roadmap objects (services/roadmap_edit.py), on SQLite and PostgreSQL:
the rules and wording of ``roadmap apply``, versions, history, archive, nothing half-saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal_fixtures import add_user, seed_portal
from productpath.errors import ConflictError, InputError, NotFoundError, RoadmapError
from productpath.services.api.api_initiatives import InitiativeFilters, list_initiatives
from productpath.services.forecasting.planning import plan_inputs
from productpath.services.history import object_history
from productpath.services.pages.overview import roadmap_view
from productpath.services.portal import vote
from productpath.services.roadmap import export_roadmap, load_roadmap
from productpath.services.roadmap_edit import (
    create_object,
    edit_object,
    object_spec,
    remove_object,
)
from productpath.services.scoring import ranked_initiatives
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store.models import ChangeRecord, Initiative, Notification


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    with open_workspace() as h:
        seed_portal(h)
        yield h


def _history_rows(handle: OpenWorkspace) -> int:
    with handle.store.read() as s:
        return int(s.scalar(select(func.count(ChangeRecord.id))) or 0)


def _snapshot(handle: OpenWorkspace) -> tuple[object, int]:
    doc = load_roadmap(handle)
    return doc, _history_rows(handle)


def test_create_every_field_then_edit_records_history_and_versions(handle: OpenWorkspace) -> None:
    saved = create_object(
        handle,
        "initiative",
        {
            "title": "Split bills",
            "description": "Share a payment among friends.",
            "team": "payments",
            "objective": "O1",
            "milestone": "ga",
            "status": "planned",
            "estimate": {"optimistic": 1, "likely": 2, "pessimistic": 4},
            "depends_on": ["onboarding"],
            "start": "2030-01-05",
            "target": "2030-02-01",
            "public": True,
        },
        actor="pm@example.com",
        via="web",
    )
    assert (saved.key, saved.version, saved.changed) == ("split-bills", 1, ("created",))
    spec, version = object_spec(handle, "initiative", "split-bills")
    assert version == 1
    assert spec["team"] == "payments" and spec["estimate"]["likely"] == 2
    assert spec["start"] == "2030-01-05" and spec["public"] is True

    edited = edit_object(
        handle,
        "initiative",
        "split-bills",
        {"title": "Split the bill", "estimate": {"optimistic": 2, "likely": 3, "pessimistic": 5}},
        expected_version=1,
        actor="pm@example.com",
        via="api",
    )
    assert edited.version == 2 and edited.changed == ("title", "estimate")
    history = object_history(handle, "initiative", "split-bills")
    fields = {(h.field, h.via) for h in history}
    assert ("title", "api") in fields and ("created", "web") in fields
    assert any(h.field.startswith("estimate") for h in history)
    # Nothing changed: the version stays where it is.
    same = edit_object(
        handle,
        "initiative",
        "split-bills",
        {"title": "Split the bill"},
        expected_version=2,
        actor="pm",
        via="web",
    )
    assert same.changed == () and same.version == 2


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"team": "nobody"}, "team", "unknown team 'nobody'"),
        ({"depends_on": ["instant-transfers"]}, "depends_on[0]", "dependency cycle"),
        ({"start": "2030-03-01", "target": "2030-02-01"}, "target", "is before start"),
        (
            {"estimate": {"optimistic": 5, "likely": 2, "pessimistic": 9}},
            "estimate",
            "optimistic <= likely <= pessimistic",
        ),
        ({"status": "shipped"}, "status", "proposed"),
        ({"themes": [999]}, "themes[0]", "999"),
    ],
)
def test_bad_input_names_the_field_with_applys_words_and_writes_nothing(
    handle: OpenWorkspace, values: dict[str, object], field: str, reason: str
) -> None:
    before = _snapshot(handle)
    with pytest.raises(RoadmapError) as bad:
        edit_object(
            handle, "initiative", "onboarding", values, expected_version=1, actor="a", via="web"
        )
    assert bad.value.field == field
    assert reason in bad.value.reason
    assert "\n" not in str(bad.value)
    assert _snapshot(handle) == before


def test_an_existing_key_is_refused_as_apply_refuses_a_duplicate(handle: OpenWorkspace) -> None:
    before = _snapshot(handle)
    with pytest.raises(RoadmapError, match="duplicate id 'dark-mode'") as bad:
        create_object(handle, "initiative", {"title": "Dark mode"}, actor="a", via="api")
    assert bad.value.field == "id"
    with pytest.raises(RoadmapError) as cycle:
        create_object(
            handle,
            "initiative",
            {"id": "x1", "title": "X", "depends_on": ["x1"]},
            actor="a",
            via="api",
        )
    assert cycle.value.field == "depends_on[0]"
    assert _snapshot(handle) == before


def test_a_stale_version_is_a_conflict_and_changes_nothing(handle: OpenWorkspace) -> None:
    edit_object(
        handle,
        "initiative",
        "crypto",
        {"title": "Wallet"},
        expected_version=1,
        actor="a",
        via="web",
    )
    before = _snapshot(handle)
    with pytest.raises(ConflictError, match=r"version 2, you edited version 1"):
        edit_object(
            handle,
            "initiative",
            "crypto",
            {"title": "Mine"},
            expected_version=1,
            actor="b",
            via="web",
        )
    assert _snapshot(handle) == before
    with pytest.raises(NotFoundError):
        edit_object(handle, "initiative", "nope", {}, expected_version=1, actor="a", via="web")
    with pytest.raises(InputError):
        edit_object(
            handle,
            "initiative",
            "crypto",
            {"id": "other"},
            expected_version=2,
            actor="a",
            via="web",
        )


def test_archived_initiatives_leave_boards_schedules_forecasts_and_scoring(
    handle: OpenWorkspace,
) -> None:
    saved = remove_object(
        handle, "initiative", "dark-mode", expected_version=None, actor="a", via="api"
    )
    assert saved.changed == ("status",)
    assert "status: archived" in export_roadmap(handle)
    board = roadmap_view(handle)
    on_board = {i.key for m in board.milestones for i in m.initiatives} | {
        i.key for i in board.unscheduled
    }
    assert "dark-mode" not in on_board and "onboarding" in on_board
    assert "dark-mode" not in {s.key for s in ranked_initiatives(handle)}
    assert "dark-mode" not in {i.key for i in plan_inputs(handle).initiatives}
    total, rows = list_initiatives(handle, InitiativeFilters(), limit=50, offset=0)
    assert "dark-mode" not in {r.key for r in rows} and total == 4
    _, archived = list_initiatives(handle, InitiativeFilters(status="archived"), limit=50, offset=0)
    assert [r.key for r in archived] == ["dark-mode"]
    # Archiving a dependency does not break the schedule of what depended on it.
    remove_object(handle, "initiative", "onboarding", expected_version=1, actor="a", via="api")
    plan = plan_inputs(handle)
    transfers = plan.initiative("instant-transfers")
    assert transfers is not None and "onboarding" not in transfers.depends_on


def test_objectives_milestones_and_teams(handle: OpenWorkspace) -> None:
    create_object(
        handle,
        "objective",
        {
            "id": "O3",
            "title": "Earn trust",
            "key_results": [{"id": "KR9", "title": "NPS", "target": 40}],
        },
        actor="a",
        via="web",
    )
    edit_object(
        handle,
        "objective",
        "O3",
        {"key_results": [{"id": "KR9", "title": "NPS", "target": 50, "unit": "points"}]},
        expected_version=1,
        actor="a",
        via="web",
    )
    spec, version = object_spec(handle, "objective", "O3")
    assert version == 2 and spec["key_results"][0]["target"] == 50
    create_object(
        handle,
        "milestone",
        {"id": "v2", "name": "Version 2", "target_date": "2031-01-31"},
        actor="a",
        via="api",
    )
    with pytest.raises(RoadmapError) as bad_date:
        edit_object(
            handle,
            "milestone",
            "v2",
            {"target_date": "2031-02-30"},
            expected_version=1,
            actor="a",
            via="api",
        )
    assert bad_date.value.field == "target_date"
    edit_object(
        handle, "team", "growth", {"capacity_per_week": 4}, expected_version=1, actor="a", via="web"
    )
    with pytest.raises(RoadmapError) as zero:
        edit_object(
            handle,
            "team",
            "growth",
            {"capacity_per_week": 0},
            expected_version=2,
            actor="a",
            via="web",
        )
    assert zero.value.field == "capacity_per_week"
    # A team still named by initiatives cannot go; an unused milestone can.
    with pytest.raises(InputError, match="still named by initiatives 'instant-transfers'"):
        remove_object(handle, "team", "payments", expected_version=None, actor="a", via="api")
    removed = remove_object(handle, "milestone", "v2", expected_version=1, actor="a", via="api")
    assert removed.changed == ("removed",)
    doc = load_roadmap(handle)
    assert doc is not None and "v2" not in {m.id for m in doc.milestones}
    assert {h.field for h in object_history(handle, "milestone", "v2")} >= {"created", "removed"}


def test_a_status_change_of_a_public_initiative_tells_its_voters(handle: OpenWorkspace) -> None:
    user = add_user(handle, "fan@example.com")
    vote(handle, "dark-mode", user)
    edit_object(
        handle,
        "initiative",
        "dark-mode",
        {"status": "planned"},
        expected_version=1,
        actor="a",
        via="web",
    )
    with handle.store.read() as s:
        subjects = s.scalars(select(Notification.subject)).all()
        version = s.scalar(select(Initiative.version).where(Initiative.key == "dark-mode"))
    assert subjects == ["Your vote: Dark mode is now planned"]
    assert version == 2


@pytest.mark.parametrize(
    "values",
    [
        {"title": "Guided onboarding, again", "depends_on": ["card-freeze", "dark-mode"]},
        {"team": "payments", "milestone": None, "start": "2030-01-01", "public": True},
        {"estimate": None, "status": "archived", "objective": "O2"},
    ],
)
def test_a_saved_edit_is_what_applying_the_edited_roadmap_stores(
    handle: OpenWorkspace, values: dict[str, object]
) -> None:
    """The narrow save (one initiative's row) and the whole-roadmap save agree: the roadmap
    read back is the stored one with exactly this initiative changed."""
    from productpath.domain.roadmap import InitiativeSpec

    before = load_roadmap(handle)
    assert before is not None
    index = next(n for n, i in enumerate(before.initiatives) if i.id == "onboarding")
    spec = before.initiatives[index].model_dump(mode="json")
    expected_item = InitiativeSpec.model_validate({**spec, **values})
    items = list(before.initiatives)
    items[index] = expected_item
    edit_object(
        handle, "initiative", "onboarding", values, expected_version=1, actor="a", via="api"
    )
    assert load_roadmap(handle) == before.model_copy(update={"initiatives": tuple(items)})


def test_validating_one_change_says_what_validating_the_whole_roadmap_says(
    handle: OpenWorkspace,
) -> None:
    from productpath.ingest.roadmap_yaml import validate_change, validate_data

    doc = load_roadmap(handle)
    assert doc is not None
    index = next(n for n, i in enumerate(doc.initiatives) if i.id == "onboarding")
    for change in (
        {"team": "nobody"},
        {"depends_on": ["instant-transfers"]},
        {"estimate": {"optimistic": 3, "likely": 1, "pessimistic": 2}},
        {"title": ""},
        {"start": "2030-02-01", "target": "2030-01-01"},
        {"status": "shipped"},
    ):
        item = {**doc.initiatives[index].model_dump(mode="json"), **change}
        data = doc.model_dump(mode="json")
        data["initiatives"][index] = item
        with pytest.raises(RoadmapError) as whole:
            validate_data(data)
        with pytest.raises(RoadmapError) as one:
            validate_change(doc, "initiatives", index, item)
        assert (one.value.field, one.value.reason) == (whole.value.field, whole.value.reason)
