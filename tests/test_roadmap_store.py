"""Applying roadmap.yaml to a real store, on SQLite and on PostgreSQL (``opened`` fixture)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from productpath.domain.roadmap_diff import Action, RoadmapDiff
from productpath.errors import NotFoundError, RoadmapError
from productpath.ingest.roadmap_yaml import parse
from productpath.services.roadmap import apply_roadmap, export_roadmap, load_roadmap
from productpath.store import roadmap_repo
from productpath.store.models import Customer, Initiative, KeyResult, Objective, Person, Team

# The workspace made by the fixtures is named "Pocket", so its product key is "pocket".
ROADMAP = """\
version: 1
product:
  id: pocket
  name: Pocket Pay
objectives:
  - id: activation
    title: Faster first payment
    key_results:
      - id: kr-1
        title: Paid within 14 days
        target: 80
        unit: '%'
      - id: kr-2
        title: Onboarding minutes
        target: 10
  - id: retention
    title: Weekly use
teams:
  - id: payments
    name: Payments
    capacity_per_week: 3
    members:
      - name: Ana
        email: ana@example.com
      - name: Bo
  - id: growth
    name: Growth
    capacity_per_week: 2
milestones:
  - id: beta
    name: Beta
    target_date: 2026-03-31
initiatives:
  - id: kyc
    title: Light identity check
    description: |-
      First line.
      Second line.
    objective: activation
    team: payments
    milestone: beta
    status: in_progress
    estimate: {optimistic: 1, likely: 2, pessimistic: 4.5}
  - id: tap
    title: Tap to pay
    objective: activation
    team: payments
    depends_on: [kyc]
  - id: digest
    title: Weekly digest
    objective: retention
    team: growth
    depends_on: [tap, kyc]
"""


def apply(handle: Any, tmp_path: Path, text: str, **kwargs: Any) -> RoadmapDiff:
    path = tmp_path / "roadmap.yaml"
    path.write_text(text, encoding="utf-8")
    return apply_roadmap(handle, path, **kwargs)


def keys(changes: RoadmapDiff) -> set[tuple[str, str, str]]:
    return {(c.action.value, c.kind, c.key) for c in changes.changes}


def snapshot(handle: Any) -> tuple[Any, ...]:
    """Everything the roadmap tables hold for the product, with each row's updated_at."""
    with handle.store.read() as session:
        doc = roadmap_repo.load_doc(session, "pocket")
        stamps = [
            (model.__name__, row.id, row.updated_at)
            for model in (Objective, KeyResult, Team, Person, Initiative)
            for row in session.scalars(select(model).order_by(model.id))
        ]
    return doc, stamps


def test_first_apply_adds_everything(opened: Any, tmp_path: Path) -> None:
    changes = apply(opened, tmp_path, ROADMAP)
    assert ("changed", "product", "pocket") in keys(changes)  # the workspace made "Pocket"
    assert {k for k in keys(changes) if k[0] == "added"} == {
        ("added", "objective", "activation"),
        ("added", "objective", "retention"),
        ("added", "team", "payments"),
        ("added", "team", "growth"),
        ("added", "milestone", "beta"),
        ("added", "initiative", "kyc"),
        ("added", "initiative", "tap"),
        ("added", "initiative", "digest"),
        ("added", "dependency", "tap -> kyc"),
        ("added", "dependency", "digest -> tap"),
        ("added", "dependency", "digest -> kyc"),
    }
    assert load_roadmap(opened) == parse(ROADMAP)


def test_re_applying_is_a_no_op_that_writes_nothing(opened: Any, tmp_path: Path) -> None:
    apply(opened, tmp_path, ROADMAP)
    before = snapshot(opened)
    changes = apply(opened, tmp_path, ROADMAP)
    assert changes.is_empty
    assert changes.summary() == "no changes"
    assert snapshot(opened) == before


def test_export_then_apply_changes_nothing(opened: Any, tmp_path: Path) -> None:
    apply(opened, tmp_path, ROADMAP)
    exported = export_roadmap(opened)
    assert apply(opened, tmp_path, exported).is_empty
    assert export_roadmap(opened) == exported
    assert export_roadmap(opened, "pocket") == exported


