"""Cargo.toml, with locked versions from Cargo.lock beside it or in a workspace folder above.

Reads ``[dependencies]``, ``[dev-dependencies]`` (development), ``[build-dependencies]``, their
``[target.'cfg(...)'.*]`` forms and ``[workspace.dependencies]``; ``package = "..."`` renames and
``workspace = true`` references are followed. When Cargo.lock holds several versions of a crate,
the one of the same major version as the requirement is taken; failing that, all of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from productpath.domain.stack import CARGO, Dependency
from productpath.errors import InputError
from productpath.ingest.stack.model import ManifestSkip, Parsed, read_toml, relative, table

SECTIONS = (("dependencies", False), ("build-dependencies", False), ("dev-dependencies", True))


def read(path: Path, root: Path) -> Parsed:
    rel = relative(path, root)
    data = read_toml(path, rel)
    found = Parsed()
    lock = _lock_versions(path.parent, root, found)
    workspace = _workspace_deps(path, root, data)
    scopes = [data, *table(data, "target").values()]
    entries: list[tuple[str, Any, bool]] = []
    for scope in scopes:
        for section, dev in SECTIONS:
            entries += [(key, value, dev) for key, value in table(scope, section).items()]
    entries += [
        (key, value, False)
        for key, value in table(table(data, "workspace"), "dependencies").items()
    ]
    for key, value, dev in entries:
        name, declared = _requirement(key, value)
        if isinstance(value, dict) and value.get("workspace") is True:
            name, declared = _requirement(key, workspace.get(key, {}))
        found.dependencies.append(
            Dependency(rel, CARGO, name, dev, declared, _pick(lock.get(name, []), declared))
        )
    return found


def _requirement(key: str, value: Any) -> tuple[str, str | None]:
    if isinstance(value, str):
        return key, value
    if isinstance(value, dict):
        name = value.get("package") if isinstance(value.get("package"), str) else key
        version = value.get("version")
        return str(name), version if isinstance(version, str) else None
    return key, None


def _ancestors(folder: Path, root: Path) -> list[Path]:
    found = [folder]
    while folder != root and folder.parent != folder:
        folder = folder.parent
        found.append(folder)
    return found


def _workspace_deps(path: Path, root: Path, data: dict[str, Any]) -> dict[str, Any]:
    """``[workspace.dependencies]`` of this manifest or of the workspace root above it."""
    for folder in _ancestors(path.parent, root):
        manifest = folder / "Cargo.toml"
        if folder == path.parent:
            current = data
        elif manifest.is_file():
            try:
                current = read_toml(manifest, relative(manifest, root))
            except InputError:
                continue  # reported when that manifest is read itself
        else:
            continue
        if "workspace" in current:
            return table(table(current, "workspace"), "dependencies")
    return {}


def _lock_versions(folder: Path, root: Path, found: Parsed) -> dict[str, list[str]]:
    for current in _ancestors(folder, root):
        lock = current / "Cargo.lock"
        if not lock.is_file():
            continue
        try:
            data = read_toml(lock, relative(lock, root))
        except InputError as exc:
            found.skipped.append(ManifestSkip(exc.file or "Cargo.lock", exc.line, exc.reason))
            return {}
        versions: dict[str, list[str]] = {}
        packages = data.get("package")
        for package in packages if isinstance(packages, list) else []:
            if isinstance(package, dict):
                name, version = package.get("name"), package.get("version")
                if isinstance(name, str) and isinstance(version, str):
                    versions.setdefault(name, []).append(version)
        return versions
    return {}


def _pick(versions: list[str], declared: str | None) -> str | None:
    unique = sorted(set(versions))
    if len(unique) <= 1:
        return unique[0] if unique else None
    if declared:
        major = _major(declared)
        same = [v for v in unique if major is not None and _major(v) == major]
        if len(same) == 1:
            return same[0]
    return ", ".join(unique)


def _major(version: str) -> str | None:
    """ "1" for "^1.4", "0.8" for "0.8.3" (Cargo treats 0.x minor versions as majors)."""
    numbers: list[str] = re.findall(r"\d+", version)
    if not numbers:
        return None
    if numbers[0] == "0" and len(numbers) > 1:
        return f"0.{numbers[1]}"
    return numbers[0]
