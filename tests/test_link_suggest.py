"""suggest-links proposes only what shares words with the initiative, above a measured threshold."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from productpath.insights import embed
from productpath.insights.link_suggest import THRESHOLDS, propose, theme_side

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))

from bench_suggest_links import measure, prepare


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_a_close_theme_without_a_shared_word_is_not_proposed() -> None:
    themes = [
        theme_side(unit(1, 0.1), ["Private key", "ssh private key printed in the ci log"]),
        theme_side(unit(0.9, 0.4), ["Unreadable assertion diff", "the failure diff is unreadable"]),
    ]
    text = "Clearer failure reports. Assertion failures show a readable diff."
    found = propose([text], np.stack([unit(1, 0.1)]), themes, threshold=0.5)
    assert [(p.theme, p.shared) for p in found] == [(1, ("assertion", "diff", "failure"))]
    assert found[0].reason == "similarity 0.95; both say 'assertion', 'diff', 'failure'"


@pytest.mark.parametrize("name", [embed.HASHING_NAME, embed.MINILM_NAME])
def test_the_threshold_keeps_precision_on_the_labelled_set(name: str) -> None:
    if name == embed.MINILM_NAME and not embed.ml_available():
        pytest.skip("the ml extra is not installed")
    embedder = embed.HashingEmbedder() if name == embed.HASHING_NAME else embed.MiniLMEmbedder()
    precision, recall, proposed = measure(prepare(embedder), THRESHOLDS[name], shared_words=True)
    assert precision is not None and precision >= 0.8
    assert recall is not None and recall >= 0.9
    assert proposed >= 14