def test_changes_are_reported_field_by_field(opened: Any, tmp_path: Path) -> None:
    apply(opened, tmp_path, ROADMAP)
    before_doc, before_stamps = snapshot(opened)
    edited = (
        ROADMAP.replace("capacity_per_week: 3\n", "capacity_per_week: 3.5\n")
        .replace("target: 80", "target: 85")
        .replace("status: in_progress", "status: done")
        .replace("likely: 2,", "likely: 3,")
    )
    changes = apply(opened, tmp_path, edited)
    fields = {(c.key, f.field, f.old, f.new) for c in changes.changes for f in c.fields}
    assert fields == {
        ("payments", "capacity_per_week", 3.0, 3.5),
        ("activation", "key_results[kr-1].target", 80.0, 85.0),
        ("kyc", "status", "in_progress", "done"),
        ("kyc", "estimate.likely", 2.0, 3.0),
    }
    assert changes.counts() == {"added": 0, "changed": 3, "removed": 0}
    assert load_roadmap(opened) == parse(edited)
    # Rows that did not change keep their updated_at; the changed ones move on.
    after = dict(((m, i), t) for m, i, t in snapshot(opened)[1])
    unchanged = {("Objective", 2), ("Team", 2), ("KeyResult", 2), ("Initiative", 2)}
    for model, row_id, stamp in before_stamps:
        if (model, row_id) in unchanged:
            assert after[(model, row_id)] == stamp, (model, row_id)
    assert before_doc != load_roadmap(opened)


def test_removed_entities_are_deleted(opened: Any, tmp_path: Path) -> None:
    apply(opened, tmp_path, ROADMAP)
    edited = parse(ROADMAP).model_copy(
        update={
            "teams": parse(ROADMAP).teams[:1],
            "objectives": parse(ROADMAP).objectives[:1],
            "initiatives": parse(ROADMAP).initiatives[:2],
        }
    )
    from productpath.ingest.roadmap_yaml import dump

    changes = apply(opened, tmp_path, dump(edited))
    assert keys(changes) == {
        ("removed", "objective", "retention"),
        ("removed", "team", "growth"),
        ("removed", "initiative", "digest"),
        ("removed", "dependency", "digest -> tap"),
        ("removed", "dependency", "digest -> kyc"),
    }
    assert load_roadmap(opened) == edited
    with opened.store.read() as session:
        assert session.scalar(select(Initiative).where(Initiative.key == "digest")) is None
        assert session.scalar(select(Team).where(Team.key == "growth")) is None


def test_key_results_members_dependencies_and_order_are_rebuilt(
    opened: Any, tmp_path: Path
) -> None:
    apply(opened, tmp_path, ROADMAP)
    edited = (
        ROADMAP.replace("      - name: Bo\n", "")  # a member leaves
        .replace("      - name: Ana\n", "      - name: Cy\n      - name: Ana\n")  # one joins
        .replace("    depends_on: [tap, kyc]", "    depends_on: [kyc, tap]")  # new order
        .replace("      - id: kr-2\n        title: Onboarding minutes\n        target: 10\n", "")
        .replace("  - id: retention\n    title: Weekly use\n", "")
        .replace(
            "objectives:\n",
            "objectives:\n  - id: retention\n    title: Weekly use\n"
            "    key_results:\n      - id: kr-2\n        title: Moved here\n",
        )
    )
    changes = apply(opened, tmp_path, edited)
    assert ("changed", "order", "objectives") in keys(changes)
    moved = {(c.key, f.field) for c in changes.changes for f in c.fields}
    assert {("activation", "key_results[kr-2]"), ("retention", "key_results[kr-2]")} <= moved
    digest = next(c for c in changes.changes if c.key == "digest")
    assert [f.field for f in digest.fields] == ["depends_on"]
    assert load_roadmap(opened) == parse(edited)
    assert apply(opened, tmp_path, edited).is_empty


def test_dry_run_writes_nothing(opened: Any, tmp_path: Path) -> None:
    changes = apply(opened, tmp_path, ROADMAP, dry_run=True)
    assert changes.count(Action.ADDED) == 11
    assert load_roadmap(opened) is None
    with pytest.raises(NotFoundError, match="has no roadmap"):
        export_roadmap(opened)


