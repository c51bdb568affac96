"""Names for themes: c-TF-IDF keywords, a short human label, and representative quotes.

c-TF-IDF treats all texts of one theme as a single document: a term scores high for a theme
when it is frequent there and rare across themes. Terms are unigrams and bigrams with English
stop words removed. The label is a phrase the members wrote (``insights.phrase``: "Card was
declined"); where they share none, it joins the two or three best keywords that do not repeat
each other ("card declined · payment").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from productpath.insights.words import KEYWORD

LABEL_SEPARATOR = " · "
LABEL_TERMS = 3


@dataclass(frozen=True)
class ThemeLabel:
    """A theme's short label (e.g. ``Card was declined``) and its ranked keywords."""

    label: str
    keywords: tuple[str, ...]


def _keywords_per_theme(
    texts: Sequence[str], labels: NDArray[np.int64], themes: list[int], top_n: int
) -> dict[int, list[str]]:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(
        ngram_range=(1, 2), stop_words="english", lowercase=True, token_pattern=KEYWORD
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:
        # Nothing but stop words, emoji or punctuation: no keyword to offer.
        return {theme: [] for theme in themes}
    index = {theme: row for row, theme in enumerate(themes)}
    kept = np.flatnonzero(labels >= 0)
    member_rows = np.array([index[int(t)] for t in labels[kept]], dtype=np.int64)
    # Sum the rows of each theme into one document per theme.
    grouping = sp.csr_matrix(
        (np.ones(len(kept)), (member_rows, kept)), shape=(len(themes), len(texts))
    )
    per_theme = (grouping @ counts).toarray().astype(np.float64)
    totals = per_theme.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    tf = per_theme / totals
    average_words = per_theme.sum() / max(len(themes), 1)
    frequency = per_theme.sum(axis=0)
    frequency[frequency == 0] = 1.0
    idf = np.log1p(average_words / frequency)
    scores = tf * idf
    vocabulary = vectorizer.get_feature_names_out()
    ranked: dict[int, list[str]] = {}
    for theme, row in index.items():
        order = np.lexsort((vocabulary, -scores[row]))
        ranked[theme] = [str(vocabulary[i]) for i in order[:top_n] if scores[row, i] > 0]
    return ranked


def short_label(keywords: Sequence[str], heads: set[str] | None = None) -> str:
    """The best few keywords, skipping any whose words an earlier pick already says.

    With ``heads`` (the words of the members' first lines: a ticket's subject), keywords said
    there come first, and keywords with a digit ("2022 10", "01t11") are left out while others
    remain: from a log or a date, they name nothing a person asked about.
    """
    if heads is not None:
        readable = [k for k in keywords if not any(c.isdigit() for c in k)]
        keywords = sorted(readable, key=lambda k: not set(k.split()) <= heads) or list(keywords)
    picked: list[str] = []
    said: set[str] = set()
    for keyword in keywords:
        words = set(keyword.split())
        if words <= said:
            continue
        picked.append(keyword)
        said |= words
        if len(picked) == LABEL_TERMS:
            break
    return LABEL_SEPARATOR.join(picked) if picked else "(no keywords)"


def label_themes(
    texts: Sequence[str], labels: NDArray[np.int64], *, top_n: int = 8
) -> dict[int, ThemeLabel]:
    """Keywords and a short label for every theme id >= 0 in ``labels`` (aligned with texts)."""
    labels = np.asarray(labels, dtype=np.int64)
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    themes = sorted(int(t) for t in np.unique(labels[labels >= 0]))
    if not themes:
        return {}
    from productpath.insights.phrase import name_candidates, name_key

    ranked = _keywords_per_theme(texts, labels, themes, top_n)
    candidates = name_candidates(texts, labels)
    sizes = {theme: int((labels == theme).sum()) for theme in themes}
    found: dict[int, ThemeLabel] = {}
    taken: set[str] = set()
    # What two or more themes would say first ("Exchange rate") names none of them: each takes
    # its best name that says more ("Exchange rate was wrong", "Foreign exchange rate").
    firsts = Counter(name_key(names[0]) for names in candidates.values() if names)
    contested = {key for key, count in firsts.items() if count > 1}
    said: set[frozenset[str]] = set()
    # Larger themes choose first: the smaller of two alike themes takes its next-best name.
    for theme in sorted(themes, key=lambda t: (-sizes[t], t)):
        names = candidates[theme] or [short_label(ranked[theme], _head_words(texts, labels, theme))]
        label = next(
            (name for name in names if name_key(name) not in said | contested),
            next((name for name in names if name_key(name) not in said), names[0]),
        )
        if label in taken or name_key(label) in said:
            label = _distinguish(label, ranked[theme], taken)
        taken.add(label)
        said.add(name_key(label))
        found[theme] = ThemeLabel(label, tuple(ranked[theme]))
    return dict(sorted(found.items()))


def _head_words(texts: Sequence[str], labels: NDArray[np.int64], theme: int) -> set[str]:
    """The lower-cased words of the first lines of (up to 400 of) a theme's members."""
    import re

    members = np.flatnonzero(labels == theme)[:400]
    pattern = re.compile(KEYWORD)
    return {
        word.lower()
        for index in members
        for word in pattern.findall(texts[index].strip().split("\n", 1)[0])
    }


def _distinguish(label: str, keywords: Sequence[str], taken: set[str]) -> str:
    """Two themes named alike ("Exchange rate") get the first keyword the name does not say."""
    from productpath.insights.phrase import word_key

    said = {word_key(word) for word in label.lower().split()}
    for keyword in keywords:
        if not {word_key(word) for word in keyword.split()} <= said:
            candidate = f"{label}{LABEL_SEPARATOR}{keyword}"
            if candidate not in taken:
                return candidate
    # No keyword tells them apart: number them, as a list of names would.
    number = 2
    while f"{label} ({number})" in taken:
        number += 1
    return f"{label} ({number})"


def representative_indices(
    embeddings: NDArray[np.float32],
    labels: NDArray[np.int64],
    centroids: NDArray[np.float32],
    *,
    per_theme: int = 3,
) -> dict[int, list[int]]:
    """Indices of each theme's members closest to its centroid, closest first."""
    labels = np.asarray(labels, dtype=np.int64)
    found: dict[int, list[int]] = {}
    for theme in sorted(int(t) for t in np.unique(labels[labels >= 0])):
        members = np.flatnonzero(labels == theme)
        similarity = np.asarray(embeddings[members], dtype=np.float32) @ centroids[theme]
        order = np.lexsort((members, -similarity))
        found[theme] = [int(members[i]) for i in order[:per_theme]]
    return found
