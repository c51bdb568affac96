"""Editing an initiative with optimistic locking, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from portal_fixtures import add_user, seed_portal
from productpath.errors import ConflictError, InputError, NotFoundError
from productpath.services.initiative_edit import InitiativeChanges, update_initiative
from productpath.services.portal import vote
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store.models import Initiative, Notification


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    with open_workspace() as h:
        seed_portal(h)
        yield h


def _stored(handle: OpenWorkspace, key: str) -> Initiative:
    with handle.store.read() as s:
        row = s.scalar(select(Initiative).where(Initiative.key == key))
        assert row is not None
        return row


def test_an_edit_changes_the_fields_and_bumps_the_version(handle: OpenWorkspace) -> None:
    edited = update_initiative(
        handle,
        "dark-mode",
        InitiativeChanges(status="planned", title="  Dark mode everywhere "),
        expected_version=1,
        actor="pm@example.com",
    )
    assert edited.version == 2
    assert edited.changed == ("status", "title")
    assert (edited.status, edited.title, edited.public) == ("planned", "Dark mode everywhere", True)
    row = _stored(handle, "dark-mode")
    assert (row.status, row.title, row.version) == ("planned", "Dark mode everywhere", 2)
    # Nothing to change: the version stays.
    same = update_initiative(
        handle, "dark-mode", InitiativeChanges(status="planned"), expected_version=2, actor="pm"
    )
    assert same.changed == () and same.version == 2


def test_a_stale_version_is_refused_and_changes_nothing(handle: OpenWorkspace) -> None:
    update_initiative(
        handle, "crypto", InitiativeChanges(public=True), expected_version=1, actor="a"
    )
    with pytest.raises(
        ConflictError, match=r"changed by someone else \(version 2, you edited version 1\)"
    ):
        update_initiative(
            handle, "crypto", InitiativeChanges(status="done"), expected_version=1, actor="b"
        )
    row = _stored(handle, "crypto")
    assert (row.status, row.public, row.version) == ("dropped", True, 2)


def test_bad_values_name_their_field(handle: OpenWorkspace) -> None:
    with pytest.raises(InputError) as bad:
        update_initiative(
            handle, "crypto", InitiativeChanges(status="shipped"), expected_version=1, actor="a"
        )
    assert bad.value.field == "status"
    with pytest.raises(InputError) as empty:
        update_initiative(
            handle, "crypto", InitiativeChanges(title=" "), expected_version=1, actor="a"
        )
    assert empty.value.field == "title"
    with pytest.raises(NotFoundError):
        update_initiative(handle, "nope", InitiativeChanges(), expected_version=1, actor="a")
    assert _stored(handle, "crypto").version == 1


def test_voters_are_told_when_a_public_initiative_changes_status(handle: OpenWorkspace) -> None:
    ann = add_user(handle, "ann@example.com")
    bob = add_user(handle, "bob@example.com")
    vote(handle, "dark-mode", ann)
    vote(handle, "dark-mode", bob)
    update_initiative(
        handle, "dark-mode", InitiativeChanges(title="Dark theme"), expected_version=1, actor="a"
    )
    update_initiative(
        handle, "dark-mode", InitiativeChanges(status="in_progress"), expected_version=2, actor="a"
    )
    with handle.store.read() as s:
        sent = s.execute(
            select(Notification.email, Notification.subject).order_by(Notification.email)
        ).all()
    # One per voter, for the status change only.
    assert sent == [
        ("ann@example.com", "Your vote: Dark theme is now in progress"),
        ("bob@example.com", "Your vote: Dark theme is now in progress"),
    ]
    # A private initiative's status change tells no one.
    update_initiative(
        handle, "dark-mode", InitiativeChanges(public=False), expected_version=3, actor="a"
    )
    update_initiative(
        handle, "dark-mode", InitiativeChanges(status="done"), expected_version=4, actor="a"
    )
    with handle.store.read() as s:
        assert len(s.scalars(select(Notification)).all()) == 2


def test_two_people_saving_the_same_version_at_once_one_wins(workspace_dir: Path) -> None:
    with open_workspace() as setup:
        seed_portal(setup)
    first, second = open_workspace(), open_workspace()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def edit(name: str, h: OpenWorkspace, status: str) -> None:
        barrier.wait()
        try:
            outcomes[name] = update_initiative(
                h, "onboarding", InitiativeChanges(status=status), expected_version=1, actor=name
            )
        except ConflictError as exc:
            outcomes[name] = exc

    threads = [
        threading.Thread(target=edit, args=("ann", first, "done")),
        threading.Thread(target=edit, args=("bob", second, "dropped")),
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        winners = [n for n, o in outcomes.items() if not isinstance(o, ConflictError)]
        losers = [n for n, o in outcomes.items() if isinstance(o, ConflictError)]
        assert len(winners) == 1 and len(losers) == 1
        row = _stored(first, "onboarding")
        assert row.version == 2
        assert row.status == {"ann": "done", "bob": "dropped"}[winners[0]]
    finally:
        first.close()
        second.close()
