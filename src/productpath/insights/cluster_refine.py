"""Clean-up of raw communities: merge near-duplicate themes, dissolve ones too small to matter."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# Two themes whose centroids are at least this cosine-similar are one theme split in two. On
# BANKING77 train no two distinct intents found by the graph step are this close, so the rule
# changes nothing there; it stops small, tight inputs from being split into near-copies.
MERGE_SIMILARITY = 0.9


def _unit(sums: NDArray[np.float64]) -> NDArray[np.float64]:
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: NDArray[np.float64] = sums / norms
    return unit


def merge_close_themes(
    embeddings: NDArray[np.float32], labels: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Merge the most similar pair of themes, again and again, while it is above the threshold."""
    out = labels.copy()
    ids = np.unique(out[out >= 0])
    if len(ids) < 2:
        return out
    index = np.searchsorted(ids, out[out >= 0])
    sums = np.zeros((len(ids), embeddings.shape[1]), dtype=np.float64)
    np.add.at(sums, index, embeddings[out >= 0])
    alive = np.ones(len(ids), dtype=bool)
    target = np.arange(len(ids))
    similarity = _unit(sums) @ _unit(sums).T
    np.fill_diagonal(similarity, -np.inf)
    while True:
        flat = int(np.argmax(similarity))
        first, second = divmod(flat, len(ids))
        if similarity[first, second] < MERGE_SIMILARITY:
            break
        keep, gone = min(first, second), max(first, second)
        sums[keep] += sums[gone]
        alive[gone] = False
        target[target == gone] = keep
        similarity[gone, :] = -np.inf
        similarity[:, gone] = -np.inf
        row = _unit(sums[keep : keep + 1]) @ _unit(sums).T
        row[0, ~alive] = -np.inf
        row[0, keep] = -np.inf
        similarity[keep, :] = row[0]
        similarity[:, keep] = row[0]
    out[out >= 0] = ids[target[index]]
    return out


def drop_small_themes(labels: NDArray[np.int64], smallest: int) -> NDArray[np.int64]:
    """Unassign members of themes with fewer than ``smallest`` items (they are re-placed later)."""
    out = labels.copy()
    ids, counts = np.unique(out[out >= 0], return_counts=True)
    out[np.isin(out, ids[counts < smallest])] = -1
    return out
