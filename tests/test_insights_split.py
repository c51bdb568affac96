"""insights/split.py: a theme's members cut into parts, deterministic, every part non-empty."""

from __future__ import annotations

import numpy as np
import pytest

from productpath.insights.split import SAMPLE, split_groups


def _blobs(sizes: list[int], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(sizes), 32))
    rows = [c + 0.05 * rng.standard_normal((n, 32)) for c, n in zip(centres, sizes, strict=True)]
    return np.concatenate(rows).astype(np.float32)


@pytest.mark.parametrize("sizes", [[70, 30], [40, 35, 25], [SAMPLE * 2, SAMPLE]])
def test_clear_groups_are_found_largest_first(sizes: list[int]) -> None:
    groups = split_groups(_blobs(sizes), len(sizes))
    start = 0
    for rank, size in enumerate(sizes):
        assert set(groups[start : start + size].tolist()) == {rank}
        start += size
    assert np.array_equal(groups, split_groups(_blobs(sizes), len(sizes)))


def test_every_part_has_a_row_even_when_rows_repeat() -> None:
    same = np.ones((5, 8), dtype=np.float32)
    groups = split_groups(same, 3)
    assert sorted(set(groups.tolist())) == [0, 1, 2]
    assert split_groups(np.eye(3, dtype=np.float32), 3).tolist() in (
        [0, 1, 2],
        [1, 2, 0],
        [2, 0, 1],
        [0, 2, 1],
        [1, 0, 2],
        [2, 1, 0],
    )
    with pytest.raises(ValueError):
        split_groups(same, 6)
