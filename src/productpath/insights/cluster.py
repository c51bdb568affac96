"""Theme discovery: group unit-normalised embeddings into themes without being told how many.

The method (measured in bench/bench_themes.py, described in docs/insights.md):

1. Cluster at most ``MAX_SAMPLE`` rows, a deterministic sample when there are more, so memory
   and time stay bounded for a million items.
2. Link each item to its nearest neighbours by cosine similarity, weight each link by the
   neighbours the two items share, and find the graph's communities with Leiden (modularity);
   no number of themes is needed. The modularity resolution falls as 1/n: with a fixed
   resolution the number of communities grows like the square root of the number of links,
   so this keeps the granularity of themes steady as the corpus grows.
3. Communities whose centroids are near-duplicates merge; communities smaller than a minimum
   size dissolve and their items join the nearest theme.
4. Every row (sampled or not) goes to its nearest theme centroid, in chunks, unless its cosine
   similarity to that centroid is below ``ASSIGN_THRESHOLD``: then it stays unassigned (-1).
   A theme left below the minimum size by that is no theme: its items stay unassigned too, and
   so do all items when there are fewer than the minimum size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from productpath.insights.cluster_graph import leiden_communities, nearest_neighbours, snn_graph
from productpath.insights.cluster_refine import drop_small_themes, merge_close_themes
from productpath.insights.theme_size import MAX_SAMPLE as MAX_SAMPLE
from productpath.insights.theme_size import min_theme_size as min_theme_size
from productpath.insights.theme_size import smallest_theme as smallest_theme

NEIGHBOURS = 8
# resolution = RESOLUTION_SCALE / n, capped for small inputs where it would shatter themes.
RESOLUTION_SCALE = 13_000.0
MAX_RESOLUTION = 5.0
# When fewer than half the items land in a theme of the minimum size, the resolution is halved,
# down to this floor.
MIN_PLACED_SHARE = 0.5
MIN_RESOLUTION = 0.25
# Below this cosine similarity to its theme's centroid an item fits no theme, for MiniLM's
# vectors. Chosen on BANKING77 train (3,000-item samples and all 10,003) among 0.35, 0.4 and
# 0.45: 0.35 scored best (NMI +0.002 to +0.003) with 0.3% unassigned, and still keeps out
# text on other subjects (0.5% of GitHub issues fit a theme of bank messages; 2.3% at 0.3).
# Other embedders pass their own (``Embedder.assign_threshold``).
ASSIGN_THRESHOLD = 0.35
CHUNK = 8192


@dataclass(frozen=True)
class ThemeClustering:
    """Theme of each row (-1 = unassigned) and one unit-normalised centroid per theme 0..k-1."""

    labels: NDArray[np.int64]
    centroids: NDArray[np.float32]


def _unit_rows(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: NDArray[np.float32] = (matrix / norms).astype(np.float32, copy=False)
    return unit


def _sums(
    embeddings: NDArray[np.float32], labels: NDArray[np.int64], k: int
) -> NDArray[np.float64]:
    """Per theme 0..k-1, the sum of its members' rows (unassigned rows, -1, left out)."""
    sums = np.zeros((k, embeddings.shape[1]), dtype=np.float64)
    kept = labels >= 0
    np.add.at(sums, labels[kept], embeddings[kept])
    return sums


def _centroids(
    embeddings: NDArray[np.float32], labels: NDArray[np.int64], k: int
) -> NDArray[np.float32]:
    return _unit_rows(_sums(embeddings, labels, k).astype(np.float32))


