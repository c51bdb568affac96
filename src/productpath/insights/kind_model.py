"""The fitted kind classifier as plain arrays, so that predicting needs no scikit-learn.

Importing scikit-learn costs about a second of CPU (it pulls in scipy.stats and more), over
three-quarters of an incremental ``insights run`` on a few new items, while fitting the shipped
classifier on its seed examples takes a sixth of that. So the classifier predicts with
:class:`Tfidf` and :class:`LinearModel`, which hold what ``TfidfVectorizer`` and ``LinearSVC``
learnt and compute the same numbers with NumPy and scipy.sparse; scikit-learn is imported only to
fit. The shipped classifier's arrays are precomputed in ``data/kind_model.npz`` with a digest of
everything the fit depends on; a stale file is ignored and the classifier is fitted as before.
``tests/test_insights_kind_model.py`` checks that the file gives a fresh fit's exact outputs.

Regenerate after editing the seed examples, the features or the classifier's settings:

    python tools/write_kind_model.py
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

MODEL = Path(__file__).resolve().parent / "data" / "kind_model.npz"
# scikit-learn's defaults for TfidfVectorizer, which the classifier keeps.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")


@dataclass(frozen=True)
class Tfidf:
    """A fitted ``TfidfVectorizer`` (lower-cased, sublinear tf, l2 rows): its transform only."""

    analyzer: str  # "word" or "char_wb"
    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: NDArray[np.float64]

    @classmethod
    def from_sklearn(cls, vectoriser: Any) -> Tfidf:
        return cls(
            analyzer=str(vectoriser.analyzer),
            ngram_range=(int(vectoriser.ngram_range[0]), int(vectoriser.ngram_range[1])),
            vocabulary={str(term): int(i) for term, i in vectoriser.vocabulary_.items()},
            idf=np.asarray(vectoriser.idf_, dtype=np.float64),
        )

    def terms(self, text: str) -> list[str]:
        """The n-grams scikit-learn's analyzer yields for ``text``, repeats included."""
        low, high = self.ngram_range
        if self.analyzer == "char_wb":
            grams: list[str] = []
            for word in _WHITE_SPACES.sub(" ", text.lower()).split():
                padded = f" {word} "
                for n in range(low, high + 1):
                    offset = 0
                    grams.append(padded[:n])
                    while offset + n < len(padded):
                        offset += 1
                        grams.append(padded[offset : offset + n])
                    if offset == 0:  # a word shorter than n counts once, as in scikit-learn
                        break
            return grams
        tokens = _TOKEN.findall(text.lower())
        grams = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        from scipy.sparse import csr_matrix

        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        sizes: list[int] = []
        for text in texts:
            row: dict[int, int] = {}
            for gram in self.terms(text):
                column = self.vocabulary.get(gram)
                if column is not None:
                    row[column] = row.get(column, 0) + 1
            for column in sorted(row):
                indices.append(column)
                counts.append(row[column])
            indptr.append(len(indices))
            sizes.append(len(row))
        # As scikit-learn: 1 + log(count), times the term's idf, then each row scaled to unit
        # length (rows summed in column order, so the numbers are the same to the last bit).
        values = np.log(np.asarray(counts, dtype=np.float64)) + 1.0
        columns = np.asarray(indices, dtype=np.int32)
        values *= self.idf[columns]
        lengths = np.asarray(sizes, dtype=np.int64)
        rows = np.repeat(np.arange(len(texts)), lengths)
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(texts)))
        norms[norms == 0] = 1.0
        values /= norms[rows]
        shape = (len(texts), len(self.idf))
        return csr_matrix((values, columns, np.asarray(indptr, dtype=np.int64)), shape=shape)


