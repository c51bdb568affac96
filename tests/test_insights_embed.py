"""Embedders: the hashing fallback always; MiniLM once, on a few texts, when installed."""

from __future__ import annotations

import numpy as np
import pytest

from productpath.insights.embed import HashingEmbedder, MiniLMEmbedder, ml_available, unit_rows

TEXTS = [
    "My card was declined at the shop",
    "card declined when paying at a shop",
    "How do I change my PIN?",
    "",
    "😀😀😀",
    "Ich möchte meine Karte sperren",
    "a" * 10_000,
]


def test_hashing_vectors_are_unit_deterministic_and_meaningful() -> None:
    embedder = HashingEmbedder()
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), embedder.dim) and vectors.dtype == np.float32
    norms = np.linalg.norm(vectors, axis=1)
    assert np.allclose(norms[[0, 1, 2, 5, 6]], 1.0, atol=1e-5)
    assert norms[3] == 0  # an empty text has no words: a zero row, not NaN
    assert np.array_equal(vectors, HashingEmbedder().embed(TEXTS))
    # Independent of the batch it is in: a cache keyed by text must hold.
    assert np.allclose(embedder.embed(TEXTS[2:3])[0], vectors[2])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_progress_and_empty() -> None:
    seen: list[int] = []
    assert HashingEmbedder().embed([], seen.append).shape == (0, 256)
    HashingEmbedder().embed(TEXTS, seen.append)
    assert seen[-1] == len(TEXTS)


def test_unit_rows_keeps_zero_rows() -> None:
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]])


@pytest.mark.skipif(not ml_available(), reason="the ml extra is not installed")
def test_minilm_on_a_few_texts() -> None:
    texts = TEXTS + [f"I was charged twice for order {i}" for i in range(13)]
    vectors = MiniLMEmbedder().embed(texts)
    assert vectors.shape == (20, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
