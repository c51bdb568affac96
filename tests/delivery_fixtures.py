"""Seed git and tracker rows straight into the store, for delivery tests.

The git ingest and the tracker import have their own tests; these helpers put known rows in
place without going through files, so a delivery test states exactly the history it needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.services.roadmap import apply_roadmap
from productpath.store import product_repo
from productpath.store.models import (
    Commit,
    Contributor,
    GitTag,
    Repository,
    TrackerItem,
    TrackerStatusChange,
)

TODAY = dt.date(2026, 3, 2)

# The fixtures' workspace is named "Pocket", so its product key is "pocket".
ROADMAP = """\
version: 1
product: {id: pocket, name: Pocket}
milestones:
  - {id: beta, name: Beta, target_date: 2026-04-01}
initiatives:
  - id: kyc
    title: Light identity check
    milestone: beta
    start: 2026-01-01
    status: in_progress
    work: {epics: [POCKET-1], labels: [identity]}
  - id: tap-to-pay
    title: Tap to pay
    milestone: beta
    start: 2026-01-01
    status: planned
    depends_on: [kyc]
"""


def at(day: dt.date | str, hour: int = 12) -> dt.datetime:
    date = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return dt.datetime.combine(date, dt.time(hour), tzinfo=dt.UTC)


def apply(handle: Any, tmp_path: Path, text: str = ROADMAP) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_text(text, encoding="utf-8")
    apply_roadmap(handle, path)


class Seeder:
    """Adds rows for one product inside one write session."""

    def __init__(self, session: Session, product_key: str = "pocket") -> None:
        self.session = session
        self.product_id = product_repo.ensure(session, product_key, product_key).id
        self._repo: Repository | None = None
        self._people: dict[str, Contributor] = {}

    def repository(self, name: str = "app") -> Repository:
        if self._repo is None:
            self._repo = self.session.scalar(
                select(Repository).where(
                    Repository.product_id == self.product_id, Repository.name == name
                )
            ) or Repository(
                product_id=self.product_id, name=name, path=f"/src/{name}", branch="main"
            )
            self.session.add(self._repo)
            self.session.flush()
        return self._repo

    def person(self, name: str) -> Contributor:
        if name not in self._people:
            email = f"{name.lower()}@example.com"
            person = self.session.scalar(
                select(Contributor).where(
                    Contributor.product_id == self.product_id, Contributor.email == email
                )
            ) or Contributor(product_id=self.product_id, name=name, email=email)
            self.session.add(person)
            self.session.flush()
            self._people[name] = person
        return self._people[name]

    def commit(
        self,
        sha: str,
        subject: str,
        day: str,
        *,
        body: str = "",
        author: str = "Ana",
        merge: bool = False,
    ) -> Commit:
        row = Commit(
            repository_id=self.repository().id,
            sha=sha,
            author_id=self.person(author).id,
            authored_at=at(day),
            committed_at=at(day),
            subject=subject,
            body=body,
            is_merge=merge,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def item(
        self,
        key: str,
        title: str,
        opened: str,
        *,
        done: str | None = None,
        item_type: str = "story",
        labels: Sequence[str] = (),
        parent_key: str | None = None,
        branch: str | None = None,
        assignee: str | None = None,
        points: float | None = None,
        history: Sequence[tuple[str, str]] = (),
        source: str = "jira",
    ) -> TrackerItem:
        row = TrackerItem(
            product_id=self.product_id,
            source=source,
            key=key,
            title=title,
            item_type=item_type,
            status="Done" if done else "To Do",
            status_category="done" if done else "todo",
            assignee=assignee,
            opened_at=at(opened),
            resolved_at=at(done) if done else None,
            labels="\n".join(labels),
            parent_key=parent_key,
            branch=branch,
            points=points,
        )
        self.session.add(row)
        self.session.flush()
        for day, status in history:
            self.session.add(TrackerStatusChange(item_id=row.id, at=at(day), to_status=status))
        self.session.flush()
        return row

    def tag(self, name: str, sha: str, day: str | None) -> GitTag:
        row = GitTag(
            repository_id=self.repository().id,
            name=name,
            sha=sha,
            tagged_at=at(day) if day else None,
        )
        self.session.add(row)
        self.session.flush()
        return row


def seed_history(session: Session) -> None:
    """A small history: commits and items for kyc and tap-to-pay, and some unlinked work."""
    seed = Seeder(session)
    seed.commit("a" * 40, "[kyc] ask for the tax id", "2026-02-10")
    seed.commit("b" * 40, "Add the form", "2026-02-12", body="Initiative: kyc")
    seed.commit("c" * 40, "Merge branch 'feature/tap-to-pay-reader'", "2026-02-20", merge=True)
    seed.commit("d" * 40, "Fix the kyc copy in prose", "2026-02-21", author="Bo")
    seed.commit("e" * 40, 'Revert "Add the form"', "2026-02-22")
    seed.tag("v1.0.0", "a" * 40, "2026-02-11")
    seed.tag("v1.0.1", "c" * 40, None)  # dated by its commit
    seed.item("POCKET-1", "Identity checks", "2026-01-05", item_type="epic")
    seed.item(
        "POCKET-2",
        "Tax id field",
        "2026-01-06",
        done="2026-02-15",
        parent_key="POCKET-1",
        history=[("2026-02-09", "In Progress"), ("2026-02-15", "Done")],
    )
    seed.item("POCKET-3", "Selfie check", "2026-01-07", labels=["identity"])
    seed.item("POCKET-4", "Card reader", "2026-01-08", labels=["nfc"])
