"""Trends and the emerging test (pure, no store)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from productpath.insights.match import match_themes
from productpath.insights.trends import (
    benjamini_hochberg,
    share_change,
    theme_trends,
    trend_end,
    week_start,
)

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


def test_a_date_after_today_does_not_move_the_window() -> None:
    dates, themes = _history(0.4)
    dates.append(dt.date(2099, 1, 1))  # a mistyped year
    themes.append(1)
    trends = theme_trends(dates, themes, [0.0] * len(dates))
    grown = trends[1].evidence
    assert grown.emerging and grown.recent_count == 80 and grown.recent_total == 200
    assert trends[1].weeks[-1].week_start == week_start(END)
    assert sum(w.count for w in trends[1].weeks) == 160  # the 2099 item is in no week


def test_a_very_old_date_is_history_outside_the_window() -> None:
    dates, themes = _history(0.4)
    plain = theme_trends(dates, themes, [0.0] * len(dates))
    old = theme_trends([dt.date(1900, 1, 1), *dates], [1, *themes], [0.0] * (len(dates) + 1))
    assert old[1].evidence == plain[1].evidence
    # The weeks reach back to the baseline's start and no further, with zeros before the history.
    assert len(old[1].weeks) == 30 and old[1].weeks[-20:] == plain[1].weeks
    assert sum(w.count for w in old[1].weeks) == sum(w.count for w in plain[1].weeks)


def test_the_trend_ends_on_the_newest_day_not_after_today() -> None:
    days = [dt.date(2026, 3, 1), dt.date(2026, 3, 9), dt.date(2026, 4, 2)]
    assert trend_end(days, dt.date(2026, 3, 31)) == dt.date(2026, 3, 9)
    assert trend_end(days, dt.date(2026, 3, 9)) == dt.date(2026, 3, 9)
    assert trend_end(days, dt.date(2026, 2, 1)) is None
    assert theme_trends([dt.date(2099, 1, 1)], [1], [None]) == {}


def test_the_ratio_is_the_plain_shares_ratio_everywhere() -> None:
    """The ratio shown beside "40.0% vs 10.0% before" is 4.0, not a smoothed 3.98."""
    dates, themes = _history(0.4)
    grown = theme_trends(dates, themes, [0.0] * len(dates))[1].evidence
    assert grown.ratio == pytest.approx(4.0, rel=1e-12)
    assert share_change(grown) == grown.ratio
    assert "40.0% in the last 4 weeks vs 10.0% before (4.0x)" in grown.reason


def test_a_theme_with_no_earlier_items_is_new_not_a_number() -> None:
    dates, themes = _history(0.1)
    recent = [d for d in dates if d > END - dt.timedelta(weeks=4)]
    dates += recent[:40]
    themes += [3] * 40
    fresh = theme_trends(dates, themes, [None] * len(dates))[3].evidence
    assert fresh.emerging and fresh.baseline_count == 0
    assert fresh.ratio is None and share_change(fresh) == float("inf")
    assert "vs 0.0% before (new)" in fresh.reason


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


def test_history_younger_than_the_recent_window_counts_every_item_as_recent() -> None:
    # Three weeks of feedback, all inside the four recent weeks: 3 items of theme 1 a week.
    dates = [END - dt.timedelta(weeks=w) for w in range(3) for _ in range(3)]
    evidence = theme_trends(dates, [1] * len(dates), [None] * len(dates), as_of=END)[1].evidence
    assert (evidence.recent_count, evidence.recent_total) == (9, 9)
    assert evidence.baseline_count == 0


def test_binomial_tail_is_scipy_stats_own() -> None:
    from scipy.stats import binom

    from productpath.insights.trends import binomial_sf

    rng = np.random.default_rng(3)
    for _ in range(2000):
        n = int(rng.integers(1, 100_000))
        k = int(rng.integers(-1, min(n, 60) + 1)) if rng.random() < 0.7 else int(rng.integers(n))
        p = float(rng.uniform(1e-6, 1 - 1e-6)) ** 3
        assert binomial_sf(k, n, p) == float(binom.sf(k, n, p)), (k, n, p)


def test_trends_do_not_import_scipy_stats() -> None:
    from helpers import loaded_by

    code = (
        "import datetime as dt\n"
        "from productpath.insights.trends import theme_trends\n"
        "days = [dt.date(2026, 1, 1) + dt.timedelta(days=i % 120) for i in range(400)]\n"
        "theme_trends(days, [i % 3 for i in range(400)], [0.1] * 400, as_of=days[-1])"
    )
    assert loaded_by(code, ["scipy.stats"]) == []
