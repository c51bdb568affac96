"""Reads remembered per data version (store/version_memo.py) give what a fresh read gives, and
change with the first write after them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import case, func, select, update

from productpath.services.pages import overview, roadmap_timeline
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store import feedback_search, product_repo, version_memo
from productpath.store.models import FeedbackItem, Initiative
from web_fixtures import seed


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    version_memo.clear()
    with open_workspace() as opened:
        seed(opened)
        yield opened
    version_memo.clear()


def _product_id(handle: OpenWorkspace) -> int:
    with handle.store.read() as session:
        found = product_repo.find_id(session, handle.workspace.product)
    assert found is not None
    return found


def test_a_result_is_kept_until_the_version_moves(handle: OpenWorkspace) -> None:
    calls: list[int] = []
    engine = handle.store.engine

    def compute() -> int:
        calls.append(1)
        return len(calls)

    version = handle.store.data_version()
    assert version_memo.remembered(engine, version, "k", compute) == 1
    assert version_memo.remembered(engine, version, "k", compute) == 1
    assert version_memo.remembered(engine, version, "other", compute) == 2
    with handle.store.write():
        pass
    moved = handle.store.data_version()
    assert moved == version + 1
    assert version_memo.remembered(engine, moved, "k", compute) == 3
    assert len(calls) == 3


def test_the_roadmap_plan_is_the_one_computed_afresh(handle: OpenWorkspace) -> None:
    today = dt.date(2030, 1, 7)
    first = roadmap_timeline.timeline(handle, today=today)
    assert first.schedule is not None and first.forecast is not None
    assert roadmap_timeline.timeline(handle, today=today) is first  # remembered
    assert first == roadmap_timeline._timeline(handle, today, False)
    # Another day is another plan.
    later = roadmap_timeline.timeline(handle, today=today + dt.timedelta(days=7))
    assert later == roadmap_timeline._timeline(handle, today + dt.timedelta(days=7), False)
    # A write (a bigger estimate) is seen at once.
    with handle.store.write() as session:
        session.execute(
            update(Initiative)
            .where(Initiative.key == "instant-transfers")
            .values(estimate_optimistic=20, estimate_likely=30, estimate_pessimistic=50)
        )
    after = roadmap_timeline.timeline(handle, today=today)
    assert after is not first
    assert after == roadmap_timeline._timeline(handle, today, False)
    assert after.forecast != first.forecast


def test_the_dashboard_counts_are_the_query_s_for_any_cutoff(handle: OpenWorkspace) -> None:
    pid = _product_id(handle)
    now = dt.datetime.now(dt.UTC)
    said_at = func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)
    with handle.store.read() as session:
        # The first read sets the window; later (and earlier) cutoffs reuse or re-read it.
        for days in (30, 29.5, 10, 4, 1, 0, 45, 90):
            cutoff = now - dt.timedelta(days=days)
            expected = session.execute(
                select(func.count(), func.sum(case((said_at >= cutoff, 1), else_=0))).where(
                    FeedbackItem.product_id == pid
                )
            ).one()
            got = overview._feedback_summary(session, pid, cutoff)
            assert (got.total, got.last_30_days) == (expected[0], int(expected[1] or 0)), days
    before = overview.dashboard(handle).feedback
    with handle.store.write() as session:
        session.add(
            FeedbackItem(
                product_id=pid, source="memo-test", external_id="m-1", text="New", created_at=now
            )
        )
    after = overview.dashboard(handle).feedback
    assert after.total == before.total + 1
    assert after.last_30_days == before.last_30_days + 1
    assert after.by_source["memo-test"] == 1


def test_feedback_counts_and_sources_follow_writes(handle: OpenWorkspace) -> None:
    pid = _product_id(handle)
    wanted = feedback_search.SearchFilter(q="memo")

    def read() -> tuple[int, int, list[str]]:
        with handle.store.read() as session:
            return (
                feedback_search.total(session, pid),
                feedback_search.count(session, pid, wanted, count_limit=1000),
                feedback_search.source_choices(session, pid),
            )

    total, matching, sources = read()
    assert read() == (total, matching, sources)
    with handle.store.write() as session:
        session.add(
            FeedbackItem(
                product_id=pid,
                source="zz-memo",
                external_id="m-2",
                text="a memo item",
                created_at=dt.datetime.now(dt.UTC),
            )
        )
    assert read() == (total + 1, matching + 1, [*sources, "zz-memo"])