def _similarity_to_the_others(
    matrix: NDArray[np.float32],
    labels: NDArray[np.int64],
    rows: NDArray[np.int64],
    members: NDArray[np.bool_],
    sums: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Cosine similarity of each of ``rows`` to its theme's centre without itself.

    A member counted in its own centre is always somewhat similar to it: in a small theme a
    two-word message such as "Love it" would pass the threshold only through its own weight.
    ``members`` marks the rows counted in ``sums``. Chunked: a million rows at once would need a
    (rows, dims) float64 copy of the sums.
    """
    found = np.zeros(len(rows), dtype=np.float64)
    for start in range(0, len(rows), CHUNK):
        block = rows[start : start + CHUNK]
        vectors = matrix[block].astype(np.float64)
        others = sums[labels[block]] - vectors * members[block][:, None]
        norms = np.linalg.norm(others, axis=1)
        dots = np.einsum("ij,ij->i", vectors, others)
        # A theme of one has no others: the item is its own centre.
        found[start : start + len(block)] = np.where(
            norms > 0, dots / np.maximum(norms, 1e-12), 1.0
        )
    return found


def _relabel_by_size(labels: NDArray[np.int64]) -> tuple[NDArray[np.int64], int]:
    """Renumber themes 0..k-1, largest first (ties by first appearance), keeping -1."""
    kept = labels[labels >= 0]
    if kept.size == 0:
        return labels, 0
    ids, first, counts = np.unique(kept, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
    mapping[ids[order]] = np.arange(len(ids), dtype=np.int64)
    out = np.full_like(labels, -1)
    out[labels >= 0] = mapping[labels[labels >= 0]]
    return out, len(ids)


def assign_to_themes(
    embeddings: NDArray[np.float32],
    centroids: NDArray[np.float32],
    threshold: float = ASSIGN_THRESHOLD,
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Nearest theme per row and its cosine similarity; -1 where it is below ``threshold``."""
    n = embeddings.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    scores = np.zeros(n, dtype=np.float32)
    if n == 0 or centroids.shape[0] == 0:
        return labels, scores
    centroids = np.asarray(centroids, dtype=np.float32)
    for start in range(0, n, CHUNK):
        block = np.asarray(embeddings[start : start + CHUNK], dtype=np.float32) @ centroids.T
        best = np.argmax(block, axis=1)
        labels[start : start + CHUNK] = best
        scores[start : start + CHUNK] = block[np.arange(block.shape[0]), best]
    labels[scores < threshold] = -1
    return labels, scores


def _sample(n: int, seed: int) -> NDArray[np.int64]:
    if n <= MAX_SAMPLE:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=MAX_SAMPLE, replace=False)).astype(np.int64)


def discover_themes(
    embeddings: NDArray[np.float32], *, seed: int = 0, threshold: float = ASSIGN_THRESHOLD
) -> ThemeClustering:
    """Themes of ``embeddings`` (n, d), unit rows; deterministic for a given ``seed``. Items
    less similar than ``threshold`` to their theme's centroid are left unassigned."""
    matrix = np.asarray(embeddings, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(f"embeddings must be a 2-d array, got shape {matrix.shape}")
    n, d = matrix.shape
    if n == 0:
        return ThemeClustering(np.zeros(0, dtype=np.int64), np.zeros((0, d), dtype=np.float32))
    picked = _sample(n, seed)
    sample = matrix[picked]
    smallest = smallest_theme(n)
    if len(picked) < smallest:
        return ThemeClustering(np.full(n, -1, dtype=np.int64), np.zeros((0, d), dtype=np.float32))
    if len(picked) < 2 * smallest:
        # Too few items to split into two themes of the minimum size: one theme holds them all.
        group = np.zeros(len(picked), dtype=np.int64)
    else:
        graph = snn_graph(nearest_neighbours(sample, min(NEIGHBOURS, len(picked) - 1)))
        resolution = min(MAX_RESOLUTION, RESOLUTION_SCALE / len(picked))
        group = drop_small_themes(
            merge_close_themes(sample, leiden_communities(graph, resolution=resolution, seed=seed)),
            smallest,
        )
        # On small inputs the capped resolution can still shatter the graph into pieces below
        # the minimum size; a coarser resolution then finds the groups that are plainly there.
        while (group >= 0).mean() < MIN_PLACED_SHARE and resolution > MIN_RESOLUTION:
            resolution /= 2
            group = drop_small_themes(
                merge_close_themes(
                    sample, leiden_communities(graph, resolution=resolution, seed=seed)
                ),
                smallest,
            )
        if (group < 0).all():
            group = np.zeros(len(picked), dtype=np.int64)
    group, k = _relabel_by_size(group)
    centroids = _centroids(sample, group, k)
    # Everything the graph did not place (dissolved themes, rows outside the sample) goes to
    # the nearest centroid; the graph's own choices stand, as its communities need not be round.
    labels, _ = assign_to_themes(matrix, centroids, threshold)
    labels[picked[group >= 0]] = group[group >= 0]
    members = np.zeros(n, dtype=bool)
    members[picked[group >= 0]] = True
    kept = np.flatnonzero(labels >= 0)
    own = _similarity_to_the_others(matrix, labels, kept, members, _sums(sample, group, k))
    labels[kept[own < threshold]] = -1
    labels, k = _relabel_by_size(drop_small_themes(labels, smallest))
    return ThemeClustering(labels, _centroids(matrix, labels, k))
