"""Which themes to propose as an initiative's evidence, and why: pure logic on vectors and words.

A theme is proposed for an initiative when two things hold: the cosine similarity of the
initiative's text to the theme's centroid reaches the embedder's threshold, and the initiative's
text shares at least one content word with the theme (its label or its members' texts). The
words are the reason shown to the person deciding; a similarity without a shared word is how
"Clearer failure reports" came to be proposed for a theme "Private key".

The thresholds were chosen on a labelled set (``bench/suggest_links_data.py``, measured by
``bench/bench_suggest_links.py``): the lowest that keeps precision at or above 0.8 on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from productpath.insights.embed import HASHING_NAME, MINILM_NAME

# Per embedder: the lowest similarity with precision >= 0.8 on the labelled set.
THRESHOLDS = {MINILM_NAME: 0.45, HASHING_NAME: 0.3}
PER_INITIATIVE = 3
_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|\d+\.\d+")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _stem(word: str) -> str:
    # Enough to meet "top-ups" and "top up", "tests" and "test", "crashed" and "crash".
    for suffix in ("ies", "es", "ed", "ing", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> dict[str, str]:
    """Stem -> the word as first written, for the words of ``text`` that carry meaning."""
    stop = _stop_words()
    found: dict[str, str] = {}
    for raw in _WORD.findall(text.casefold()):
        for word in raw.split("-"):
            if len(word) >= 3 and word not in stop:
                found.setdefault(_stem(word), word)
    return found


@dataclass(frozen=True)
class ThemeSide:
    """A theme as the suggester sees it: its centroid and the words its label and members use."""

    centroid: NDArray[np.float32]
    words: frozenset[str]  # stems


def theme_side(centroid: NDArray[np.float32], texts: Iterable[str]) -> ThemeSide:
    stems: set[str] = set()
    for text in texts:
        stems.update(content_words(text))
    return ThemeSide(centroid, frozenset(stems))


@dataclass(frozen=True)
class Proposal:
    initiative: int  # index into the initiatives given
    theme: int  # index into the themes given
    score: float
    shared: tuple[str, ...]  # the initiative's words the theme uses too

    @property
    def reason(self) -> str:
        words = ", ".join(f"'{w}'" for w in self.shared)
        return f"similarity {self.score:.2f}; both say {words}"


def propose(
    initiative_texts: Sequence[str],
    initiative_vectors: NDArray[np.float32],
    themes: Sequence[ThemeSide],
    threshold: float,
    per_initiative: int = PER_INITIATIVE,
    *,
    require_shared_word: bool = True,
) -> list[Proposal]:
    """Up to ``per_initiative`` themes per initiative, best first, that pass both tests
    (only the first without ``require_shared_word``: the bench measures what the rule adds)."""
    if not themes or not initiative_texts:
        return []
    centroids = np.stack([t.centroid for t in themes])
    similarity = initiative_vectors @ centroids.T
    found: list[Proposal] = []
    for n, text in enumerate(initiative_texts):
        words = content_words(text)
        kept = 0
        for t in np.argsort(-similarity[n], kind="stable"):
            # Rounded before the comparison, so a score shown can be passed back as a threshold.
            score = round(float(similarity[n, t]), 4)
            if score < threshold or kept == per_initiative:
                break
            shared = tuple(sorted(words[s] for s in words.keys() & themes[int(t)].words))
            if shared or not require_shared_word:
                found.append(Proposal(n, int(t), score, shared))
                kept += 1
    return found


def precision_recall(
    proposed: Iterable[tuple[str, str]], right: Mapping[str, set[str]] | set[tuple[str, str]]
) -> tuple[float | None, float | None]:
    """Precision and recall of (initiative, theme) proposals against the right pairs."""
    pairs = set(proposed)
    truth = (
        set(right) if isinstance(right, set) else {(i, t) for i, ts in right.items() for t in ts}
    )
    hits = len(pairs & truth)
    return (hits / len(pairs) if pairs else None, hits / len(truth) if truth else None)
