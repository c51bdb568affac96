"""Feedback kind classification: the shipped classifier, adaptation, and awkward inputs."""

from __future__ import annotations

import numpy as np
import pytest

from productpath.errors import InputError
from productpath.insights.embed import MiniLMEmbedder, ml_available
from productpath.insights.kind import KINDS, UNREADABLE, KindClassifier, KindPrediction
from productpath.insights.kind_features import CUE_NAMES, cue_matrix, normalise, split_title
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


# Found by QA on a fresh workspace: all of these came out as praise.
QA_TEXTS = [
    ("カードはいつ届きますか\uff1f", "question"),
    ("متى تصل البطاقة؟", "question"),
    ("アプリがクラッシュします", "other"),
    ("😡", "other"),
    ("💩", "other"),
]
# Every item of the demo workspace that came out as praise: complaints and requests, every one.
DEMO_COMPLAINTS = [
    "I'm pretty frustrated about a pound charge that keeps  showing up in my account statement. "
    "It's listed in the app as \"pending\", it never changes, and now I'm thinking "
    "someone's hacked my account!",
    "I just topped up, and the app denied it.",
    "I need my card ASAP!",
    "Help!  My card is stolen.",
    "I managed to drunken block my card :(( Help!",
    "Send me my card now! ASAP",
    "I really need to top-up my card today urgently but my card keeps getting declined!! Can you "
    "please resolve this problem or try an alternative",
    "Help! I need to transfer something to China.",
    "Help, I was charged twice!",
    "I am travelling and I was wondering what your exchange rates are",
    "I'm panicking!  I lost my card!  Help!",
    "I need a Visa and a Mastercard from you.",
    "Please explain why my transfer attempt was declined. Thank you.",
    "I used the ATM to get money out and did not realize I would be charged as much as I was or I "
    "would not have done that!",
    "My top-up was reverted by the app.",
    "I was overcharged one extra pound!",
]


def _vectors_or_skip(
    seed: KindClassifier, texts: list[str], use_vectors: bool
) -> np.ndarray | None:
    if not use_vectors:
        return None
    if not (ml_available() and seed.uses_embeddings):
        pytest.skip("needs the ml extra and fresh seed vectors")
    return MiniLMEmbedder().embed(texts)


@pytest.mark.parametrize("use_vectors", [False, True], ids=["text", "text+minilm"])
def test_qa_texts_get_the_kind_they_read_as(seed: KindClassifier, use_vectors: bool) -> None:
    texts = [text for text, _ in QA_TEXTS]
    got = [p.kind for p in seed.predict(texts, _vectors_or_skip(seed, texts, use_vectors))]
    assert got == [kind for _, kind in QA_TEXTS]


# Without MiniLM (no ml extra) the text features alone still call these praise: a closing
# "Thank you", or nothing but words such as "you" and "app" that short praise examples also use.
STILL_PRAISE_WITHOUT_MINILM = {
    "I need a Visa and a Mastercard from you.",
    "Please explain why my transfer attempt was declined. Thank you.",
    "My top-up was reverted by the app.",
}


@pytest.mark.parametrize("use_vectors", [False, True], ids=["text", "text+minilm"])
def test_demo_complaints_are_not_praise(seed: KindClassifier, use_vectors: bool) -> None:
    vectors = _vectors_or_skip(seed, DEMO_COMPLAINTS, use_vectors)
    predictions = seed.predict(DEMO_COMPLAINTS, vectors)
    praised = {
        text for text, p in zip(DEMO_COMPLAINTS, predictions, strict=True) if p.kind == "praise"
    }
    assert praised == (set() if use_vectors else STILL_PRAISE_WITHOUT_MINILM)


@pytest.mark.parametrize("use_vectors", [False, True], ids=["text", "text+minilm"])
def test_fire_emoji_is_praise(seed: KindClassifier, use_vectors: bool) -> None:
    vectors = _vectors_or_skip(seed, ["🔥"], use_vectors)
    assert seed.predict(["🔥"], vectors)[0].kind == "praise"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("the new version is 💯", "praise"), ("👏👏", "praise"), ("🤬", "other"), ("🙄🙄", "other")],
)
def test_emoji_outside_the_seed_examples_are_read(
    seed: KindClassifier, text: str, kind: str
) -> None:
    [got] = seed.predict([text])
    assert got.kind == kind
    assert got != UNREADABLE


@pytest.mark.parametrize(
    "mark", ["?", "\uff1f", "\ufe56", "\u061f", "\u037e", "\u055e", "\u1367", "\u00bf", "\u203d"]
)
def test_question_marks_of_other_scripts_flag_a_question(mark: str) -> None:
    column = CUE_NAMES.index("question_mark_title")
    flags = cue_matrix([f"word{mark} rest", "no mark here;"])
    assert flags[0, column] == 1.0
    assert flags[1, column] == 0.0


