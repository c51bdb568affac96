"""Themes within each value of a facet the feedback carries: its repository, source or segment.

Issues from five products clustered together make themes that are each one product's anyway
(the products' words differ), while a topic the products share ("crash on startup") gathers
them all into a grab-bag. ``insights run --group-by repo`` finds themes within each facet value
instead: every theme belongs to one value, its numbers and names are the usual ones, and new
items in an incremental run join only the themes of their own value. Items with no value (an
item imported from a file, where the facet is the repository) form one group of their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from productpath.insights.cluster import ThemeClustering, assign_to_themes, discover_themes

FACETS = ("repo", "source", "segment")


def repo_of(external_id: str) -> str:
    """The repository an item came from, read from its external id (``github:OWNER/NAME#N``
    or ``OWNER/NAME#N``, as issue imports write them); "" when the id names none."""
    body = external_id.split(":", 1)[1] if external_id.startswith("github:") else external_id
    name, hash_sign, number = body.rpartition("#")
    if not hash_sign or not number.isdigit() or name.count("/") != 1:
        return ""
    owner, repository = name.split("/")
    return name if owner and repository else ""


def discover_within(
    embeddings: NDArray[np.float32], groups: Sequence[str], *, seed: int, threshold: float
) -> ThemeClustering:
    """``discover_themes`` within each group (aligned with the rows), themes numbered 0..k-1
    over all groups, largest first; the smallest theme follows each group's own size."""
    matrix = np.asarray(embeddings, dtype=np.float32)
    values = np.asarray(groups, dtype=object)
    if len(values) != matrix.shape[0]:
        raise ValueError(f"{matrix.shape[0]} rows but {len(values)} facet values")
    labels = np.full(matrix.shape[0], -1, dtype=np.int64)
    centroids: list[NDArray[np.float32]] = []
    for value in sorted(set(values.tolist())):
        rows = np.flatnonzero(values == value)
        found = discover_themes(matrix[rows], seed=seed, threshold=threshold)
        kept = found.labels >= 0
        labels[rows[kept]] = found.labels[kept] + len(centroids)
        centroids.extend(found.centroids)
    if not centroids:
        return ThemeClustering(labels, np.zeros((0, matrix.shape[1]), dtype=np.float32))
    # Largest first over every group, as one clustering numbers its themes.
    sizes = np.bincount(labels[labels >= 0], minlength=len(centroids))
    order = np.lexsort((np.arange(len(centroids)), -sizes))
    rank = np.empty(len(centroids), dtype=np.int64)
    rank[order] = np.arange(len(centroids), dtype=np.int64)
    labels[labels >= 0] = rank[labels[labels >= 0]]
    return ThemeClustering(labels, np.stack(centroids)[order].astype(np.float32))


def theme_facets(numbers: Sequence[int], groups: Sequence[str]) -> dict[int, str]:
    """Each theme's facet value: the one most of its members have (ties: the first in order)."""
    counts: dict[int, Counter[str]] = {}
    for number, value in zip(numbers, groups, strict=True):
        if number >= 0:
            counts.setdefault(int(number), Counter())[value] += 1
    return {
        number: min(found.items(), key=lambda item: (-item[1], item[0]))[0]
        for number, found in counts.items()
    }


def assign_within(
    embeddings: NDArray[np.float32],
    groups: Sequence[str],
    centroids: NDArray[np.float32],
    facets: Sequence[str],
    threshold: float,
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """``assign_to_themes`` where a row may only join a theme of its own facet value:
    ``facets`` is each centroid's value. A row whose value has no theme stays unassigned."""
    labels = np.full(embeddings.shape[0], -1, dtype=np.int64)
    scores = np.zeros(embeddings.shape[0], dtype=np.float32)
    values = np.asarray(groups, dtype=object)
    owners = np.asarray(facets, dtype=object)
    for value in sorted(set(values.tolist())):
        rows = np.flatnonzero(values == value)
        allowed = np.flatnonzero(owners == value)
        if not len(allowed):
            continue
        found, similarity = assign_to_themes(embeddings[rows], centroids[allowed], threshold)
        labels[rows] = np.where(found >= 0, allowed[np.maximum(found, 0)], -1)
        scores[rows] = similarity
    return labels, scores


def facet_map(values: Mapping[int, str], numbers: Sequence[int]) -> list[str]:
    """The facet value of each theme number in ``numbers`` ("" for one with no members)."""
    return [values.get(number, "") for number in numbers]
