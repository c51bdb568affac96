"""The kind classifier's precomputed path gives a fresh fit's outputs, without scikit-learn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from helpers import loaded_by
from productpath.insights import kind, kind_model
from productpath.insights.kind_model import Tfidf

TEXTS = [
    "The app crashes when I open settings",
    "Please add   dark mode!!\tand a widget",
    "",
    "a b c I",
    "How do I export my data? 🙂 ça marche",
    "Ich möchte meine Karte sperren",
    "zzcodeblock zztraceline error at line 12 of main.py",
    "x",
    "Love it, love it, LOVE it",
]
PROBES = [
    "The app crashes on startup",
    "Could you add an export to CSV?",
    "How do I reset my password?",
    "Great app, thank you!",
    "meh",
    "😡😡",
    "",
]


@pytest.mark.parametrize(
    "settings",
    [
        {"ngram_range": (1, 2)},
        {"ngram_range": (1, 1)},
        {"analyzer": "char_wb", "ngram_range": (2, 5)},
        {"analyzer": "char_wb", "ngram_range": (3, 3)},
    ],
)
def test_tfidf_transform_is_scikit_learns(settings: dict[str, object]) -> None:
    fitted = TfidfVectorizer(sublinear_tf=True, min_df=1, **settings).fit(TEXTS[:6])  # type: ignore[arg-type]
    ours = Tfidf.from_sklearn(fitted).transform(TEXTS)
    theirs = fitted.transform(TEXTS)
    assert ours.shape == theirs.shape
    assert abs(ours - theirs).max() <= 1e-12
    assert np.array_equal(ours.getnnz(axis=1), theirs.getnnz(axis=1))


def _vectors(count: int) -> np.ndarray:
    rows = np.random.default_rng(7).normal(size=(count, 384)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_shipped_fit_matches_a_fresh_fit() -> None:
    training, digest = kind._default_training()
    shipped = kind_model.read(digest)
    assert shipped is not None, "data/kind_model.npz is stale: python tools/write_kind_model.py"
    fresh = kind.KindClassifier(training)
    stored = kind.KindClassifier(training, shipped)
    for name in ("words", "title_words", "title_chars"):
        assert getattr(shipped, name).vocabulary == getattr(fresh.fitted, name).vocabulary
        assert np.array_equal(getattr(shipped, name).idf, getattr(fresh.fitted, name).idf)
    assert fresh.fitted.joint_model is not None and shipped.joint_model is not None
    assert np.allclose(shipped.text_model.coef, fresh.fitted.text_model.coef, atol=1e-12)
    assert np.allclose(shipped.joint_model.coef, fresh.fitted.joint_model.coef, atol=1e-12)
    for vectors in (None, _vectors(len(PROBES))):
        assert stored.predict(PROBES, vectors) == fresh.predict(PROBES, vectors)


def test_a_stale_or_missing_file_is_ignored(tmp_path: Path) -> None:
    training, digest = kind._default_training()
    path = tmp_path / "kind_model.npz"
    assert kind_model.read(digest, path) is None
    kind_model.write(kind.KindClassifier(training).fitted, digest, path)
    assert kind_model.read(digest, path) is not None
    assert kind_model.read("another digest", path) is None


def test_predicting_with_the_shipped_fit_does_not_import_scikit_learn() -> None:
    code = (
        "from productpath.insights.kind import KindClassifier\n"
        "KindClassifier.default().predict(['the app crashes', 'love it'])"
    )
    assert loaded_by(code, ["sklearn"]) == []
