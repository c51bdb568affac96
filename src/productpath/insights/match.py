"""Match the themes of a fresh clustering to the themes of the previous one, so numbers last.

Two clusterings of mostly the same feedback are compared two ways: by the items they share
(Jaccard overlap of member sets, which needs no vectors and survives a change of embedder) and
by centroid cosine similarity (which also works for items that are new). A pair's score is the
larger of the two, each counted only above its own minimum; the Hungarian algorithm then picks
the one-to-one pairing with the largest total score. New themes left unpaired get fresh numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

MIN_COSINE = 0.8
MIN_OVERLAP = 0.3


def match_themes(
    new_labels: NDArray[np.int64],
    old_labels: NDArray[np.int64],
    new_centroids: NDArray[np.float32] | None = None,
    old_centroids: Mapping[int, NDArray[np.float32]] | None = None,
    *,
    min_cosine: float = MIN_COSINE,
    min_overlap: float = MIN_OVERLAP,
) -> dict[int, int]:
    """New theme index -> old theme number, for the pairs worth keeping.

    ``new_labels[i]`` and ``old_labels[i]`` are one item's new theme index and old theme number
    (-1: none, or the item is new); ``old_centroids`` may leave out themes whose centroid is
    missing or from another embedder, and may hold themes no current item belongs to.
    """
    new_labels = np.asarray(new_labels, dtype=np.int64)
    old_labels = np.asarray(old_labels, dtype=np.int64)
    n_new = int(new_labels.max()) + 1 if new_labels.size else 0
    if new_centroids is not None:
        n_new = max(n_new, new_centroids.shape[0])
    old_numbers = sorted(set(old_labels[old_labels >= 0].tolist()) | set(old_centroids or {}))
    if n_new == 0 or not old_numbers:
        return {}
    column = {number: j for j, number in enumerate(old_numbers)}
    score = np.zeros((n_new, len(old_numbers)))
    both = (new_labels >= 0) & (old_labels >= 0)
    if both.any():
        cols = np.array([column[int(v)] for v in old_labels[both]], dtype=np.int64)
        shared = np.zeros_like(score)
        np.add.at(shared, (new_labels[both], cols), 1)
        new_sizes = np.bincount(new_labels[new_labels >= 0], minlength=n_new)[:n_new]
        old_cols = np.array([column[int(v)] for v in old_labels[old_labels >= 0]], np.int64)
        old_sizes = np.bincount(old_cols, minlength=len(old_numbers))
        union = new_sizes[:, None] + old_sizes[None, :] - shared
        overlap = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
        score = np.where(overlap >= min_overlap, overlap, 0.0)
    if new_centroids is not None and old_centroids:
        for number, centroid in old_centroids.items():
            if centroid.shape[0] != new_centroids.shape[1]:
                continue
            j = column[number]
            cosine = new_centroids @ centroid
            keep = cosine >= min_cosine
            score[keep, j] = np.maximum(score[keep, j], cosine[keep])
    from scipy.optimize import linear_sum_assignment

    rows, cols_picked = linear_sum_assignment(score, maximize=True)
    return {
        int(i): old_numbers[j] for i, j in zip(rows, cols_picked, strict=True) if score[i, j] > 0
    }
