"""How many alike items make a theme: plain arithmetic, apart from the clustering.

``themes list`` and the themes page print the size, and importing it from insights/cluster.py
pulled in NumPy and scipy.sparse (a third of a second of CPU) for one square root.
"""

from __future__ import annotations

import math

MAX_SAMPLE = 20_000  # discovery clusters a sample of this many items when there are more


def min_theme_size(n: int) -> int:
    """The smallest group worth calling a theme: a few items, growing slowly with the corpus."""
    return max(3, round(math.sqrt(n) / 8))


def smallest_theme(items: int) -> int:
    """The fewest members discovery keeps in a theme, among ``items`` items (it clusters a
    sample of ``MAX_SAMPLE`` when there are more)."""
    return min_theme_size(min(items, MAX_SAMPLE))
