"""A roadmap with three planned initiatives in one board column (Next) and one in progress,
for the reorder and planned-date tests (service, web, API and browser)."""

from __future__ import annotations

from pathlib import Path

from productpath.services.roadmap import apply_roadmap
from productpath.services.workspace import OpenWorkspace

ARRANGE_ROADMAP = """\
product:
  id: pocket
  name: Pocket
teams:
  - {id: payments, name: Payments, capacity_per_week: 3}
milestones:
  - {id: beta, name: Beta, target_date: 2030-03-31}
initiatives:
  - id: alpha
    title: Alpha card
    team: payments
    status: planned
    start: 2030-01-06
    target: 2030-02-03
    estimate: {optimistic: 1, likely: 2, pessimistic: 3}
  - id: bravo
    title: Bravo card
    team: payments
    status: planned
    estimate: {optimistic: 1, likely: 2, pessimistic: 3}
  - id: now-one
    title: Already under way
    team: payments
    status: in_progress
    start: 2030-01-01
    target: 2030-01-20
    estimate: {optimistic: 1, likely: 2, pessimistic: 3}
  - id: charlie
    title: Charlie card
    team: payments
    status: planned
    estimate: {optimistic: 1, likely: 2, pessimistic: 3}
"""


def seed_arrange(handle: OpenWorkspace, folder: Path) -> None:
    """Apply :data:`ARRANGE_ROADMAP` to the workspace's product (``pocket``)."""
    path = folder / "arrange-roadmap.yaml"
    path.write_text(ARRANGE_ROADMAP, encoding="utf-8")
    apply_roadmap(handle, path, actor="seed")
