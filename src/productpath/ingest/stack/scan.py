"""Walk a folder for manifests and read each with its ecosystem's reader.

A manifest that cannot be read becomes a :class:`ManifestSkip` naming the file (and the line
when known); the walk goes on. Folders that hold installed or built copies of dependencies
(``node_modules``, ``.venv``, ``vendor``, ``target``, ...) are not entered.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from productpath.domain.stack import Dependency
from productpath.errors import InputError
from productpath.ingest.stack import cargo, gomod, maven, npm, pyproject, requirements, ruby
from productpath.ingest.stack.model import ManifestSkip, Parsed, relative

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "vendor",
        "target",
        "dist",
        "build",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
    }
)
READERS: dict[str, Callable[[Path, Path], Parsed]] = {
    "pyproject.toml": pyproject.read,
    "package.json": npm.read,
    "go.mod": gomod.read,
    "Cargo.toml": cargo.read,
    "pom.xml": maven.read,
    "Gemfile": ruby.read,
}


@dataclass(frozen=True)
class StackScan:
    """Every dependency found under a folder, the manifests read, and what was skipped."""

    root: Path
    dependencies: tuple[Dependency, ...]
    manifests: tuple[str, ...]
    skipped: tuple[ManifestSkip, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "manifests": list(self.manifests),
            "dependencies": [d.as_dict() for d in self.dependencies],
            "skipped": [s.as_dict() for s in self.skipped],
        }


def scan_tree(root: Path) -> StackScan:
    """Read every manifest under ``root``; InputError only when ``root`` is no folder."""
    if not root.is_dir():
        raise InputError("no such folder", file=root)
    root = root.resolve()
    manifests: list[Path] = []
    requirement_files: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(folder) / name
            if name in READERS:
                manifests.append(path)
            elif requirements.is_requirements_file(path):
                requirement_files.append(path)
    found = Parsed()
    for path in manifests:
        try:
            parsed = READERS[path.name](path, root)
        except InputError as exc:
            found.skipped.append(
                ManifestSkip(exc.file or relative(path, root), exc.line, exc.reason)
            )
            continue
        found.dependencies += parsed.dependencies
        found.skipped += parsed.skipped
    if requirement_files:
        parsed = requirements.read_all(requirement_files, root)
        found.dependencies += parsed.dependencies
        found.skipped += parsed.skipped
    read = {relative(p, root) for p in [*manifests, *requirement_files]}
    read |= {d.manifest for d in found.dependencies}
    return StackScan(
        root=root,
        dependencies=tuple(sorted(set(found.dependencies))),
        manifests=tuple(sorted(read)),
        skipped=tuple(sorted(set(found.skipped), key=lambda s: (s.file, s.line or 0, s.reason))),
    )
