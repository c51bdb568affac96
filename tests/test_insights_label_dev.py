"""Theme names on developer text (issue titles from several products) read as phrases."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from productpath.insights.label import label_themes
from productpath.insights.phrase import content_words, name_key

DATA = Path(__file__).parent / "data" / "developer-text" / "issue-titles.csv"


def _labels() -> dict[str, str]:
    with DATA.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    names = sorted({row["theme"] for row in rows})
    texts = [row["title"] for row in rows]
    labels = np.array([names.index(row["theme"]) for row in rows], dtype=np.int64)
    return {names[theme]: found.label for theme, found in label_themes(texts, labels).items()}


def test_developer_themes_get_phrases_not_abbreviations_verbs_or_generic_words() -> None:
    labels = _labels()
    # Before: "Tf", "Added" and "Terminal" named these three.
    assert labels["tf"] == "tf.function retracing"  # a code name keeps its spelling
    assert labels["changelog"] != "Added" and content_words(labels["changelog"]) >= 2
    assert labels["shell"] != "Terminal"
    assert labels["app"] == "App crashes on launch"
    assert labels["children"] == "Children re-render"
    for label in labels.values():
        words = label.split()
        assert len(words) >= 2 or (len(label) > 3 and not label.endswith(("ed", "ing"))), label
    keys = [name_key(label) for label in labels.values()]
    assert len(set(keys)) == len(keys), labels


def test_two_themes_a_name_fits_equally_take_names_that_tell_them_apart() -> None:
    wrong = [
        "The exchange rate was wrong for my purchase",
        "exchange rate was wrong when I bought something",
        "An incorrect exchange rate on my payment",
        "exchange rate is incorrect",
        "the exchange rate seems off",
        "bad exchange rate on a purchase abroad",
    ]
    how = [
        "How is the exchange rate calculated?",
        "exchange rate calculated daily?",
        "How is your exchange rate determined",
        "what determined the exchange rate",
        "what is the source of your exchange rate",
        "who decides the exchange rate",
    ]
    texts = wrong + how
    labels = np.array([0] * len(wrong) + [1] * len(how), dtype=np.int64)
    found = label_themes(texts, labels)
    # Before: "Exchange rate" and "Exchange rate · calculated".
    assert found[0].label == "Incorrect exchange rate"
    assert found[1].label == "Exchange rate calculated"


def test_a_lone_word_never_names_a_theme_when_members_wrote_a_phrase() -> None:
    countries = [
        "What countries do you support?",
        "Which countries are supported?",
        "do you support all countries",
        "Countries you support",
        "countries list",
    ]
    cards = ["My card was declined", "card declined again", "why was my card declined"]
    texts = countries + cards
    labels = np.array([0] * len(countries) + [1] * len(cards), dtype=np.int64)
    assert label_themes(texts, labels)[0].label != "Countries"


def test_keywords_name_a_theme_from_its_subjects_not_its_logs() -> None:
    from productpath.insights.label import short_label

    keywords = ["2022 10", "01t11 16", "crash", "stack", "startup"]
    assert short_label(keywords, heads={"crash", "startup", "on"}) == "crash · startup · stack"
    assert short_label(keywords) == "2022 10 · 01t11 16 · crash"
