"""Dependency manifests of six ecosystems, read into plain :class:`Dependency` records.

One module per ecosystem (``pyproject``, ``requirements``, ``npm``, ``gomod``, ``cargo``,
``maven``, ``ruby``); :func:`scan_tree` walks a folder and uses them all.
"""

from productpath.domain.stack import ECOSYSTEMS, Dependency, normalise_pypi
from productpath.ingest.stack.model import ManifestSkip
from productpath.ingest.stack.scan import SKIP_DIRS, StackScan, scan_tree

__all__ = [
    "ECOSYSTEMS",
    "SKIP_DIRS",
    "Dependency",
    "ManifestSkip",
    "StackScan",
    "normalise_pypi",
    "scan_tree",
]
