"""MiniLM's NumPy forward pass gives sentence-transformers' vectors, without torch.

The reference vectors in tests/data/minilm_reference.npz were computed once by
sentence-transformers (bench/make_minilm_reference.py); this test needs neither it nor torch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import loaded_by
from productpath.insights import minilm
from productpath.insights.embed import MINILM_NAME, MiniLMEmbedder, ml_available

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"

pytestmark = pytest.mark.skipif(not ml_available(), reason="the ml extra is not installed")


def test_vectors_match_sentence_transformers() -> None:
    reference = np.load(REFERENCE)
    texts = [str(text) for text in reference["texts"]]
    expected = reference["vectors"].astype(np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    vectors = MiniLMEmbedder().embed(texts)
    assert vectors.shape == expected.shape and vectors.dtype == np.float32
    cosines = np.sum(vectors * expected, axis=1)
    assert cosines.min() >= 0.9999, [texts[i][:60] for i in np.argsort(cosines)[:3]]
    # The cache keeps sentence-transformers' name: its cached vectors are these vectors.
    assert MiniLMEmbedder.name == MINILM_NAME == "all-MiniLM-L6-v2"


def test_embedding_does_not_import_torch() -> None:
    code = (
        "from productpath.insights.embed import MiniLMEmbedder\n"
        "MiniLMEmbedder().embed(['my card was declined'])"
    )
    assert loaded_by(code, ["torch", "sentence_transformers", "transformers"]) == []


def test_a_texts_vector_does_not_depend_on_its_batch() -> None:
    # The embedding cache stores one vector per text, whichever batch computed it.
    longer = [f"refund {'please ' * i}for order {i}" for i in range(40)]
    texts = ["How do I change my PIN?", *longer]
    together = MiniLMEmbedder().embed(texts)
    alone = MiniLMEmbedder().embed(texts[:1])
    assert np.allclose(together[0], alone[0], atol=1e-5)


def test_batches_cover_every_text_once_within_the_budget() -> None:
    lengths = [5, 300, 12, 12, 40, 7, 256, 3] * 40
    batches = minilm.plan_batches(lengths)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        assert len(batch) == 1 or len(batch) * longest <= minilm.TOKENS_PER_BATCH
        assert len(batch) <= minilm.MAX_TEXTS_PER_BATCH


def test_gelu_is_exact_to_float32() -> None:
    from scipy.special import erf

    x = np.linspace(-10, 10, 100_001, dtype=np.float32)
    exact = x.astype(np.float64) * 0.5 * (1 + erf(x.astype(np.float64) / np.sqrt(2)))
    assert np.abs(minilm._gelu(x.copy()) - exact).max() < 1e-6


def test_a_malformed_thread_count_is_said_in_one_line() -> None:
    """PRODUCTPATH_EMBED_THREADS (docs/deployment.md) is read when MiniLM is imported: a value
    that is not a whole number is a workspace error naming the setting (one line for the CLI,
    the job's message for a worker), not a ValueError from int()."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PRODUCTPATH_EMBED_THREADS": "two"}
    probe = "import productpath.insights.minilm"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "WorkspaceError: PRODUCTPATH_EMBED_THREADS" in done.stderr and "'two'" in done.stderr
    env["PRODUCTPATH_EMBED_THREADS"] = "3"
    probe += "; print(productpath.insights.minilm.WORKERS)"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "3"
