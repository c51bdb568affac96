"""Sentiment scores: range, sign on clear feedback, and the product-feedback vocabulary."""

from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from productpath.insights.sentiment import score_sentiment

NEGATIVE = [
    "app crashes when I open it!!",
    "The app keeps crashing on my phone",
    "Login doesn't work since the update",
    "so buggy and slow, uninstalling",
    "Terrible support, nobody answers",
]
POSITIVE = [
    "love the new update",
    "Great app, works perfectly",
    "Thanks for the quick help, brilliant support!",
    "Clean, intuitive and reliable",
]
NEUTRAL = ["how do I change my pin?", "Installed it yesterday", "", "pls add dark mode"]


def test_negative_feedback_scores_below_zero() -> None:
    assert all(score < -0.05 for score in score_sentiment(NEGATIVE))


def test_positive_feedback_scores_above_zero() -> None:
    assert all(score > 0.05 for score in score_sentiment(POSITIVE))


def test_neutral_feedback_scores_near_zero() -> None:
    assert all(abs(score) < 0.3 for score in score_sentiment(NEUTRAL))


def test_one_score_per_text_in_range() -> None:
    texts = [*NEGATIVE, *POSITIVE, *NEUTRAL, "🙂", "x" * 10_000, "NOOOO!!!! " * 500, "très bien"]
    scores = score_sentiment(texts)
    assert len(scores) == len(texts)
    assert all(-1.0 <= s <= 1.0 for s in scores)
    assert score_sentiment([]) == []


@pytest.mark.parametrize("text", ["The app crashes on start", "It doesn't work"])
def test_feedback_words_that_plain_vader_misses(text: str) -> None:
    plain = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    [ours] = score_sentiment([text])
    assert plain > -0.05
    assert ours < -0.05


def test_global_vader_lexicon_is_untouched() -> None:
    score_sentiment(["crash"])
    assert "crash" not in SentimentIntensityAnalyzer().lexicon or (
        SentimentIntensityAnalyzer().lexicon["crash"] != -2.4
    )


def test_deterministic() -> None:
    texts = [*NEGATIVE, *POSITIVE]
    assert score_sentiment(texts) == score_sentiment(texts)


@pytest.mark.parametrize(
    "text",
    [
        "😡",
        "💩",
        "👎",
        "Help, I was charged twice!",
        "Help!  My card is stolen.",
        "My top-up never worked",
    ],
)
def test_feedback_complaints_score_negative(text: str) -> None:
    [score] = score_sentiment([text])
    assert score < -0.05


@pytest.mark.parametrize("text", ["🔥", "This update is 🔥", "❤️❤️❤️", "👍"])
def test_feedback_praise_emoji_score_positive(text: str) -> None:
    [score] = score_sentiment([text])
    assert score > 0.05


@pytest.mark.parametrize("text", ["Please add a calendar view", "I need help with my invoice"])
def test_requests_for_help_are_not_positive(text: str) -> None:
    [score] = score_sentiment([text])
    assert abs(score) < 0.05


def test_global_vader_emoji_table_is_untouched() -> None:
    score_sentiment(["🔥"])
    assert SentimentIntensityAnalyzer().emojis["🔥"] == "fire"
