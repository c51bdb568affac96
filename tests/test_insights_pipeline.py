"""The insight run through the service, on SQLite and PostgreSQL, with the hashing embedder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from productpath.insights.embed import HashingEmbedder
from productpath.services.feedback import import_feedback
from productpath.services.insights import run_insights
from productpath.services.pages.themes_view import theme_detail, themes_page
from productpath.store.models import EmbeddingCache, FeedbackInsight, InsightRun, Theme

GROUPS = {
    "card": ["my card was declined at the shop", "card declined at the shop again",
             "why was my card declined at the shop", "the shop declined my card"],
    "pin": ["how do i change my pin number", "change the pin number of my card",
            "i forgot my pin number, how do i change it", "where can i change my pin number"],
    "refund": ["i want a refund for my order", "refund my order please",
               "still waiting for the refund of my order", "how long does an order refund take"],
}  # fmt: skip


def _write(path: Path, texts: list[str], start: int = 0) -> Path:
    lines = ["id,text,created"]
    day = dt.date(2026, 1, 5)
    for i, text in enumerate(texts, start):
        lines.append(f'{i},"{text}",{(day + dt.timedelta(days=3 * i)).isoformat()}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(handle: Any, tmp_path: Path, texts: list[str], start: int = 0) -> None:
    path = _write(tmp_path / f"fb{start}.csv", texts, start)
    import_feedback(handle, path, text_column="text", id_column="id", date_column="created",
                    source="tickets")  # fmt: skip


def _all_texts() -> list[str]:
    return [t for group in GROUPS.values() for t in group] * 2


def test_first_run_then_incremental_then_full(opened: Any, tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    _import(opened, tmp_path, _all_texts())
    first = run_insights(opened, embedder=embedder, seed=1)
    assert first.mode == "full" and first.items == 24 and first.analysed == 24
    # The same text twice is embedded once.
    assert first.embedded == 12
    assert first.themes >= 2 and first.unassigned <= 4
    with opened.store.read() as s:
        assert s.scalar(select(func.count()).select_from(FeedbackInsight)) == 24
        assert s.scalar(select(func.count()).select_from(EmbeddingCache)) == 12
        numbers = sorted(s.scalars(select(Theme.number)))
    page = themes_page(opened)
    assert sum(t.size for t in page.themes) + page.unassigned == 24

    again = run_insights(opened, embedder=embedder, seed=1)
    assert again.mode == "incremental" and again.analysed == 0 and again.embedded == 0

    _import(
        opened, tmp_path, ["my card was declined at the shop today", "refund my order now"], 100
    )
    more = run_insights(opened, embedder=embedder, seed=1)
    assert more.mode == "incremental" and more.analysed == 2 and more.embedded == 2
    assert more.items == 26 and more.new_themes == 0

    full = run_insights(opened, embedder=embedder, seed=1, full=True)
    assert full.mode == "full" and full.embedded == 0  # all from the cache
    with opened.store.read() as s:
        after = sorted(s.scalars(select(Theme.number).where(Theme.active.is_(True))))
        runs = s.scalar(select(func.count()).select_from(InsightRun))
    assert set(after) <= set(numbers) or full.new_themes < len(after)
    assert set(after) & set(numbers)  # themes kept their numbers across the re-cluster
    assert runs == 4
    detail = theme_detail(opened, page.themes[0].number)
    assert detail.quotes and sum(detail.kinds.values()) == detail.theme.size


def test_same_seed_same_themes(opened: Any, tmp_path: Path) -> None:
    _import(opened, tmp_path, _all_texts())
    run_insights(opened, embedder=HashingEmbedder(), seed=3)
    first = [(t.number, t.label, t.size) for t in themes_page(opened).themes]
    run_insights(opened, embedder=HashingEmbedder(), seed=3, full=True)
    assert [(t.number, t.label, t.size) for t in themes_page(opened).themes] == first


def test_empty_workspace_stores_nothing(opened: Any) -> None:
    report = run_insights(opened, embedder=HashingEmbedder())
    assert report.mode == "none" and "no feedback" in report.note
    with opened.store.read() as s:
        assert s.scalar(select(func.count()).select_from(InsightRun)) == 0
    assert themes_page(opened).themes == ()


@pytest.mark.parametrize(
    "texts",
    [
        ["only one item"],
        ["the very same complaint"] * 6,
        ["😀😀😀", "🙂", "👍👍"],
        ["x" * 10_000, "card declined " * 700],
        [
            "Meine Karte wurde abgelehnt",
            "Ma carte a été refusée",
            "我的卡被拒绝了",
            "カードが拒否されました",
        ],
    ],
    ids=["single", "identical", "emoji", "long", "non-english"],
)
def test_awkward_input_gives_a_result(opened: Any, tmp_path: Path, texts: list[str]) -> None:
    _import(opened, tmp_path, texts)
    report = run_insights(opened, embedder=HashingEmbedder())
    assert report.items == len(texts) and report.analysed == len(texts)
    page = themes_page(opened)
    assert sum(t.size for t in page.themes) + page.unassigned == len(texts)
    for theme in page.themes:
        assert theme.label
        assert -1 <= (theme.mean_sentiment or 0) <= 1


def test_a_failed_run_leaves_the_previous_analysis(opened: Any, tmp_path: Path) -> None:
    _import(opened, tmp_path, _all_texts())
    run_insights(opened, embedder=HashingEmbedder())
    before = [(t.number, t.size) for t in themes_page(opened).themes]

    class Broken(HashingEmbedder):
        name = "broken-v1"  # a new embedder: the run re-clusters, then fails writing

        def embed(self, texts: Any, progress: Any = None) -> Any:
            return super().embed(texts, progress)[:, :10]  # wrong shape: fails in the run

    with pytest.raises(ValueError):
        run_insights(opened, embedder=Broken())
    assert [(t.number, t.size) for t in themes_page(opened).themes] == before


@pytest.mark.parametrize("texts", [["only one item"], ["my card was declined", "refund please"]])
def test_fewer_items_than_a_theme_needs_make_no_theme(
    opened: Any, tmp_path: Path, texts: list[str]
) -> None:
    _import(opened, tmp_path, texts)
    report = run_insights(opened, embedder=HashingEmbedder())
    assert report.themes == 0 and report.unassigned == len(texts)
    assert report.note == "too few items to find themes: need at least 3"
    assert themes_page(opened).themes == ()


def test_identical_items_are_one_theme_once_there_are_enough(opened: Any, tmp_path: Path) -> None:
    _import(opened, tmp_path, ["the very same complaint"] * 3)
    report = run_insights(opened, embedder=HashingEmbedder())
    assert report.themes == 1 and report.unassigned == 0 and report.note == ""
    assert [t.size for t in themes_page(opened).themes] == [3]


def test_items_dated_after_today_are_left_out_of_trends(opened: Any, tmp_path: Path) -> None:
    _import(opened, tmp_path, _all_texts())
    future = tmp_path / "future.csv"
    future.write_text("id,text,created\nf1,my card was declined at the shop,2099-01-01\n")
    imported = import_feedback(opened, future, text_column="text", id_column="id",
                               date_column="created", source="typo")  # fmt: skip
    assert imported.future_dated == 1 and imported.first_future == (2, dt.date(2099, 1, 1))
    report = run_insights(opened, embedder=HashingEmbedder())
    assert report.dated_after_today == 1
    page = themes_page(opened)
    newest = dt.date(2026, 1, 5) + dt.timedelta(days=3 * (len(_all_texts()) - 1))
    assert page.as_of == newest
    assert all(t.weeks[-1].week_start <= newest for t in page.themes)


DARK_MODE = ["dark mode for night reading", "a dark theme at night would be nice",
             "dark colours at night time", "the night dark mode would be nicer"]  # fmt: skip


def test_full_is_suggested_once_enough_unassigned_items_gather(opened: Any, tmp_path: Path) -> None:
    """Small batches count together: two items that fit no theme are too few for a new theme
    (3 here); a third, in the next run, is enough. A full run starts the count again."""
    embedder = HashingEmbedder()
    _import(opened, tmp_path, _all_texts())
    run_insights(opened, embedder=embedder)
    _import(opened, tmp_path, DARK_MODE[:2], 100)
    first = run_insights(opened, embedder=embedder)
    assert first.new_unassigned == 2 and first.unassigned_since_full == 2
    assert first.min_theme_size == 3 and not first.suggest_full
    _import(opened, tmp_path, DARK_MODE[2:3], 105)
    second = run_insights(opened, embedder=embedder)
    assert second.analysed == 1 and second.unassigned_since_full == 3 and second.suggest_full
    assert run_insights(opened, embedder=embedder).suggest_full  # it stands until --full
    full = run_insights(opened, embedder=embedder, full=True)
    assert not full.suggest_full
    after = run_insights(opened, embedder=embedder)
    assert after.unassigned_since_full == 0 and not after.suggest_full


def test_analyse_alone_themes_reads_and_keeps_what_it_does_not_read() -> None:
    # The pure middle of a run, without a store: the service only reads, embeds and writes.
    import numpy as np

    from productpath.insights import pipeline

    texts = _all_texts()
    vectors = HashingEmbedder().embed(texts)
    days = [dt.date(2026, 1, 5) + dt.timedelta(days=3 * i) for i in range(len(texts))]
    empty = pipeline.Prior({}, {}, {}, {}, active_size=0, next_number=1)
    stages: list[str] = []
    first = pipeline.analyse(
        vectors, texts, list(range(len(texts))), [-1] * len(texts), [None] * len(texts), days,
        empty, full=True, seed=1, threshold=HashingEmbedder.assign_threshold, semantic=False,
        today=days[-1], lap=stages.append,
    )  # fmt: skip
    assert stages == ["cluster", "label", "kind", "sentiment", "trends"]
    assert first.themes >= 2 and set(first.names) == set(first.labels)
    assert list(first.numbers) == list(first.themed.numbers)
    # An incremental reading of the last item only leaves every other item as it was.
    prior = pipeline.Prior(
        first.themed.centroids, first.themed.centroids,
        {n: int((first.numbers == n).sum()) for n in first.themed.centroids},
        first.names, active_size=len(texts), next_number=max(first.themed.centroids) + 1,
    )  # fmt: skip
    old = [int(n) for n in first.numbers]
    again = pipeline.analyse(
        vectors[-1:], texts, [len(texts) - 1], old, first.sentiments, days, prior,
        full=False, seed=1, threshold=HashingEmbedder.assign_threshold, semantic=False,
        today=days[-1],
    )  # fmt: skip
    assert list(again.numbers[:-1]) == old[:-1]
    assert len(again.sentiments) == len(again.kinds) == 1
    assert not again.relabelled and again.labels == {}
    assert np.array_equal(again.numbers[-1:], again.themed.numbers)
