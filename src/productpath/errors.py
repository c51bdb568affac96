"""The exception tree, in one place.

Every error a user can cause derives from :class:`ProductpathError`; the CLI prints its message
as one sentence on stderr and exits 1. Anything else is a bug and keeps its traceback.

    ProductpathError
    ├── WorkspaceError        no workspace, or a broken productpath.toml
    ├── InputError            a bad file: names file, line and field
    │   └── RoadmapError      a roadmap YAML that does not validate
    │       └── DependencyCycleError
    ├── NotFoundError         a key that names nothing
    ├── ConflictError         an edit based on an older version than the one stored
    │   └── RoadmapConflictError  a roadmap file and the workspace changed the same fields
    └── DatabaseBusyError     another writer held the database past the busy timeout
"""

from __future__ import annotations

from pathlib import Path


class ProductpathError(Exception):
    """Base of every error a user can cause and fix."""


class WorkspaceError(ProductpathError):
    """The workspace is missing, not initialised, or its settings are unreadable."""


class NotFoundError(ProductpathError):
    """A key given by the user names no object."""


class ConflictError(ProductpathError):
    """An edit was based on an older version of the object than the one now stored."""


class DatabaseBusyError(ProductpathError):
    """Another writer held the database longer than the busy timeout; trying again will work.
    The web answers it 503 with this sentence."""

    def __init__(self) -> None:
        super().__init__("the database is busy: another import is writing; try again")


class RoadmapConflictError(ConflictError):
    """A roadmap file and the workspace both changed the same fields since the file's export;
    ``lines`` names each conflict (object and field), one line each."""

    def __init__(self, file: str | Path, lines: list[str]) -> None:
        self.file = str(file)
        self.lines = lines
        super().__init__(
            f"{file}: {len(lines)} conflict{'s' if len(lines) != 1 else ''} with changes made "
            "in the workspace since the file was exported; nothing was written (--force "
            "applies the file's side)"
        )


class InputError(ProductpathError):
    """A file given by the user cannot be read; says where, so the user can fix it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.reason = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason


class RoadmapError(InputError):
    """The roadmap YAML does not validate."""


class DependencyCycleError(RoadmapError):
    """Initiatives depend on each other in a loop."""

    def __init__(
        self,
        cycle: list[str],
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str = "depends_on",
    ) -> None:
        self.cycle = cycle
        super().__init__(
            "dependency cycle: " + " -> ".join([*cycle, cycle[0]]),
            file=file,
            line=line,
            field=field,
        )
