"""Feedback kind classification: the shipped classifier, adaptation, and awkward inputs."""

from __future__ import annotations

import numpy as np
import pytest

from productpath.errors import InputError
from productpath.insights.kind import KINDS, KindClassifier, KindPrediction
from productpath.insights.kind_features import normalise, split_title
from productpath.insights.kind_seed import EXAMPLES, VECTORS, digest, load_seed, read_examples

CLEAR = [
    ("app crashes when I open it!!", "bug"),
    ("the app keeps freezing on the payment screen", "bug"),
    ("pls add dark mode", "feature_request"),
    ("it would be great to export my history as a spreadsheet", "feature_request"),
    ("how do I change my pin?", "question"),
    ("Where can I see my old invoices?", "question"),
    ("love the new update", "praise"),
    ("Thank you, the support team was brilliant!", "praise"),
    ("hi", "other"),
]


@pytest.fixture(scope="module")
def seed() -> KindClassifier:
    return KindClassifier.default()


def test_clear_informal_examples(seed: KindClassifier) -> None:
    texts = [text for text, _ in CLEAR]
    got = [p.kind for p in seed.predict(texts)]
    assert got == [kind for _, kind in CLEAR]


def test_predictions_are_known_kinds_with_confidence_in_range(seed: KindClassifier) -> None:
    predictions = seed.predict([text for text, _ in CLEAR])
    assert all(isinstance(p, KindPrediction) for p in predictions)
    assert {p.kind for p in predictions} <= set(KINDS)
    assert all(0.0 <= p.confidence <= 1.0 for p in predictions)
    # Top-class probability of a five-way model can never be below a fifth.
    assert all(p.confidence >= 0.2 for p in predictions)


def test_default_is_cached(seed: KindClassifier) -> None:
    assert KindClassifier.default() is seed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n ",
        "🙂🙂🙂",
        "x" * 10_000,
        "word " * 2_000,
        "这个应用很好用",
        "¿Dónde está?",
        "\x00\x01",
    ],
)
def test_edge_inputs(seed: KindClassifier, text: str) -> None:
    [prediction] = seed.predict([text])
    assert prediction.kind in KINDS
    assert 0.0 <= prediction.confidence <= 1.0


def test_empty_batch(seed: KindClassifier) -> None:
    assert seed.predict([]) == []


def test_single_item_matches_batch(seed: KindClassifier) -> None:
    texts = [text for text, _ in CLEAR]
    batch = seed.predict(texts)
    assert [seed.predict([t])[0] for t in texts] == batch


def test_deterministic(seed: KindClassifier) -> None:
    texts = [text for text, _ in CLEAR]
    fresh = KindClassifier.default().with_examples(["a thing"], ["other"])
    again = KindClassifier.default().with_examples(["a thing"], ["other"])
    assert fresh.predict(texts) == again.predict(texts)


def test_with_examples_changes_predictions(seed: KindClassifier) -> None:
    # A workspace where "ticket about the roster" means a feature request, in its own words.
    jargon = [f"roster ticket number {i}: the shift grid" for i in range(12)]
    probe = "roster ticket: shift grid"
    before = seed.predict([probe])[0]
    adapted = seed.with_examples(jargon, ["feature_request"] * len(jargon))
    after = adapted.predict([probe])[0]
    assert before.kind != "feature_request"
    assert after.kind == "feature_request"
    # The original is untouched: with_examples returns a new classifier.
    assert seed.predict([probe])[0] == before


def test_with_examples_rejects_unknown_kind(seed: KindClassifier) -> None:
    with pytest.raises(InputError, match="unknown kind 'feature'"):
        seed.with_examples(["add a thing"], ["feature"])


def test_with_examples_rejects_mismatched_lengths(seed: KindClassifier) -> None:
    with pytest.raises(ValueError, match="2 texts but 1 kinds"):
        seed.with_examples(["a", "b"], ["bug"])


def test_embeddings_path_with_small_random_vectors(seed: KindClassifier) -> None:
    rng = np.random.default_rng(7)
    texts = [text for text, _ in CLEAR]
    dim = 384 if seed.uses_embeddings else 8
    vectors = rng.normal(size=(len(texts), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    predictions = seed.predict(texts, vectors)
    assert len(predictions) == len(texts)
    assert all(p.kind in KINDS and 0.0 <= p.confidence <= 1.0 for p in predictions)


def test_embeddings_of_another_size_fall_back_to_text(seed: KindClassifier) -> None:
    # e.g. the 256-d hashing embedder's vectors when the ml extra is missing
    texts = [text for text, _ in CLEAR]
    vectors = np.ones((len(texts), 256), dtype=np.float32) / 16.0
    assert seed.predict(texts, vectors) == seed.predict(texts)


def test_embeddings_row_count_must_match(seed: KindClassifier) -> None:
    with pytest.raises(ValueError, match="embedding rows"):
        seed.predict(["a", "b"], np.zeros((1, 384), dtype=np.float32))


def test_examples_adapted_with_embeddings_use_them() -> None:
    seed = KindClassifier.default()
    if not seed.uses_embeddings:
        pytest.skip("the shipped seed vectors are stale")
    rng = np.random.default_rng(3)
    direction = rng.normal(size=384).astype(np.float32)
    direction /= np.linalg.norm(direction)
    texts = [f"item {i}" for i in range(20)]
    vectors = np.tile(direction, (20, 1))
    adapted = seed.with_examples(texts, ["praise"] * 20, vectors)
    assert adapted.uses_embeddings
    assert not seed.with_examples(texts, ["praise"] * 20).uses_embeddings
    [got] = adapted.predict(["item 99"], direction[None, :])
    assert got.kind == "praise"


def test_seed_examples_cover_every_kind() -> None:
    texts, kinds = read_examples(EXAMPLES)
    assert set(kinds) == set(KINDS)
    assert min(kinds.count(k) for k in KINDS) >= 30
    assert len(set(texts)) == len(texts)


def test_shipped_seed_vectors_match_the_examples() -> None:
    # Fails when the examples were edited without `python -m productpath.insights.kind_seed`.
    texts, _ = read_examples(EXAMPLES)
    with np.load(VECTORS) as stored:
        assert str(stored["digest"]) == digest(texts)
        assert stored["vectors"].shape == (len(texts), 384)
    seed = load_seed()
    assert seed.embeddings is not None
    norms = np.linalg.norm(seed.embeddings, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-2)


def test_normalise_replaces_code_traces_and_links() -> None:
    text = (
        "Crash in 2.3.1\nsee https://example.org/x\n```\ncode here\n```\n"
        'Traceback (most recent call last)\n  File "a.py", line 3, in f'
    )
    clean = normalise(text)
    for placeholder in ("zzversion", "zzurl", "zzcodeblock", "zztraceline"):
        assert placeholder in clean
    assert "example.org" not in clean and "code here" not in clean


def test_split_title() -> None:
    assert split_title("\n  Subject line \nbody\nmore") == ("Subject line", "body\nmore")
    assert split_title("") == ("", "")
