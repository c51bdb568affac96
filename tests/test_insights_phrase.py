"""Theme names as phrases the members wrote: the right words, in their order, readable."""

from __future__ import annotations

import numpy as np

from productpath.insights.label import label_themes
from productpath.insights.phrase import name_themes, tokens

DECLINED = [
    "My card was declined at the supermarket",
    "Why was my card declined again?",
    "card was declined when I paid for petrol",
    "The card was declined twice today",
    "Payment failed, my card was declined",
]
PENDING = [
    "My transfer is still pending after three days",
    "Why is the transfer pending for so long?",
    "transfer pending since Monday",
    "The transfer I made is pending",
]
FAILED = [
    "My transfer didn't go through",
    "The transfer didn't go through yesterday",
    "why didn't my transfer go through?",
    "transfer didn't go through, why?",
]


def themes(*groups: list[str]) -> tuple[list[str], np.ndarray]:
    texts = [text for group in groups for text in group]
    labels = np.concatenate([np.full(len(g), i, dtype=np.int64) for i, g in enumerate(groups)])
    return texts, labels


def test_names_use_the_distinctive_words_in_the_members_order() -> None:
    texts, labels = themes(DECLINED, PENDING)
    names = name_themes(texts, labels)
    assert names[0] == "Card was declined"
    assert names[1] == "Transfer pending" or names[1] == "Transfer is still pending"


def test_negation_is_spelt_out_and_a_name_never_ends_on_it() -> None:
    assert tokens("It didn't work, won't log in") == [
        "it", "did", "not", "work", "|", "will", "not", "log", "in",
    ]  # fmt: skip
    texts, labels = themes(PENDING, FAILED)
    names = name_themes(texts, labels)
    assert names[1] == "Transfer did not go through"


def test_a_word_grows_into_the_phrase_most_members_use() -> None:
    wallet = [
        "Apple Pay stopped working",
        "can I add the card to Apple Pay",
        "Apple Pay is not available",
        "apple pay shows an error",
        "Does Apple Pay work abroad",
    ]
    texts, labels = themes(wallet, DECLINED)
    assert name_themes(texts, labels)[0] == "Apple Pay"


def test_only_the_first_line_names_a_theme_so_templates_do_not() -> None:
    template = "\n### Steps to reproduce\n1. open\n### Version\n1.2\n### Expected behaviour\nworks"
    crashes = [
        f"{title}{template}"
        for title in (
            "Crash on startup",
            "crash on startup in safe mode",
            "Startup crash after update",
        )
    ]
    themes_ = [
        f"{title}{template}"
        for title in ("Dark theme colours wrong", "dark theme unreadable", "Dark theme contrast")
    ]
    texts, labels = themes(crashes, themes_)
    names = name_themes(texts, labels)
    assert "rash" in names[0] and "tartup" in names[0]
    assert names[1].lower().startswith("dark theme")
    assert not any(word in name.lower() for name in names.values() for word in ("steps", "version"))


def test_no_shared_words_gives_an_empty_name_and_the_label_falls_back() -> None:
    texts = ["🙂🙂", "the and of", "Überweisung dauert", "Überweisung fehlt"]
    labels = np.array([0, 0, 1, 1], dtype=np.int64)
    assert name_themes(texts, labels) == {0: "", 1: "Überweisung"}
    assert label_themes(texts, labels)[0].label == "(no keywords)"


def test_large_themes_are_named_from_a_sample_deterministically() -> None:
    rng = np.random.default_rng(3)
    texts = [
        f"{rng.choice(['Sync', 'sync'])} is broken on {rng.choice(['Android', 'iOS', 'the web'])}"
        for _ in range(3000)
    ] + [
        f"Please add {rng.choice(['export to csv', 'csv export'])} for reports" for _ in range(3000)
    ]
    labels = np.array([0] * 3000 + [1] * 3000, dtype=np.int64)
    first = name_themes(texts, labels)
    assert first == name_themes(texts, labels)
    assert first[0] == "Sync is broken"
    assert "csv" in first[1].lower() or "CSV" in first[1]


def test_mismatched_lengths_are_an_error() -> None:
    try:
        name_themes(["a"], np.zeros(2, dtype=np.int64))
    except ValueError as error:
        assert "1 texts but 2 labels" in str(error)
    else:
        raise AssertionError("expected a ValueError")


def test_two_themes_named_alike_are_told_apart_by_a_keyword() -> None:
    wrong = [f"Exchange rate was wrong for {c}" for c in ("euros", "dollars", "yen", "pesos")]
    fees = [f"Exchange rate fee for {c} is high" for c in ("euros", "dollars", "yen", "pesos")]
    texts, labels = themes(wrong, fees)
    found = label_themes(texts, labels)
    assert found[0].label.startswith("Exchange rate")
    assert found[1].label.startswith("Exchange rate")
    assert found[0].label != found[1].label


def test_names_keep_their_spelling_and_length() -> None:
    phones = ["iPhone app crashes on start", "the iPhone app crashes", "iPhone app crashes again"]
    cities = ["İstanbul ödeme gecikti", "İstanbul ödeme yok", "İstanbul ödeme hata"]
    blob = ["x" * 300 + " failed", "x" * 300 + " failed again"]
    texts, labels = themes(phones, cities, blob)
    names = name_themes(texts, labels)
    assert names[0].startswith("iPhone app crashes")
    assert names[1].startswith("İstanbul ödeme")
    assert len(names[2]) <= 80 and names[2].endswith("…")


def test_themes_no_keyword_tells_apart_are_numbered() -> None:
    texts, labels = themes(["Refund please", "refund please"], ["Refund please!", "refund please?"])
    found = label_themes(texts, labels)
    assert found[0].label == "Refund"
    assert found[1].label == "Refund (2)"


def test_words_with_combining_marks_stay_whole() -> None:
    # Hindi vowel signs and Arabic vowel marks are combining marks, which Python's \w leaves out.
    payment_failed = [
        "मेरा भुगतान विफल हो गया",
        "भुगतान विफल हो गया फिर से",
        "आज भुगतान विफल हो गया",
    ]
    arabic = ["الدَّفع فشل اليوم", "الدَّفع فشل مرة أخرى", "لماذا الدَّفع فشل"]
    assert tokens("भुगतान विफल") == ["भुगतान", "विफल"]
    # A mark continues a word but never starts one: an emoji's variation selector is a mark too.
    assert tokens("Love it \u2764\ufe0f so much") == ["love", "it", "so", "much"]
    texts, labels = themes(payment_failed, arabic)
    names = name_themes(texts, labels)
    assert "भुगतान विफल" in names[0]
    assert "الدَّفع فشل" in names[1]
    keywords = label_themes(texts, labels)
    assert "भुगतान" in keywords[0].keywords
    assert "الدَّفع" in keywords[1].keywords
