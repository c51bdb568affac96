"""Theme labels: c-TF-IDF keywords from the right theme, stop words out, odd text tolerated."""

from __future__ import annotations

import numpy as np

from productpath.insights.label import (
    ThemeLabel,
    label_themes,
    representative_indices,
    short_label,
)

CARDS = [
    "My card was declined at the shop",
    "Card declined when paying online",
    "Why is my card declined every time?",
    "The payment failed because the card was declined",
]
TRANSFERS = [
    "My transfer to another account is still pending",
    "How long does a bank transfer take to arrive?",
    "The transfer has not arrived in my account",
    "Pending transfer for three days",
]
EXCHANGE = [
    "What exchange rate do you use for euros?",
    "The exchange rate I was charged was wrong",
    "Exchange rate for dollars seems too high",
]


def labelled() -> tuple[list[str], np.ndarray]:
    texts = CARDS + TRANSFERS + EXCHANGE + ["hello there"]
    labels = np.array([0] * 4 + [1] * 4 + [2] * 3 + [-1], dtype=np.int64)
    return texts, labels


def test_keywords_come_from_their_own_theme() -> None:
    texts, labels = labelled()
    found = label_themes(texts, labels)
    assert set(found) == {0, 1, 2}
    assert isinstance(found[0], ThemeLabel)
    assert found[0].keywords[:2] == ("declined", "card declined") or "declined" in found[0].label
    assert "transfer" in found[1].keywords[:3]
    assert "exchange rate" in found[2].keywords[:3]
    for theme, members in ((0, CARDS), (1, TRANSFERS), (2, EXCHANGE)):
        vocabulary = " ".join(members).lower()
        for keyword in found[theme].keywords:
            assert all(word in vocabulary for word in keyword.split()), (theme, keyword)


def test_unassigned_texts_give_no_theme_and_no_keyword() -> None:
    texts, labels = labelled()
    found = label_themes(texts, labels)
    assert -1 not in found
    assert all("hello" not in kw for theme in found.values() for kw in theme.keywords)


def test_stop_words_are_left_out() -> None:
    texts, labels = labelled()
    stop = {"the", "my", "is", "to", "for", "was", "do", "you", "why", "how", "has", "not"}
    for theme in label_themes(texts, labels).values():
        for keyword in theme.keywords:
            assert not set(keyword.split()) & stop, keyword


def test_top_n_limits_keywords_and_label_is_short() -> None:
    texts, labels = labelled()
    found = label_themes(texts, labels, top_n=3)
    for theme in found.values():
        assert 1 <= len(theme.keywords) <= 3
        assert 1 <= len(theme.label.split(" · ")) <= 3


def test_short_label_skips_keywords_already_said() -> None:
    assert short_label(["card declined", "card", "declined", "payment", "shop"]) == (
        "card declined · payment · shop"
    )
    assert short_label([]) == "(no keywords)"


def test_non_english_and_emoji_text_does_not_crash() -> None:
    texts = [
        "🙂🙂🙂",
        "💳 ❌",
        "Überweisung dauert zu lange",
        "Überweisung fehlt",
        "返金はいつ",
        "!!!",
    ]
    labels = np.array([0, 0, 1, 1, 2, 2], dtype=np.int64)
    found = label_themes(texts, labels)
    assert set(found) == {0, 1, 2}
    assert "überweisung" in found[1].keywords
    assert found[0].keywords == () and found[0].label == "(no keywords)"


def test_only_stop_words_or_symbols() -> None:
    found = label_themes(["the and of", "🙂"], np.array([0, 0], dtype=np.int64))
    assert found == {0: ThemeLabel("(no keywords)", ())}


def test_no_themes() -> None:
    assert label_themes([], np.zeros(0, dtype=np.int64)) == {}
    assert label_themes(["a b c"], np.array([-1], dtype=np.int64)) == {}


def test_representative_indices_are_the_members_closest_to_the_centroid() -> None:
    embeddings = np.array(
        [[1.0, 0.0], [0.8, 0.6], [0.6, 0.8], [0.0, 1.0], [0.96, 0.28], [-1.0, 0.0]],
        dtype=np.float32,
    )
    labels = np.array([0, 0, 1, 1, 0, -1], dtype=np.int64)
    centroids = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    found = representative_indices(embeddings, labels, centroids, per_theme=2)
    assert found == {0: [0, 4], 1: [3, 2]}
    assert representative_indices(embeddings, labels, centroids, per_theme=5)[0] == [0, 4, 1]
