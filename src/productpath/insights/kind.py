"""What kind of feedback an item is: bug, feature request, question, praise or other.

A class-balanced linear support-vector machine over TF-IDF word and character n-grams of the
text and its first line, plus a few hand-picked cue flags (see ``kind_features``). When the
pipeline has MiniLM vectors for the texts, a second model that also sees them is used. The shipped
classifier learns only from seed examples written for this project (``kind_seed``); a workspace
adapts it with its own labelled feedback through :meth:`KindClassifier.with_examples`. An adapted
classifier that learnt vectors also fits a logistic regression on the vectors alone and averages
its log-probabilities with the joint model's (measured in ``bench/bench_kind_labels.py``).

Two rules sit on top of the model: a text that shares nothing with the training texts is
``other`` at a guess's confidence, and praise is never given to a text whose sentiment is negative.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from productpath.errors import InputError
from productpath.insights import kind_model
from productpath.insights.kind_features import (
    Vectorisers,
    build_vectorisers,
    recognised,
    text_matrix,
)
from productpath.insights.kind_model import FittedKinds, LinearModel
from productpath.insights.kind_seed import load_seed
from productpath.insights.sentiment import score_sentiment

if TYPE_CHECKING:
    from pathlib import Path

    from scipy.sparse import csr_matrix

KINDS = ("bug", "feature_request", "question", "praise", "other")

# Regularisation strength of both models, and how loudly the embedding block speaks next to the
# sparse blocks; chosen by cross-validation on the bench's training half (bench/bench_kind.py),
# never on its held-back half.
C_SVM = 0.3
EMBEDDING_SCALE = 2.0
# Margins become confidences through a softmax at this temperature: a margin of 1 over the runner-up
# gives about 0.88 between two classes.
MARGIN_SHARPNESS = 2.0
# A workspace's own labelled items describe its users better than generic seed examples do.
USER_WEIGHT = 2.0
# Regularisation of the adapted classifier's logistic regression on the vectors, and the share of
# its log-probabilities in the ensemble with the joint model; chosen on the issue bench's training
# half (bench/bench_kind_dev.py): with 150 labelled items the blend beat the SVM alone (0.679
# against 0.667), with 300 a fade from 150 or 300 on tied (0.702, 0.703), with 375 the even blend
# lost (0.699 against 0.702). So the share fades as the workspace's labelled items grow past
# VECTOR_SHARE_ITEMS: VECTOR_SHARE * VECTOR_SHARE_ITEMS / count.
C_VECTORS = 1.0
VECTOR_SHARE = 0.5
VECTOR_SHARE_ITEMS = 300
# At or below this sentiment a text is not praise (VADER's own threshold for "negative").
NEGATIVE_SENTIMENT = -0.05


@dataclass(frozen=True)
class KindPrediction:
    kind: str
    confidence: float


# The answer for a text that shares no n-gram and no cue with the training texts (a script or
# emoji they never used): the honest kind is "other", no surer than a guess among the five.
# Without this rule the MiniLM block decided: it reads every character outside its vocabulary as
# one unknown token, so "😡", "💩" and "❤️❤️❤️" all get one vector, and the seed's only texts
# with that vector were praise.
UNREADABLE = KindPrediction("other", 1.0 / len(KINDS))


@dataclass(frozen=True)
class _Training:
    texts: tuple[str, ...]
    labels: NDArray[np.int64]
    weights: NDArray[np.float64]
    # None unless every training text has a vector.
    embeddings: NDArray[np.float32] | None
    # How many of the texts are a workspace's own examples (the seed-only fit has none).
    adapted: int = 0


class KindClassifier:
    """Predicts a kind from :data:`KINDS` for each text. Immutable; fitting happens on creation,
    unless ``fitted`` brings what a fit on ``training`` learnt (the shipped, precomputed fit)."""

    def __init__(self, training: _Training, fitted: FittedKinds | None = None) -> None:
        self._training = training
        self.fitted = fitted or _fit_all(training)
        self._vectorisers = Vectorisers(
            self.fitted.words, self.fitted.title_words, self.fitted.title_chars
        )
        self._text_model = self.fitted.text_model
        self._joint_model = self.fitted.joint_model
        self._vector_model = self.fitted.vector_model

    @classmethod
    def default(cls) -> KindClassifier:
        """The shipped classifier, built from the seed examples (cached in-process)."""
        return _default()

    def _fits(self, embeddings: NDArray[np.float32]) -> bool:
        # Vectors of another embedder (the hashing fallback) mean nothing to the joint model.
        trained = self._training.embeddings
        return trained is not None and embeddings.shape[1] == trained.shape[1]

    @property
    def uses_embeddings(self) -> bool:
        """Whether ``predict`` makes use of embeddings when they are given."""
        return self._joint_model is not None

    def with_examples(
        self,
        texts: Sequence[str],
        kinds: Sequence[str],
        embeddings: NDArray[np.float32] | None = None,
    ) -> KindClassifier:
        """A new classifier that learns from these labelled examples on top of this one's.

        Without ``embeddings`` for the new examples the new classifier ignores embeddings at
        prediction time: a vector model that never saw the workspace's own items would drown them.
        """
        if len(texts) != len(kinds):
            raise ValueError(f"{len(texts)} texts but {len(kinds)} kinds")
        labels = [_label(kind) for kind in kinds]
        _check_embeddings(embeddings, len(texts))
        old = self._training
        merged: NDArray[np.float32] | None = None
        if (
            old.embeddings is not None
            and embeddings is not None
            and embeddings.shape[1] == old.embeddings.shape[1]
        ):
            merged = np.vstack([old.embeddings, np.asarray(embeddings, dtype=np.float32)])
        return KindClassifier(
            _Training(
                texts=old.texts + tuple(str(t) for t in texts),
                labels=np.concatenate([old.labels, np.asarray(labels, dtype=np.int64)]),
                weights=np.concatenate([old.weights, np.full(len(texts), USER_WEIGHT)]),
                embeddings=merged,
                adapted=old.adapted + len(texts),
            )
        )

    def predict(
        self, texts: Sequence[str], embeddings: NDArray[np.float32] | None = None
    ) -> list[KindPrediction]:
        """One prediction per text; ``embeddings`` are the texts' unit-normalised MiniLM vectors."""
        if len(texts) == 0:
            return []
        _check_embeddings(embeddings, len(texts))
        clean = [str(t) for t in texts]
        features = text_matrix(self._vectorisers, clean)
        classes, margins = self._margins(features, embeddings)
        probabilities = _softmax(margins * MARGIN_SHARPNESS)
        if embeddings is not None and self._vector_model is not None and self._fits(embeddings):
            probabilities = self._with_vector_model(classes, probabilities, embeddings)
        _rule_out_negative_praise(clean, classes, probabilities)
        best = np.argmax(probabilities, axis=1)
        readable = recognised(features)
        return [
            KindPrediction(KINDS[classes[j]], float(np.clip(probabilities[i, j], 0.0, 1.0)))
            if readable[i]
            else UNREADABLE
            for i, j in enumerate(best)
        ]

    def _with_vector_model(
        self,
        classes: list[int],
        probabilities: NDArray[np.float64],
        embeddings: NDArray[np.float32],
    ) -> NDArray[np.float64]:
        """The joint model's probabilities blended with the vector model's (geometric mean).

        The logistic regression on the vectors alone reads what the texts mean where the joint
        SVM leans on shared words; each errs on different items, so the blend beats both.
        """
        model = self._vector_model
        assert model is not None
        logits = np.asarray(
            model.decision_function(np.nan_to_num(embeddings.astype(np.float64))),
            dtype=np.float64,
        )
        if logits.ndim == 1:
            logits = np.column_stack([-logits, logits])
        vector_probabilities = _softmax(logits)
        # Align the vector model's columns with the joint model's (both saw the same labels).
        column = {int(c): j for j, c in enumerate(model.classes)}
        aligned = np.full_like(probabilities, 1e-12)
        for j, label in enumerate(classes):
            if label in column:
                aligned[:, j] = vector_probabilities[:, column[label]]
        share = VECTOR_SHARE * min(1.0, VECTOR_SHARE_ITEMS / max(self._training.adapted, 1))
        blended = (1.0 - share) * np.log(probabilities + 1e-12) + share * np.log(aligned + 1e-12)
        return _softmax(blended)

    def _margins(
        self, features: csr_matrix, embeddings: NDArray[np.float32] | None
    ) -> tuple[list[int], NDArray[np.float64]]:
        """The model's classes (indices into KINDS) and its margins, one column per class."""
        if embeddings is not None and self._joint_model is not None and self._fits(embeddings):
            model = self._joint_model
            margins = model.decision_function(
                _joint(features, np.asarray(embeddings, dtype=np.float32))
            )
        else:
            model = self._text_model
            margins = model.decision_function(features)
        margins = np.asarray(margins, dtype=np.float64)
        if margins.ndim == 1:
            # Two classes only: one margin, positive for the second class.
            margins = np.column_stack([-margins, margins])
        return [int(c) for c in model.classes], margins


