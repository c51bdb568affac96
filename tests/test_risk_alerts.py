"""The watchers' risk check, on SQLite and PostgreSQL: a write that puts a watched initiative
at risk, or a watched milestone's P85 past its target, queues the check as a job; running it
tells each watcher once per transition, without ``digest send``; the schedule runs it too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from productpath.services import notifications as notes
from productpath.services.accounts import FAST_HASH_ENV, add_user
from productpath.services.background.job_kinds import standard_runner
from productpath.services.background.schedule import enqueue_due
from productpath.services.roadmap_arrange import move_initiative
from productpath.services.roadmap_edit import edit_object
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store.models import Initiative, Job, Milestone, User, utcnow
from web_fixtures import seed


@pytest.fixture
def handle(workspace_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenWorkspace]:
    monkeypatch.setenv(FAST_HASH_ENV, "1")
    with open_workspace() as h:
        seed(h)
        add_user(h, "bob@example.com", "viewer", "pw-bob-123456", name="Bob Builder")
        yield h


def _bob(h: OpenWorkspace) -> int:
    with h.store.read() as s:
        found = s.scalar(select(User.id).where(User.email == "bob@example.com"))
    assert found is not None
    return found


def _checks(h: OpenWorkspace) -> list[tuple[int, str]]:
    with h.store.read() as s:
        rows = s.execute(
            select(Job.id, Job.status).where(Job.kind == "risk_check").order_by(Job.id)
        )
        return [(job_id, status) for job_id, status in rows]


def _set_target(h: OpenWorkspace, key: str, day: dt.date) -> None:
    with h.store.read() as s:
        version = s.scalar(select(Milestone.version).where(Milestone.key == key))
    assert version is not None
    edit_object(
        h,
        "milestone",
        key,
        {"target_date": day.isoformat()},
        expected_version=version,
        actor="ana@example.com",
        via="web",
    )


def _set_status(h: OpenWorkspace, key: str, status: str) -> None:
    with h.store.read() as s:
        version = s.scalar(select(Initiative.version).where(Initiative.key == key))
    assert version is not None
    edit_object(
        h,
        "initiative",
        key,
        {"status": status},
        expected_version=version,
        actor="ana@example.com",
        via="web",
    )


def _at_risk(h: OpenWorkspace, user: int) -> list[str]:
    return [n.subject for n in notes.notifications(h, user).notifications if n.kind == "at_risk"]


def test_a_write_that_puts_a_watched_initiative_at_risk_tells_the_watcher_once(
    handle: OpenWorkspace,
) -> None:
    bob = _bob(handle)
    _set_status(handle, "dark-mode", "proposed")  # a write while nobody watches: no check
    assert _checks(handle) == []
    notes.watch(handle, bob, "initiative", "dark-mode")
    runner = standard_runner(max_threads=1)
    # The schedule's first check: dark mode, only proposed, carries no risk.
    queued = enqueue_due(handle, runner)
    ((first, _),) = _checks(handle)
    assert first in queued and runner.execute(handle, first) == "done"
    assert _at_risk(handle, bob) == []

    # Work starts and nothing moves: at risk (stale). Two writes, one queued check (a queued
    # check reads the later write's data too); nobody is told by the writes themselves.
    _set_status(handle, "dark-mode", "in_progress")
    move_initiative(
        handle, "crypto", before="dark-mode", expected_version=1, actor="ana", via="web"
    )
    (job_id,) = [i for i, status in _checks(handle) if status == "queued"]
    assert _at_risk(handle, bob) == []
    assert runner.execute(handle, job_id) == "done"
    assert _at_risk(handle, bob) == ["Dark mode is at risk"]
    (told,) = [n for n in notes.notifications(handle, bob).notifications if n.kind == "at_risk"]
    assert told.link == "/initiatives/dark-mode"

    # The schedule runs the check again an hour on: still at risk, nobody is told twice.
    queued = enqueue_due(handle, runner, utcnow() + dt.timedelta(hours=2))
    (periodic,) = [i for i, s in _checks(handle) if s == "queued"]
    assert periodic in queued and runner.execute(handle, periodic) == "done"
    assert len(_at_risk(handle, bob)) == 1
    # The risk clears (back to proposed), then comes back: told again, once.
    for status in ("proposed", "in_progress"):
        _set_status(handle, "dark-mode", status)
        (again,) = [i for i, s in _checks(handle) if s == "queued"]
        assert runner.execute(handle, again) == "done"
    assert len(_at_risk(handle, bob)) == 2


def test_a_watched_milestone_whose_p85_moves_past_its_target_is_told(
    handle: OpenWorkspace,
) -> None:
    bob = _bob(handle)
    notes.watch(handle, bob, "milestone", "ga")
    _set_target(handle, "ga", dt.date.today() + dt.timedelta(days=1))  # far too soon
    runner = standard_runner(max_threads=1)
    ((job_id, _),) = _checks(handle)
    assert runner.execute(handle, job_id) == "done"
    (told,) = notes.notifications(handle, bob).notifications
    assert told.kind == "milestone_late" and told.link == "/milestones/ga"
    assert "the forecast's P85 is past its target" in told.subject


def test_postgresql_hands_requested_checks_to_the_queue(handle: OpenWorkspace) -> None:
    if handle.workspace.uses_sqlite:
        pytest.skip("SQLite's runner takes queued rows itself")
    from productpath.services.background.pg_queue import defer_requested

    notes.watch(handle, _bob(handle), "initiative", "dark-mode")
    _set_status(handle, "dark-mode", "in_progress")
    assert defer_requested(handle) == 1
    assert defer_requested(handle) == 0  # handed over once
    with handle.store.read() as s:
        stages = s.execute(select(Job.stage).where(Job.kind == "risk_check")).scalars().all()
    assert stages == ["queued"]