@dataclass(frozen=True)
class LinearModel:
    """A fitted linear classifier's decision function: ``features @ coef.T + intercept``."""

    classes: NDArray[np.int64]
    coef: NDArray[np.float64]
    intercept: NDArray[np.float64]

    @classmethod
    def from_sklearn(cls, model: Any) -> LinearModel:
        return cls(
            classes=np.asarray(model.classes_, dtype=np.int64),
            coef=np.asarray(model.coef_, dtype=np.float64),
            intercept=np.asarray(model.intercept_, dtype=np.float64),
        )

    def decision_function(self, features: csr_matrix | NDArray[np.float64]) -> NDArray[np.float64]:
        margins: NDArray[np.float64] = np.asarray(features @ self.coef.T) + self.intercept
        return margins[:, 0] if self.coef.shape[0] == 1 else margins


@dataclass(frozen=True)
class FittedKinds:
    """Everything the kind classifier learnt: three vectorisers and up to three models."""

    words: Tfidf
    title_words: Tfidf
    title_chars: Tfidf
    text_model: LinearModel
    joint_model: LinearModel | None
    # Only a classifier adapted with a workspace's examples and their vectors has one; the shipped
    # seed-only fit (the one stored on disk) never does.
    vector_model: LinearModel | None = None


def training_digest(
    texts: Sequence[str],
    labels: NDArray[np.int64],
    weights: NDArray[np.float64],
    embeddings: NDArray[np.float32] | None,
    settings: Sequence[float],
) -> str:
    """A digest of what a fit depends on besides the code: data, weights and settings."""
    hasher = hashlib.sha256()
    for text in texts:
        hasher.update(text.encode("utf-8") + b"\x00")
    for array in (labels, weights, embeddings):
        hasher.update(b"-" if array is None else np.ascontiguousarray(array).tobytes())
    hasher.update(repr(tuple(float(s) for s in settings)).encode())
    return hasher.hexdigest()


_VECTORISERS = ("words", "title_words", "title_chars")


def write(fitted: FittedKinds, digest: str, path: Path = MODEL) -> None:
    arrays: dict[str, Any] = {"digest": np.array(digest)}
    for name in _VECTORISERS:
        tfidf: Tfidf = getattr(fitted, name)
        ordered = sorted(tfidf.vocabulary, key=tfidf.vocabulary.__getitem__)
        # Terms never hold a newline (both analyzers split on white space).
        arrays[f"{name}.terms"] = np.array("\n".join(ordered))
        arrays[f"{name}.idf"] = tfidf.idf
        arrays[f"{name}.analyzer"] = np.array(tfidf.analyzer)
        arrays[f"{name}.ngram_range"] = np.array(tfidf.ngram_range)
    models = {"text": fitted.text_model, "joint": fitted.joint_model}
    for name, model in models.items():
        if model is not None:
            arrays[f"{name}.classes"] = model.classes
            arrays[f"{name}.coef"] = model.coef
            arrays[f"{name}.intercept"] = model.intercept
    np.savez_compressed(path, **arrays)


def read(digest: str, path: Path = MODEL) -> FittedKinds | None:
    """The stored fit when it was made from the same data and settings, else None."""
    if not path.exists():
        return None
    with np.load(path) as stored:
        if str(stored["digest"]) != digest:
            return None
        vectorisers = []
        for name in _VECTORISERS:
            terms = str(stored[f"{name}.terms"]).split("\n")
            low, high = (int(n) for n in stored[f"{name}.ngram_range"])
            vectorisers.append(
                Tfidf(
                    analyzer=str(stored[f"{name}.analyzer"]),
                    ngram_range=(low, high),
                    vocabulary={term: i for i, term in enumerate(terms)},
                    idf=np.asarray(stored[f"{name}.idf"], dtype=np.float64),
                )
            )
        models: list[LinearModel | None] = []
        for name in ("text", "joint"):
            present = f"{name}.coef" in stored.files
            models.append(
                LinearModel(
                    classes=np.asarray(stored[f"{name}.classes"], dtype=np.int64),
                    coef=np.asarray(stored[f"{name}.coef"], dtype=np.float64),
                    intercept=np.asarray(stored[f"{name}.intercept"], dtype=np.float64),
                )
                if present
                else None
            )
    text_model = models[0]
    if text_model is None:
        return None
    words, title_words, title_chars = vectorisers
    return FittedKinds(words, title_words, title_chars, text_model, models[1])
