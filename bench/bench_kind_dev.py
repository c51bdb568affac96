"""Where the kind classifier's settings for labelled workspaces were chosen: a development split.

python bench/bench_kind_dev.py [--share 0.2] [--seeds 5] [VARIANT ...]

The workspace is the *training half* of bench_kind's fixed split of issue-reports (750 issues);
``--share`` of it, sampled within every (repository, label) group, carries a label, and the
score is macro-F1 over bug / feature / question on the rest of that half, mean of ``--seeds``
samples. The held-back half, which bench_kind.py and bench_kind_labels.py report on, is never
read here. Variants (all on top of the shipped seed examples):

* ``shipped``: ``with_examples`` and ``predict`` as ``insights run`` uses them;
* ``svm``: the joint SVM alone (the classifier before the vector model's blend);
* ``user-weight-5``: the workspace's examples weigh 5 instead of 2;
* ``self-training``: the most confident half of each predicted kind added back as examples at
  weight 0.5, then a second fit;
* ``spreading``: the predictions smoothed over a 10-nearest-neighbour graph of the vectors,
  labelled items clamped (alpha 0.5);
* ``prior``: the predicted shares of the unlabelled items matched to the labelled items' shares
  by a per-kind bias on the log-probabilities.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_kind import ISSUE_KINDS, ISSUES, embed, macro, read_issues, split
from bench_kind_labels import labelled_sample

from productpath.insights import kind
from productpath.insights.kind import KINDS, KindClassifier
from productpath.insights.kind_features import text_matrix

Vectors = NDArray[np.float32]
Variant = Callable[[list[str], list[str], Vectors, list[str], Vectors], NDArray[np.float64]]


def adapted(texts: list[str], kinds: list[str], vectors: Vectors) -> KindClassifier:
    seed = KindClassifier.default()
    return seed.with_examples(texts, kinds, vectors) if texts else seed


def shipped(
    lt: list[str], ly: list[str], lv: Vectors, ut: list[str], uv: Vectors
) -> NDArray[np.float64]:
    out = np.zeros((len(ut), len(KINDS)))
    for i, p in enumerate(adapted(lt, ly, lv).predict(ut, uv)):
        out[i, KINDS.index(p.kind)] = p.confidence
    return out


def svm(
    lt: list[str], ly: list[str], lv: Vectors, ut: list[str], uv: Vectors
) -> NDArray[np.float64]:
    model = adapted(lt, ly, lv)
    classes, margins = model._margins(text_matrix(model._vectorisers, ut), uv)
    out = np.zeros((len(ut), len(KINDS)))
    out[:, classes] = kind._softmax(margins * kind.MARGIN_SHARPNESS)
    return out


def user_weight_5(*args: object) -> NDArray[np.float64]:
    old, kind.USER_WEIGHT = kind.USER_WEIGHT, 5.0
    try:
        return shipped(*args)  # type: ignore[arg-type]
    finally:
        kind.USER_WEIGHT = old


def self_training(
    lt: list[str], ly: list[str], lv: Vectors, ut: list[str], uv: Vectors
) -> NDArray[np.float64]:
    first = shipped(lt, ly, lv, ut, uv)
    best, sure = first.argmax(1), first.max(1)
    keep: list[int] = []
    for label in np.unique(best):
        rows = np.flatnonzero(best == label)
        keep.extend(rows[np.argsort(-sure[rows])][: max(1, len(rows) // 2)].tolist())
    old, kind.USER_WEIGHT = kind.USER_WEIGHT, 0.5
    try:
        model = adapted(lt, ly, lv).with_examples(
            [ut[i] for i in keep], [KINDS[best[i]] for i in keep], uv[keep]
        )
    finally:
        kind.USER_WEIGHT = old
    out = np.zeros((len(ut), len(KINDS)))
    for i, p in enumerate(model.predict(ut, uv)):
        out[i, KINDS.index(p.kind)] = 1.0
    return out


def spreading(
    lt: list[str], ly: list[str], lv: Vectors, ut: list[str], uv: Vectors
) -> NDArray[np.float64]:
    start = svm(lt, ly, lv, ut, uv)
    points = np.vstack([uv, lv])
    onehot = np.zeros((len(ly), len(KINDS)))
    onehot[np.arange(len(ly)), [KINDS.index(k) for k in ly]] = 1.0
    similar = points @ points.T
    np.fill_diagonal(similar, -1.0)
    near = np.argsort(-similar, axis=1)[:, :10]
    weights = np.take_along_axis(similar, near, 1).clip(0)
    weights /= weights.sum(1, keepdims=True) + 1e-9
    prior = np.vstack([start, onehot])
    spread = prior.copy()
    for _ in range(10):
        spread = 0.5 * prior + 0.5 * (weights[:, :, None] * spread[near]).sum(1)
        spread[len(ut) :] = onehot
    return spread[: len(ut)]


def prior(
    lt: list[str], ly: list[str], lv: Vectors, ut: list[str], uv: Vectors
) -> NDArray[np.float64]:
    probabilities = svm(lt, ly, lv, ut, uv)
    target = np.array([ly.count(k) for k in KINDS], dtype=np.float64) + 1e-3
    target /= target.sum()
    logs = np.log(probabilities + 1e-12)
    bias = np.zeros(len(KINDS))
    for _ in range(50):
        shifted = np.exp(logs + bias)
        shifted /= shifted.sum(1, keepdims=True)
        bias += 0.5 * (np.log(target) - np.log(shifted.mean(0) + 1e-12))
    return logs + bias


VARIANTS: dict[str, Variant] = {
    "shipped": shipped,
    "svm": svm,
    "user-weight-5": user_weight_5,
    "self-training": self_training,
    "spreading": spreading,
    "prior": prior,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", help=f"any of {', '.join(VARIANTS)} (default all)")
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    unknown = sorted(set(args.variants) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)}")
    texts, kinds, repos = read_issues(ISSUES)
    vectors = embed(texts, "issues")
    if vectors is None:
        print("needs the ml extra (MiniLM vectors)")
        return 1
    rows = np.flatnonzero(split(kinds, repos))
    t = [texts[i] for i in rows]
    y = [kinds[i] for i in rows]
    r = [repos[i] for i in rows]
    v = vectors[rows]
    print(
        f"dev: training half ({len(rows)} issues), {args.share:.0%} labelled, {args.seeds} samples"
    )
    print(f"{'variant':<16} {'macro-F1':>8}  per sample                      CPU s")
    for name in args.variants or list(VARIANTS):
        tic = time.process_time()
        scores = []
        for seed in range(args.seeds if args.share > 0 else 1):
            labelled = labelled_sample(y, r, args.share, seed)
            li, ui = np.flatnonzero(labelled), np.flatnonzero(~labelled)
            got = VARIANTS[name](
                [t[i] for i in li], [y[i] for i in li], v[li], [t[i] for i in ui], v[ui]
            )
            predicted = [KINDS[j] for j in got.argmax(1)]
            scores.append(macro([y[i] for i in ui], predicted, ISSUE_KINDS))
        each = " ".join(f"{s:.3f}" for s in scores)
        print(f"{name:<16} {np.mean(scores):>8.3f}  {each:<32} {time.process_time() - tic:>5.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