def test_an_invalid_file_changes_nothing(opened: Any, tmp_path: Path) -> None:
    apply(opened, tmp_path, ROADMAP)
    before = snapshot(opened)
    broken = ROADMAP.replace("title: Tap to pay", "title: Tap to pay\n    milestone: nowhere")
    with pytest.raises(RoadmapError, match="unknown milestone 'nowhere'"):
        apply(opened, tmp_path, broken.replace("target: 80", "target: 1"))
    cyclic = ROADMAP.replace("    status: in_progress\n", "    depends_on: [digest]\n")
    with pytest.raises(RoadmapError, match="dependency cycle"):
        apply(opened, tmp_path, cyclic)
    assert snapshot(opened) == before


def test_a_failure_half_way_rolls_everything_back(
    opened: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply(opened, tmp_path, ROADMAP)
    before = snapshot(opened)

    def explode(*_args: object) -> None:
        raise RuntimeError("disk full")

    # Objectives, teams and initiatives are already written when dependencies fail.
    monkeypatch.setattr(roadmap_repo, "_sync_dependencies", explode)
    edited = ROADMAP.replace("Pocket Pay", "Pocket Plus").replace("Tap to pay", "NFC")
    with pytest.raises(RuntimeError, match="disk full"):
        apply(opened, tmp_path, edited.replace("depends_on: [kyc]", "depends_on: []"))
    assert snapshot(opened) == before


def test_products_are_kept_apart(opened: Any, tmp_path: Path) -> None:
    apply(opened, tmp_path, ROADMAP)
    other = ROADMAP.replace("id: pocket\n  name: Pocket Pay", "id: wallet\n  name: Wallet")
    changes = apply(opened, tmp_path, other)
    assert ("added", "product", "wallet") in keys(changes)
    assert load_roadmap(opened, "wallet") == parse(other)
    assert load_roadmap(opened) == parse(ROADMAP)
    with pytest.raises(NotFoundError, match=r"'nope' has no roadmap.*pocket, wallet"):
        export_roadmap(opened, "nope")


def test_a_member_who_changes_team_keeps_their_row(opened: Any, tmp_path: Path) -> None:
    apply(opened, tmp_path, ROADMAP)
    with opened.store.read() as session:
        before = session.scalar(select(Person.id).where(Person.name == "Ana"))
    moved = ROADMAP.replace("      - name: Ana\n        email: ana@example.com\n", "").replace(
        "    capacity_per_week: 2\n",
        "    capacity_per_week: 2\n    members:\n      - name: Ana Silva\n"
        "        email: ANA@example.com\n",
    )
    apply(opened, tmp_path, moved)
    with opened.store.read() as session:
        ana = session.scalars(select(Person).where(Person.email.ilike("ana@example.com"))).one()
        team_key = session.scalar(select(Team.key).where(Team.id == ana.team_id))
    assert (ana.id, ana.name, team_key) == (before, "Ana Silva", "growth")
    assert load_roadmap(opened) == parse(moved)


MARKET = """\
segments:
  - {id: smb, name: Small business}
customers:
  - {id: c-1, name: Sol Bakery, segment: smb, annual_revenue: 1200}
"""


def test_the_roadmap_manages_only_the_customers_it_lists(opened: Any, tmp_path: Path) -> None:
    from productpath.services.customers import import_customers

    csv = tmp_path / "customers.csv"
    csv.write_text("id,name,segment,annual_revenue\nc-9,From CSV,SMB,50\n", encoding="utf-8")
    import_customers(opened, csv)
    changes = apply(opened, tmp_path, ROADMAP + MARKET)
    assert {(c.kind, c.key) for c in changes.changes} >= {("customer", "c-1"), ("segment", "smb")}
    doc = load_roadmap(opened)
    assert doc is not None
    # The CSV customer shares the segment (its key is the slug of "SMB") but is not listed.
    assert [c.id for c in doc.customers] == ["c-1"]
    assert [s.name for s in doc.segments] == ["Small business"]
    exported = export_roadmap(opened)
    assert "c-9" not in exported and "annual_revenue: 1200" in exported
    # Dropping the customer from the file releases it; neither customer is deleted.
    apply(opened, tmp_path, ROADMAP)
    with opened.store.read() as session:
        rows = {c.key: c.roadmap_position for c in session.scalars(select(Customer))}
    assert rows == {"c-1": None, "c-9": None}
    assert apply(opened, tmp_path, ROADMAP).is_empty
