"""Trends and the emerging test (pure, no store)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from productpath.insights.match import match_themes
from productpath.insights.trends import benjamini_hochberg, theme_trends, week_start

END = dt.date(2026, 6, 28)  # a Sunday


def _history(recent_share_of_growing: float) -> tuple[list[dt.date], list[int]]:
    """20 weeks, 50 items a week; theme 1 at 10% before, ``recent_share_of_growing`` in the
    last 4 weeks; theme 2 steady at 30%; the rest unassigned."""
    dates, themes = [], []
    for week in range(20):
        day = END - dt.timedelta(weeks=19 - week)
        share = recent_share_of_growing if week >= 16 else 0.1
        grow = round(50 * share)
        for i in range(50):
            dates.append(day)
            themes.append(1 if i < grow else 2 if i < grow + 15 else -1)
    return dates, themes


def test_a_growing_theme_is_emerging_and_a_steady_one_is_not() -> None:
    dates, themes = _history(0.4)
    trends = theme_trends(dates, themes, [0.0] * len(dates))
    grown = trends[1].evidence
    assert grown.emerging
    assert grown.recent_count == 80 and grown.recent_total == 200
    assert grown.baseline_count == 80 and grown.baseline_total == 800
    assert grown.p_value is not None and grown.p_value < 1e-10
    assert "last 4 weeks" in grown.reason
    steady = trends[2].evidence
    assert not steady.emerging and steady.q_value is not None and steady.q_value > 0.05


def test_no_change_means_no_emerging_theme() -> None:
    dates, themes = _history(0.1)
    assert not any(
        t.evidence.emerging for t in theme_trends(dates, themes, [None] * len(dates)).values()
    )


def test_weeks_have_zeros_and_mean_sentiment() -> None:
    dates = [dt.date(2026, 6, 1), dt.date(2026, 6, 2), dt.date(2026, 6, 17)]
    trends = theme_trends(dates, [4, 4, 4], [0.5, -0.1, None])
    weeks = trends[4].weeks
    assert [w.week_start for w in weeks] == [
        dt.date(2026, 6, 1) + dt.timedelta(weeks=i) for i in range(3)
    ]
    assert [w.count for w in weeks] == [2, 0, 1]
    assert weeks[0].mean_sentiment is not None and abs(weeks[0].mean_sentiment - 0.2) < 1e-9
    assert weeks[2].mean_sentiment is None
    # All feedback is recent: there is nothing to test against, and the evidence says so.
    assert not trends[4].evidence.emerging and trends[4].evidence.p_value is None
    assert "no earlier feedback" in trends[4].evidence.reason


def test_empty_input_and_week_start() -> None:
    assert theme_trends([], [], []) == {}
    assert week_start(dt.date(2026, 6, 28)) == dt.date(2026, 6, 22)


def test_benjamini_hochberg_matches_the_textbook() -> None:
    q = benjamini_hochberg({1: 0.01, 2: 0.04, 3: 0.03, 4: 0.20})
    # Ranked 0.01, 0.03, 0.04, 0.20: p * 4 / rank, then the running minimum from the top.
    assert q == pytest.approx({1: 0.04, 2: 0.04 * 4 / 3, 3: 0.04 * 4 / 3, 4: 0.20})


def test_matching_keeps_numbers_by_members_and_centroids() -> None:
    new = np.array([0, 0, 0, 1, 1, -1], dtype=np.int64)
    old = np.array([7, 7, 7, 9, -1, 9], dtype=np.int64)
    assert match_themes(new, old) == {0: 7, 1: 9}
    # By centroid only: new theme 0 points where old theme 5 did; theme 1 matches nothing.
    centroids = np.array([[1, 0], [0, 1]], dtype=np.float32)
    old_centroids = {5: np.array([0.99, 0.141], dtype=np.float32), 6: np.array([-1, 0], np.float32)}
    unknown = np.full(6, -1, dtype=np.int64)
    assert match_themes(new, unknown, centroids, old_centroids) == {0: 5}
    assert match_themes(np.zeros(0, np.int64), np.zeros(0, np.int64)) == {}
