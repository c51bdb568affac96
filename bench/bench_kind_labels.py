"""How much a workspace's own kind labels help: the "kind column" curve on GitHub issues.

python bench/bench_kind_labels.py [--no-embeddings] [--seeds N]

issue-reports (1,500 GitHub issues, bug / feature / question, 5 repositories) stands in for a
workspace whose import carries a kind column for some of its items. For each share labelled
(0, 5, 10, 20, 50 %), a random sample of that share, stratified by repository and label, is the
labelled part; the classifier is built as ``insights run`` builds it
(``pipeline.kind_classifier`` over the labelled items, with their MiniLM vectors unless
``--no-embeddings``) and reads the rest; the score is macro-F1 over the three labels on the
unlabelled part, averaged over ``--seeds`` samples (min-max shown). The dataset has no license:
it is read here, never shipped, and nothing shipped is tuned on it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_kind import ISSUE_KINDS, ISSUES, embed, macro, read_issues

from productpath.insights import pipeline

SHARES = (0.0, 0.05, 0.10, 0.20, 0.50)


def labelled_sample(
    kinds: Sequence[str], repos: Sequence[str], share: float, seed: int
) -> NDArray[np.bool_]:
    """True for the items that carry a label: ``share`` of every (repository, label) group."""
    rng = np.random.default_rng(seed)
    chosen = np.zeros(len(kinds), dtype=bool)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(repos, kinds, strict=True)):
        groups.setdefault(key, []).append(i)
    for _key, members in sorted(groups.items()):
        count = round(len(members) * share)
        chosen[rng.permutation(members)[:count]] = True
    return chosen


def score(
    texts: list[str],
    kinds: list[str],
    vectors: NDArray[np.float32] | None,
    labelled: NDArray[np.bool_],
) -> float:
    rows = np.flatnonzero(labelled)
    examples = pipeline.KindExamples(
        [texts[i] for i in rows],
        [kinds[i] for i in rows],
        None if vectors is None else vectors[rows],
    )
    classifier = pipeline.kind_classifier(examples, with_vectors=vectors is not None)
    rest = np.flatnonzero(~labelled)
    predicted, _ = pipeline.read_kinds(
        [texts[i] for i in rest], None if vectors is None else vectors[rest], None, classifier
    )
    return macro([kinds[i] for i in rest], predicted, ISSUE_KINDS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-embeddings", action="store_true", help="text features only")
    parser.add_argument("--seeds", type=int, default=3, help="samples per share (default 3)")
    args = parser.parse_args()
    texts, kinds, repos = read_issues(ISSUES)
    started = time.perf_counter()
    vectors = None if args.no_embeddings else embed(texts, "issues")
    mode = "text + MiniLM" if vectors is not None else "text only"
    took = time.perf_counter() - started
    print(f"issue-reports: {len(texts)} issues, {mode}; vectors ready in {took:.0f} s")
    print(f"{'labelled':>9} {'items':>6} {'macro-F1 on the rest':>22} {'min-max':>13} {'s/fit':>6}")
    for share in SHARES:
        scores, seconds = [], []
        for seed in range(args.seeds if share > 0 else 1):
            labelled = labelled_sample(kinds, repos, share, seed)
            tic = time.perf_counter()
            scores.append(score(texts, kinds, vectors, labelled))
            seconds.append(time.perf_counter() - tic)
        print(
            f"{share:>8.0%} {int(labelled.sum()):>6} {np.mean(scores):>22.3f} "
            f"{min(scores):>6.3f}-{max(scores):.3f} {np.mean(seconds):>6.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
