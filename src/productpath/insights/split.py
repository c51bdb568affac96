"""Propose how to split one theme: its members' vectors cut into ``parts`` groups.

Spherical k-means (cosine), started k-means++ style from a seeded generator so the same members
and seed always give the same split. Pure: vectors in, a group per row out; the service decides
what the groups become (the first keeps the theme's number, the others get new ones).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

ROUNDS = 30
# Rows the centres are found on: a seeded sample of a larger theme, after which every row goes
# to its nearest centre in one pass (what keeps a split of thousands of items fast).
SAMPLE = 600


def _unit(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: NDArray[np.float32] = (matrix / norms).astype(np.float32)
    return unit


def _start(unit: NDArray[np.float32], parts: int, rng: np.random.Generator) -> NDArray[np.int64]:
    chosen = [int(rng.integers(len(unit)))]
    distance = 1.0 - unit @ unit[chosen[0]]
    for _ in range(1, parts):
        weights = np.clip(distance, 0.0, None) ** 2
        total = float(weights.sum())
        if total <= 0:
            # Every remaining row sits on a chosen centre: take the first unchosen rows.
            left = [i for i in range(len(unit)) if i not in chosen]
            chosen.append(left[0])
        else:
            chosen.append(int(rng.choice(len(unit), p=weights / total)))
        distance = np.minimum(distance, 1.0 - unit @ unit[chosen[-1]])
    return np.asarray(chosen, dtype=np.int64)


def split_groups(vectors: NDArray[np.float32], parts: int, *, seed: int = 0) -> NDArray[np.int64]:
    """A group from 0 to ``parts - 1`` per row, largest group first; every group non-empty.

    ``parts`` must be at least 2 and at most the number of rows.
    """
    rows = len(vectors)
    if parts < 2 or parts > rows:
        raise ValueError(f"cannot split {rows} rows into {parts} parts")
    everything = _unit(np.asarray(vectors, dtype=np.float32))
    rng = np.random.default_rng(seed)
    unit = everything
    if rows > SAMPLE:
        unit = everything[np.sort(rng.choice(rows, size=SAMPLE, replace=False))]
    centres = _centres(unit, parts, rng)
    groups = np.argmax(everything @ centres.T, axis=1).astype(np.int64)
    groups = _fill(everything, centres, groups, parts)
    sizes = np.bincount(groups, minlength=parts)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty(parts, dtype=np.int64)
    rank[order] = np.arange(parts)
    return rank[groups]


def _fill(
    unit: NDArray[np.float32],
    centres: NDArray[np.float32],
    groups: NDArray[np.int64],
    parts: int,
) -> NDArray[np.int64]:
    """Give a group left empty the row farthest from its own centre (from a group of two or
    more), so every group keeps at least one row."""
    for group in range(parts):
        counts = np.bincount(groups, minlength=parts)
        if counts[group] == 0:
            fit = (unit * centres[groups]).sum(axis=1)
            for row in np.argsort(fit):
                if counts[groups[row]] > 1:
                    groups[row] = group
                    break
    return groups


def _centres(
    unit: NDArray[np.float32], parts: int, rng: np.random.Generator
) -> NDArray[np.float32]:
    """Spherical k-means centres of ``unit``'s rows."""
    rows = len(unit)
    centres = unit[_start(unit, parts, rng)]
    groups = np.full(rows, -1, dtype=np.int64)
    for _ in range(ROUNDS):
        fresh = _fill(unit, centres, np.argmax(unit @ centres.T, axis=1).astype(np.int64), parts)
        if np.array_equal(fresh, groups):
            break
        groups = fresh
        centres = _unit(np.stack([unit[groups == g].mean(axis=0) for g in range(parts)]))
    return centres