def _rule_out_negative_praise(
    texts: Sequence[str], classes: Sequence[int], probabilities: NDArray[np.float64]
) -> None:
    """Where praise wins on a text whose sentiment is negative, hand the win to the runner-up.

    Short complaints ("I was overcharged one pound!") sit close to short compliments in MiniLM's
    space, and nothing in their words is praise; a praise that reads as negative is a
    contradiction the sentiment scorer can catch. The other kinds' probabilities are renormalised
    in place, so the confidence says how sure the model is among what is left.
    """
    praise = KINDS.index("praise")
    if praise not in classes or len(classes) < 2:
        return
    column = classes.index(praise)
    rows = np.flatnonzero(np.argmax(probabilities, axis=1) == column)
    if rows.size == 0:
        return
    scores = np.asarray(score_sentiment([texts[int(i)] for i in rows]), dtype=np.float64)
    negative = rows[scores <= NEGATIVE_SENTIMENT]
    probabilities[negative, column] = 0.0
    probabilities[negative] /= probabilities[negative].sum(axis=1, keepdims=True)


def _label(kind: str) -> int:
    try:
        return KINDS.index(kind)
    except ValueError:
        raise InputError(
            f"unknown kind '{kind}' (expected one of {', '.join(KINDS)})", field="kind"
        ) from None


