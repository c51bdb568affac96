"""productpath: a local-first workbench for technical product managers.

The public API is what ``__all__`` lists; everything else is private and may change.
"""

from productpath.errors import (
    ConflictError,
    DatabaseBusyError,
    DependencyCycleError,
    InputError,
    NotFoundError,
    ProductpathError,
    RoadmapConflictError,
    RoadmapError,
    WorkspaceError,
)

__version__ = "0.1.0"

__all__ = [
    "ConflictError",
    "DatabaseBusyError",
    "DependencyCycleError",
    "InputError",
    "NotFoundError",
    "ProductpathError",
    "RoadmapConflictError",
    "RoadmapError",
    "WorkspaceError",
    "__version__",
]