@pytest.mark.parametrize(
    ("own_mark", "ascii_mark"),
    [
        ("カードはいつ届きますか\uff1f", "カードはいつ届きますか?"),
        ("متى تصل البطاقة؟", "متى تصل البطاقة?"),
    ],
)
def test_a_scripts_own_question_mark_reads_like_the_ascii_one(
    seed: KindClassifier, own_mark: str, ascii_mark: str
) -> None:
    assert [p.kind for p in seed.predict([own_mark, ascii_mark])] == ["question", "question"]


@pytest.mark.parametrize(
    "text", ["アプリがクラッシュします", "这个应用很好用", "🙂🙂🙂", "", "\x00\x01"]
)
def test_text_sharing_nothing_with_training_is_other_at_guess_confidence(
    seed: KindClassifier, text: str
) -> None:
    vectors = np.full((1, 384 if seed.uses_embeddings else 8), 384**-0.5, dtype=np.float32)
    assert seed.predict([text]) == [UNREADABLE]
    assert seed.predict([text], vectors) == [UNREADABLE]
    assert UNREADABLE.kind == "other"
    assert UNREADABLE.confidence == pytest.approx(1 / len(KINDS))


def test_workspace_examples_make_a_script_readable(seed: KindClassifier) -> None:
    texts = [f"アプリがクラッシュします {n}" for n in range(10)]
    adapted = seed.with_examples(texts, ["bug"] * len(texts))
    assert adapted.predict(["アプリがクラッシュします"])[0].kind == "bug"


def test_praise_that_reads_negative_goes_to_the_runner_up(seed: KindClassifier) -> None:
    # A workspace that (wrongly) labels grumbling as praise: the model learns to say praise,
    # and the sentiment check still refuses it.
    grumbles = [f"the statement is wrong again, terrible, number {n}" for n in range(30)]
    adapted = seed.with_examples(grumbles, ["praise"] * len(grumbles))
    neutral_twin = "the statement shows again, number 99"
    [negative, neutral] = adapted.predict(["the statement is wrong again, terrible", neutral_twin])
    assert neutral.kind == "praise"
    assert negative.kind != "praise"
    assert 1 / (len(KINDS) - 1) <= negative.confidence <= 1.0


def test_adapted_classifier_blends_a_vector_model(monkeypatch: pytest.MonkeyPatch) -> None:
    # Synthetic workspace: the same words everywhere, two kinds told apart only by their vectors.
    from productpath.insights import kind

    seed = KindClassifier.default()
    if not seed.uses_embeddings:
        pytest.skip("the shipped seed vectors are stale")
    rng = np.random.default_rng(11)
    bugs, wishes = rng.normal(size=(2, 384)).astype(np.float32)

    def around(centre: np.ndarray, count: int) -> np.ndarray:
        rows = centre + 0.3 * rng.normal(size=(count, 384)).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    texts = [f"ticket {i} about the roster" for i in range(40)]
    vectors = np.vstack([around(bugs, 20), around(wishes, 20)])
    labels = ["bug"] * 20 + ["feature_request"] * 20
    adapted = seed.with_examples(texts, labels, vectors)
    assert seed.fitted.vector_model is None
    assert seed.with_examples(texts, labels).fitted.vector_model is None
    assert adapted.fitted.vector_model is not None
    probes = np.vstack([around(bugs, 1), around(wishes, 1)])
    got = adapted.predict(["ticket 99 about the roster"] * 2, probes)
    assert [p.kind for p in got] == ["bug", "feature_request"]
    # The vector model's vote is in the confidence: without it the joint model alone speaks.
    monkeypatch.setattr(kind, "VECTOR_SHARE", 0.0)
    alone = adapted.predict(["ticket 99 about the roster"] * 2, probes)
    assert [p.confidence for p in alone] != pytest.approx([p.confidence for p in got])
    # Past VECTOR_SHARE_ITEMS labelled items the vector model's share fades: 40 items against a
    # fade from 4 on give it a tenth of its share, between the even blend and the SVM alone.
    monkeypatch.setattr(kind, "VECTOR_SHARE", 0.5)
    monkeypatch.setattr(kind, "VECTOR_SHARE_ITEMS", 4)
    faded = adapted.predict(["ticket 99 about the roster"] * 2, probes)
    for low, mid, high in zip(alone, faded, got, strict=True):
        assert min(low.confidence, high.confidence) < mid.confidence
        assert mid.confidence < max(low.confidence, high.confidence)
