"""package.json, with locked versions from package-lock.json or npm-shrinkwrap.json.

Lock files of format 2 and 3 list every installed package under ``packages`` keyed by its
folder (``node_modules/react``, ``packages/web/node_modules/react`` in a workspace); format 1
lists ``dependencies`` by name. A package.json without a lock beside it takes the lock of the
nearest folder above that names it as a workspace member. Only direct dependencies are listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from productpath.domain.stack import NPM, Dependency
from productpath.errors import InputError
from productpath.ingest.stack.model import ManifestSkip, Parsed, read_text, relative

LOCK_FILES = ("npm-shrinkwrap.json", "package-lock.json")
SECTIONS = (("dependencies", False), ("optionalDependencies", False), ("devDependencies", True))


def read(path: Path, root: Path) -> Parsed:
    rel = relative(path, root)
    data = _json(path, rel)
    if not isinstance(data, dict):
        raise InputError("the top level must be a JSON object", file=rel, line=1)
    found = Parsed()
    lock = _find_lock(path.parent, root, found)
    for section, dev in SECTIONS:
        deps = data.get(section)
        if deps is None:
            continue
        if not isinstance(deps, dict):
            found.skipped.append(ManifestSkip(rel, None, f"'{section}' must be an object"))
            continue
        for name, spec in sorted(deps.items()):
            if not isinstance(spec, str):
                found.skipped.append(
                    ManifestSkip(rel, None, f"'{section}.{name}' must be a version string")
                )
                continue
            locked = _locked_version(lock, path.parent, name) if lock else None
            found.dependencies.append(Dependency(rel, NPM, name, dev, spec, locked))
    return found


def _json(path: Path, rel: str) -> Any:
    try:
        return json.loads(read_text(path, rel))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=rel, line=exc.lineno) from None


_Lock = tuple[Path, dict[str, Any]]


def _find_lock(folder: Path, root: Path, found: Parsed) -> _Lock | None:
    """The lock beside ``folder``, else the nearest one above whose workspace holds it."""
    current = folder
    while True:
        for name in LOCK_FILES:
            lock = current / name
            if not lock.is_file():
                continue
            try:
                data = _json(lock, relative(lock, root))
            except InputError as exc:
                if current == folder:
                    found.skipped.append(ManifestSkip(exc.file or name, exc.line, exc.reason))
                return None
            if not isinstance(data, dict):
                return None
            member = folder.relative_to(current).as_posix()
            packages = data.get("packages")
            if current == folder or (isinstance(packages, dict) and member in packages):
                return current, data
        if current == root or current.parent == current:
            return None
        current = current.parent


def _locked_version(lock: _Lock, folder: Path, name: str) -> str | None:
    where, data = lock
    packages = data.get("packages")
    if isinstance(packages, dict):
        member = folder.relative_to(where).as_posix()
        keys = [f"node_modules/{name}"]
        if member != ".":
            keys.insert(0, f"{member}/node_modules/{name}")
        for key in keys:
            entry = packages.get(key)
            if isinstance(entry, dict) and isinstance(entry.get("version"), str):
                return str(entry["version"])
        return None
    legacy = data.get("dependencies")  # lock format 1
    if isinstance(legacy, dict) and folder == where:
        entry = legacy.get(name)
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            return str(entry["version"])
    return None
