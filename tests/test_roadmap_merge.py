"""The pure parts of history and merge: edits from a diff, putting them back, and the three-way
merge's rules, on documents built in memory."""

from __future__ import annotations

from productpath.domain.history import edits_from_diff, replay, revert, touches
from productpath.domain.roadmap import RoadmapDoc
from productpath.domain.roadmap_diff import diff
from productpath.domain.roadmap_merge import three_way
from productpath.ingest.roadmap_yaml import parse
from roadmap_fixtures import SMALL_ROADMAP

BASE = parse(SMALL_ROADMAP)


def _edited(text: str) -> RoadmapDoc:
    return parse(text)


def test_touches_is_the_same_field_a_part_of_it_or_the_object() -> None:
    assert touches("estimate", "estimate.likely")
    assert touches("key_results[kr-1].target", "key_results[kr-1]")
    assert touches("created", "title")
    assert not touches("title", "team")
    assert not touches("estimate.likely", "estimate.optimistic")
    assert not touches("key_results[kr-1]", "key_results[kr-10]")


def test_revert_then_replay_round_trips_every_kind_of_edit() -> None:
    after = _edited(
        SMALL_ROADMAP.replace("target: 80", "target: 85")  # a key result field
        .replace("likely: 2,", "likely: 3,")  # a nested field
        .replace("depends_on: [kyc]", "depends_on: []")  # a dependency
        .replace("milestones:\n  - {id: beta, name: Beta, target_date: 2026-03-31}\n", "")
        .replace("    milestone: beta\n", "")
        + "  - id: wallet\n    title: Wallet\n"  # an addition
    )
    edits = edits_from_diff(diff(BASE, after), BASE, after)
    fields = {(e.type, e.key, e.field) for e in edits}
    assert ("objective", "activation", "key_results[kr-1].target") in fields
    assert ("milestone", "beta", "removed") in fields and (
        "initiative",
        "wallet",
        "created",
    ) in fields
    back = revert(after.model_dump(mode="json"), edits)
    assert RoadmapDoc.model_validate(back) == BASE
    again = replay(BASE.model_dump(mode="json"), edits)
    assert RoadmapDoc.model_validate(again) == after


def test_reordering_is_reverted_in_place() -> None:
    swapped = SMALL_ROADMAP.replace("  - id: kyc\n", "  - id: KYC_MARK\n")
    first, second = swapped.split("  - id: tap\n")
    tap_block = "  - id: tap\n" + second.replace("depends_on: [kyc]", "")
    text = (
        first.split("  - id: KYC_MARK\n")[0]
        + tap_block
        + "  - id: kyc\n"
        + first.split("  - id: KYC_MARK\n")[1]
    )
    reordered = parse(text)
    plain = parse(SMALL_ROADMAP.replace("depends_on: [kyc]", ""))
    edits = edits_from_diff(diff(plain, reordered), plain, reordered)
    assert ("roadmap", "initiatives", "order") in {(e.type, e.key, e.field) for e in edits}
    back = RoadmapDoc.model_validate(revert(reordered.model_dump(mode="json"), edits))
    assert [i.id for i in back.initiatives] == ["kyc", "tap"]


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    both = _edited(SMALL_ROADMAP.replace("Tap to pay", "Tap"))
    merged = three_way(BASE, both, both, force=False)
    assert merged.conflicts == () and merged.from_file == ()
    assert RoadmapDoc.model_validate(merged.data) == both


def test_removed_in_the_workspace_and_changed_in_the_file_is_a_conflict() -> None:
    file = _edited(SMALL_ROADMAP.replace("Tap to pay", "Tap"))
    workspace = _edited(SMALL_ROADMAP.split("  - id: tap\n")[0])
    merged = three_way(BASE, file, workspace, force=False)
    assert [c.line() for c in merged.conflicts] == [
        "conflict: initiative 'tap' field 'title': the file has title = 'Tap', "
        "the workspace removed it"
    ]
    # Forced, the file wins over the removal: the initiative comes back as the file has it.
    forced = three_way(BASE, file, workspace, force=True)
    assert [(e.key, e.field) for e in forced.from_file] == [("tap", "created")]
    result = RoadmapDoc.model_validate(forced.data)
    assert [(i.id, i.title) for i in result.initiatives] == [
        ("kyc", "Light identity check"),
        ("tap", "Tap"),
    ]


def test_one_sided_changes_merge_and_the_other_side_is_kept() -> None:
    file = _edited(SMALL_ROADMAP.replace("capacity_per_week: 3", "capacity_per_week: 4"))
    workspace = _edited(SMALL_ROADMAP.replace("status: in_progress", "status: done"))
    merged = three_way(BASE, file, workspace, force=False)
    result = RoadmapDoc.model_validate(merged.data)
    assert result.teams[0].capacity_per_week == 4
    assert result.initiatives[0].status.value == "done"
    assert [(e.type, e.field) for e in merged.kept] == [("initiative", "status")]
