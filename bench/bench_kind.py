"""How well feedback kinds are predicted: GitHub issues, informal feedback, and sentiment.

python bench/bench_kind.py [--no-embeddings] [--dataset PATH]

* issue-reports (1,500 GitHub issues, bug / feature / question, 5 repositories): a fixed split,
  stratified by repository and label, holds back 50 %; macro-F1 over the three labels on the
  held-back half for the shipped classifier (seed examples only) and for the classifier adapted
  with the training half through ``with_examples`` (the "user's labelled examples"); then a
  second protocol, 5-fold cross-validation over all 1,500 (every issue held back once, the
  shipped classifier adapted with the other 80 %); and leave-one-repository-out. The dataset
  has no license: it is read here, never shipped.
* bench/kind_data/informal_eval.jsonl: 175 short app reviews and support messages written for
  this project, kept apart from the seed examples; macro-F1 over the five kinds.
* BANKING77 test messages: the share predicted as each kind (most are questions).
* bench/kind_data/sentiment_eval.jsonl: sign accuracy of ``score_sentiment`` against plain VADER.

The baseline is logistic regression on MiniLM embeddings alone. MiniLM vectors are cached under
bench/.cache/ keyed by a digest of the texts.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from productpath.insights.kind import KINDS, KindClassifier
from productpath.insights.sentiment import score_sentiment

HERE = Path(__file__).resolve().parent
DATASETS = HERE.parent.parent / "shared" / "datasets"
ISSUES = DATASETS / "issue-reports" / "issues_train.csv"
BANKING = DATASETS / "banking77" / "test.csv"
INFORMAL = HERE / "kind_data" / "informal_eval.jsonl"
SENTIMENT = HERE / "kind_data" / "sentiment_eval.jsonl"
CACHE = HERE / ".cache"
ISSUE_KINDS = ["bug", "feature_request", "question"]
SPLIT_SEED = 20240515


def issue_text(title: str, body: str) -> str:
    # The title becomes the first line, which the classifier reads as the subject.
    return f"{title.strip()}\n{body.strip()}"


def read_issues(path: Path) -> tuple[list[str], list[str], list[str]]:
    csv.field_size_limit(sys.maxsize)
    texts, kinds, repos = [], [], []
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            texts.append(issue_text(row["title"], row["body"]))
            kinds.append("feature_request" if row["label"] == "feature" else row["label"])
            repos.append(row["repo"])
    return texts, kinds, repos


def read_jsonl(path: Path, field: str) -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r["text"] for r in rows], [r[field] for r in rows]


def split(kinds: Sequence[str], repos: Sequence[str]) -> NDArray[np.bool_]:
    """True for the training half: every (repository, label) group split in two at random."""
    rng = np.random.default_rng(SPLIT_SEED)
    train = np.zeros(len(kinds), dtype=bool)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(repos, kinds, strict=True)):
        groups.setdefault(key, []).append(i)
    for _key, members in sorted(groups.items()):
        chosen = rng.permutation(members)[: len(members) // 2]
        train[chosen] = True
    return train


def embed(texts: Sequence[str], name: str) -> NDArray[np.float32] | None:
    from productpath.insights.embed import MiniLMEmbedder, ml_available

    if not ml_available():
        return None
    key = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"kind-{name}-{key}.npy"
    if path.exists():
        return np.asarray(np.load(path), dtype=np.float32)
    vectors = MiniLMEmbedder().embed(list(texts))
    CACHE.mkdir(exist_ok=True)
    np.save(path, vectors)
    return vectors


def take(
    vectors: NDArray[np.float32] | None, mask: NDArray[np.bool_]
) -> NDArray[np.float32] | None:
    return None if vectors is None else vectors[mask]


def predict(
    model: KindClassifier, texts: Sequence[str], vectors: NDArray[np.float32] | None
) -> list[str]:
    return [p.kind for p in model.predict(texts, vectors)]


def macro(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    return float(f1_score(truth, predicted, labels=list(labels), average="macro", zero_division=0))


def per_class(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> str:
    scores = f1_score(truth, predicted, labels=list(labels), average=None, zero_division=0)
    return " ".join(f"{label}={score:.2f}" for label, score in zip(labels, scores, strict=True))


def report(
    name: str, truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> None:
    score = macro(truth, predicted, labels)
    print(f"{name:<44} {score:>8.3f}   {per_class(truth, predicted, labels)}")


def issues_bench(use_vectors: bool) -> KindClassifier | None:
    if not ISSUES.exists():
        print("issue-reports dataset not found; skipped")
        return None
    texts, kinds, repos = read_issues(ISSUES)
    vectors = embed(texts, "issues") if use_vectors else None
    train = split(kinds, repos)
    test = ~train
    text_array = np.asarray(texts, dtype=object)
    kind_array = np.asarray(kinds, dtype=object)
    tr_texts, te_texts = list(text_array[train]), list(text_array[test])
    tr_kinds, te_kinds = list(kind_array[train]), list(kind_array[test])
    seed = KindClassifier.default()
    print(f"\nissue-reports: {train.sum()} train, {test.sum()} held back (macro-F1 over 3 labels)")
    print(f"{'model':<44} {'macro-F1':>8}   per class")
    report("seed only, text features", te_kinds, predict(seed, te_texts, None), ISSUE_KINDS)
    if vectors is not None:
        report(
            "seed only, text + MiniLM",
            te_kinds,
            predict(seed, te_texts, take(vectors, test)),
            ISSUE_KINDS,
        )
    began = time.perf_counter()
    adapted_text = seed.with_examples(tr_texts, tr_kinds)
    fit_seconds = time.perf_counter() - began
    report(
        "seed + train half, text features",
        te_kinds,
        predict(adapted_text, te_texts, None),
        ISSUE_KINDS,
    )
    adapted = adapted_text
    if vectors is not None:
        adapted = seed.with_examples(tr_texts, tr_kinds, take(vectors, train))
        report(
            "seed + train half, text + MiniLM",
            te_kinds,
            predict(adapted, te_texts, take(vectors, test)),
            ISSUE_KINDS,
        )
        baseline = LogisticRegression(max_iter=2000, class_weight="balanced")
        baseline.fit(vectors[train], tr_kinds)
        report(
            "baseline: LR on MiniLM, train half",
            te_kinds,
            list(baseline.predict(vectors[test])),
            ISSUE_KINDS,
        )
    print(f"(with_examples on {train.sum()} issues took {fit_seconds:.1f} s)")
    features = "text + MiniLM" if vectors is not None else "text features"
    cross_validation(seed, texts, kinds, repos, vectors, features)
    print(f"\nleave one repository out (seed + the other 4 repositories, {features})")
    scores = []
    for repo in sorted(set(repos)):
        inside = np.asarray([r == repo for r in repos])
        model = seed.with_examples(
            list(text_array[~inside]), list(kind_array[~inside]), take(vectors, ~inside)
        )
        got = predict(model, list(text_array[inside]), take(vectors, inside))
        scores.append(macro(list(kind_array[inside]), got, ISSUE_KINDS))
        print(f"  {repo:<42} {scores[-1]:>8.3f}")
    print(f"  {'mean':<42} {np.mean(scores):>8.3f}")
    return adapted


def cross_validation(
    seed: KindClassifier,
    texts: Sequence[str],
    kinds: Sequence[str],
    repos: Sequence[str],
    vectors: NDArray[np.float32] | None,
    features: str,
) -> None:
    """Second protocol: 5 folds stratified by repository and label, each issue held back once."""
    groups = [f"{repo}|{kind}" for repo, kind in zip(repos, kinds, strict=True)]
    folds = StratifiedKFold(5, shuffle=True, random_state=SPLIT_SEED)
    text_array = np.asarray(texts, dtype=object)
    kind_array = np.asarray(kinds, dtype=object)
    got = np.empty(len(texts), dtype=object)
    scores = []
    for fit_rows, _ in folds.split(np.zeros(len(texts)), groups):
        fit = np.zeros(len(texts), dtype=bool)
        fit[fit_rows] = True
        held = ~fit
        model = seed.with_examples(list(text_array[fit]), list(kind_array[fit]), take(vectors, fit))
        got[held] = predict(model, list(text_array[held]), take(vectors, held))
        scores.append(macro(list(kind_array[held]), list(got[held]), ISSUE_KINDS))
    print(f"\n5-fold cross-validation over all {len(texts)} (seed + the other 80 %, {features})")
    print(f"  folds: {' '.join(f'{s:.3f}' for s in scores)}; mean {np.mean(scores):.3f}")
    report("  all folds' predictions pooled", kinds, list(got), ISSUE_KINDS)


def informal_bench(adapted: KindClassifier | None, use_vectors: bool) -> None:
    texts, kinds = read_jsonl(INFORMAL, "kind")
    vectors = embed(texts, "informal") if use_vectors else None
    print(f"\ninformal set: {len(texts)} texts written for this project (macro-F1 over 5 kinds)")
    seed = KindClassifier.default()
    report("seed only, text features", kinds, predict(seed, texts, None), KINDS)
    if vectors is not None:
        report("seed only, text + MiniLM", kinds, predict(seed, texts, vectors), KINDS)
    if adapted is not None:
        report(
            "seed + issue train half (same model as above)",
            kinds,
            predict(adapted, texts, vectors),
            KINDS,
        )


def banking_bench(use_vectors: bool) -> None:
    if not BANKING.exists():
        return
    with BANKING.open(encoding="utf-8", newline="") as stream:
        texts = [row["text"] for row in csv.DictReader(stream)]
    vectors = embed(texts, "banking-test") if use_vectors else None
    counts = Counter(predict(KindClassifier.default(), texts, vectors))
    shares = " ".join(f"{k}={counts[k] / len(texts):.0%}" for k in KINDS)
    print(f"\nBANKING77 test ({len(texts)} support messages), seed classifier: {shares}")


def sentiment_bench() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts, labels = read_jsonl(SENTIMENT, "sentiment")
    truth = [int(x) for x in labels]
    vader = SentimentIntensityAnalyzer()
    plain = [float(vader.polarity_scores(t)["compound"]) for t in texts]
    ours = score_sentiment(texts)

    def sign(score: float) -> int:
        # VADER's own convention for its compound score.
        return 1 if score >= 0.05 else -1 if score <= -0.05 else 0

    print(f"\nsentiment: {len(texts)} hand-labelled texts (-1 / 0 / 1)")
    print(f"{'scorer':<20} {'accuracy':>8} {'macro-F1':>8}")
    for name, scores in (("VADER (floor)", plain), ("productpath", ours)):
        signs = [sign(s) for s in scores]
        accuracy = float(np.mean([a == b for a, b in zip(signs, truth, strict=True)]))
        f1 = float(f1_score(truth, signs, average="macro"))
        print(f"{name:<20} {accuracy:>8.3f} {f1:>8.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-embeddings", action="store_true", help="text features only")
    args = parser.parse_args()
    use_vectors = not args.no_embeddings
    adapted = issues_bench(use_vectors)
    informal_bench(adapted, use_vectors)
    banking_bench(use_vectors)
    sentiment_bench()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