def _check_embeddings(embeddings: NDArray[np.float32] | None, rows: int) -> None:
    if embeddings is not None and (embeddings.ndim != 2 or embeddings.shape[0] != rows):
        raise ValueError(f"expected {rows} embedding rows, got shape {embeddings.shape}")


def _joint(features: csr_matrix, embeddings: NDArray[np.float32]) -> csr_matrix:
    from scipy.sparse import csr_matrix, hstack

    dense = csr_matrix(np.nan_to_num(embeddings.astype(np.float64)) * EMBEDDING_SCALE)
    return csr_matrix(hstack([features, dense], format="csr"))


def _softmax(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: NDArray[np.float64] = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def _fit_all(training: _Training) -> FittedKinds:
    vectorisers = build_vectorisers(training.texts)
    features = text_matrix(vectorisers, training.texts)
    joint = None
    vectors = None
    if training.embeddings is not None:
        joint = _fit(_joint(features, training.embeddings), training)
        if training.adapted:
            vectors = _fit_vectors(training.embeddings, training)
    return FittedKinds(
        vectorisers.words,
        vectorisers.title_words,
        vectorisers.title_chars,
        text_model=_fit(features, training),
        joint_model=joint,
        vector_model=vectors,
    )


def _balanced(training: _Training) -> NDArray[np.float64]:
    """Sample weights scaled so that every class present weighs the same in total: a workspace
    with many bug reports and few praises still predicts praise."""
    labels = training.labels
    weights = training.weights.copy()
    present = np.unique(labels)
    share = weights.sum() / len(present)
    for label in present:
        mask = labels == label
        weights[mask] *= share / weights[mask].sum()
    return weights


def _fit(features: csr_matrix, training: _Training) -> LinearModel:
    # A linear SVM fits these ~100k sparse columns in a second where a multinomial logistic
    # regression took a minute, at the same accuracy (measured in the bench).
    from sklearn.svm import LinearSVC

    # Deterministic solver, no random state involved.
    model = LinearSVC(C=C_SVM, random_state=0, max_iter=5000)
    model.fit(features, training.labels, sample_weight=_balanced(training))
    return LinearModel.from_sklearn(model)


def _fit_vectors(embeddings: NDArray[np.float32], training: _Training) -> LinearModel:
    """Multinomial logistic regression on the 384 dense vector columns (lbfgs, deterministic)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C_VECTORS, max_iter=2000)
    dense = np.nan_to_num(embeddings.astype(np.float64))
    model.fit(dense, training.labels, sample_weight=_balanced(training))
    return LinearModel.from_sklearn(model)


def _default_training() -> tuple[_Training, str]:
    seed = load_seed()
    training = _Training(
        texts=seed.texts,
        labels=np.asarray([_label(k) for k in seed.kinds], dtype=np.int64),
        weights=np.ones(len(seed.texts)),
        embeddings=seed.embeddings,
    )
    digest = kind_model.training_digest(
        training.texts,
        training.labels,
        training.weights,
        training.embeddings,
        (C_SVM, EMBEDDING_SCALE),
    )
    return training, digest


@functools.cache
def _default() -> KindClassifier:
    # The shipped fit when it is current (no scikit-learn import); a fit otherwise.
    training, digest = _default_training()
    return KindClassifier(training, kind_model.read(digest))


def write_default_model() -> Path:
    """Fit the seed classifier afresh and store it as the shipped, precomputed fit."""
    training, digest = _default_training()
    kind_model.write(KindClassifier(training).fitted, digest)
    return kind_model.MODEL
