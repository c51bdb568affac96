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


def test_the_roadmap_view_is_the_one_built_afresh(handle: OpenWorkspace) -> None:
    today = dt.date(2030, 1, 7)
    first = overview.roadmap_view(handle, today=today)
    assert overview.roadmap_view(handle, today=today) is first
    assert first == overview._roadmap_view(handle, today)
    with handle.store.write() as session:
        session.execute(
            update(Initiative).where(Initiative.key == "dark-mode").values(title="Night mode")
        )
    after = overview.roadmap_view(handle, today=today)
    assert after == overview._roadmap_view(handle, today)
    titles = {i.key: i.title for i in after.lanes.later}
    assert titles["dark-mode"] == "Night mode"


def test_api_initiative_pages_are_the_ones_read_afresh(handle: OpenWorkspace) -> None:
    from productpath.services.api import api_initiatives as api

    pid = _product_id(handle)
    everything = api.InitiativeFilters()
    planned = api.InitiativeFilters(status="planned")
    for filters, limit, offset in ((everything, 50, 0), (everything, 2, 1), (planned, 50, 0)):
        total, page = api.list_initiatives(handle, filters, limit=limit, offset=offset)
        with handle.store.read() as session:
            fresh = api._page(session, pid, filters, limit=limit, offset=offset)
        assert (total, tuple(page)) == fresh
    before, _ = api.list_initiatives(handle, planned, limit=50, offset=0)
    with handle.store.write() as session:
        session.execute(
            update(Initiative).where(Initiative.key == "dark-mode").values(status="planned")
        )
    after, page = api.list_initiatives(handle, planned, limit=50, offset=0)
    assert after == before + 1
    assert "dark-mode" in {i.key for i in page}


def test_explorer_pages_are_the_ones_read_afresh(handle: OpenWorkspace) -> None:
    from productpath.services.pages import feedback_explorer as fx

    queries = [fx.FeedbackQuery(), fx.FeedbackQuery(q="card"), fx.FeedbackQuery(per_page=1)]
    for query in queries:
        assert fx.explore(handle, query) == fx._explore(handle, fx.validate(query))
    before = fx.explore(handle, fx.FeedbackQuery())
    with handle.store.write() as session:
        session.add(
            FeedbackItem(
                product_id=_product_id(handle),
                source="memo-test",
                external_id="m-3",
                text="Newest of all",
                created_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
            )
        )
    after = fx.explore(handle, fx.FeedbackQuery())
    assert after.total == before.total + 1
    assert "Newest of all" in {i.text for i in after.items}
    assert after == fx._explore(handle, fx.FeedbackQuery())


def test_the_gantt_is_redrawn_for_each_new_plan(handle: OpenWorkspace) -> None:
    from productpath.charts.planning import gantt_svg
    from productpath.web.routes import roadmap as route

    today = dt.date(2030, 1, 7)
    plan = overview.roadmap_view(handle, today=today).plan
    assert plan.schedule is not None
    chart = route._gantt(plan)
    assert chart == gantt_svg(plan.schedule, plan.team_names, today=plan.start)
    assert route._gantt(plan) is chart
    with handle.store.write() as session:
        session.execute(
            update(Initiative)
            .where(Initiative.key == "instant-transfers")
            .values(estimate_optimistic=20, estimate_likely=30, estimate_pessimistic=50)
        )
    moved = overview.roadmap_view(handle, today=today).plan
    assert moved.schedule is not None
    redrawn = route._gantt(moved)
    assert redrawn == gantt_svg(moved.schedule, moved.team_names, today=moved.start)
    assert redrawn != chart


def test_the_dashboard_is_the_one_built_afresh(handle: OpenWorkspace) -> None:
    from productpath.store.models import Objective

    now = dt.datetime.now(dt.UTC)
    first = overview.dashboard(handle, now=now)
    later = overview.dashboard(handle, now=now + dt.timedelta(days=3))
    version_memo.clear()
    assert overview.dashboard(handle, now=now) == first
    version_memo.clear()
    assert overview.dashboard(handle, now=now + dt.timedelta(days=3)) == later
    with handle.store.write() as session:
        session.execute(update(Objective).where(Objective.key == "O2").values(title="Keep them"))
    after = overview.dashboard(handle, now=now)
    assert {o.key: o.title for o in after.objectives}["O2"] == "Keep them"
    version_memo.clear()
    assert overview.dashboard(handle, now=now) == after
