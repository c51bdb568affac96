"""pyproject.toml: PEP 621 dependencies and optional dependencies, PEP 735 dependency groups,
and Poetry's tables; locked versions from poetry.lock, uv.lock or pdm.lock beside it.

Without a lock entry, an exact pin (``==1.2.3``) is taken as the locked version, as in
requirements files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from productpath.domain.stack import PYPI, Dependency, normalise_pypi
from productpath.errors import InputError
from productpath.ingest.stack.model import (
    ManifestSkip,
    Parsed,
    parse_toml,
    read_text,
    read_toml,
    relative,
    table,
)
from productpath.ingest.stack.pep508 import exact_version, parse_requirement

LOCK_FILES = ("poetry.lock", "uv.lock", "pdm.lock")
# Optional-dependency and group names that mean "for working on the project", not for running it.
DEV_GROUPS = frozenset(
    {"dev", "develop", "development", "test", "tests", "testing", "lint", "docs", "doc", "typing"}
)


def read(path: Path, root: Path) -> Parsed:
    rel = relative(path, root)
    text = read_text(path, rel)
    data = parse_toml(text, rel)
    found = Parsed()
    locked = _locked(path.parent, root, found)
    project = table(data, "project")
    entries: list[tuple[str, Any, bool]] = [
        ("project.dependencies", project.get("dependencies"), False)
    ]
    for group, items in sorted(table(project, "optional-dependencies").items()):
        entries.append((f"project.optional-dependencies.{group}", items, group in DEV_GROUPS))
    for group, items in sorted(table(data, "dependency-groups").items()):
        entries.append((f"dependency-groups.{group}", items, True))
    for field, items, dev in entries:
        if items is None:
            continue
        if not isinstance(items, list):
            found.skipped.append(ManifestSkip(rel, None, f"'{field}' must be a list of strings"))
            continue
        for item in items:
            if isinstance(item, dict):  # PEP 735 {include-group = "..."}: its own entries count
                continue
            _add_pep508(found, item, text, rel, field, dev, locked)
    _poetry(found, table(table(data, "tool"), "poetry"), rel, locked)
    return found


def _add_pep508(
    found: Parsed, item: Any, text: str, rel: str, field: str, dev: bool, locked: dict[str, str]
) -> None:
    line = _line_of(text, item) if isinstance(item, str) else None
    if not isinstance(item, str):
        found.skipped.append(ManifestSkip(rel, None, f"'{field}' holds {item!r}, not a string"))
        return
    try:
        name, spec = parse_requirement(item)
    except ValueError as exc:
        found.skipped.append(ManifestSkip(rel, line, f"{field}: {exc}: {item!r}"))
        return
    key = normalise_pypi(name)
    pinned = locked.get(key) or exact_version(spec)
    found.dependencies.append(Dependency(rel, PYPI, key, dev, spec, pinned))


def _poetry(found: Parsed, poetry: dict[str, Any], rel: str, locked: dict[str, str]) -> None:
    sections = [(table(poetry, "dependencies"), False), (table(poetry, "dev-dependencies"), True)]
    for _, group in sorted(table(poetry, "group").items()):
        sections.append((table(group, "dependencies"), True))
    for deps, dev in sections:
        for name, value in deps.items():
            if name.lower() == "python":  # the interpreter, not a package
                continue
            key = normalise_pypi(name)
            found.dependencies.append(
                Dependency(rel, PYPI, key, dev, _poetry_constraint(value), locked.get(key))
            )


def _poetry_constraint(value: Any) -> str | None:
    """``"^1.2"``, ``{version = "^1.2", ...}``, or a list of such tables (one per marker)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        version = value.get("version")
        return version if isinstance(version, str) else None
    if isinstance(value, list):
        versions = [v for v in map(_poetry_constraint, value) if v]
        return " || ".join(versions) or None
    return None


def _locked(folder: Path, root: Path, found: Parsed) -> dict[str, str]:
    """name -> version from the first lock file beside the manifest ("a, b" when it holds two)."""
    for name in LOCK_FILES:
        lock = folder / name
        if not lock.is_file():
            continue
        try:
            data = read_toml(lock, relative(lock, root))
        except InputError as exc:
            found.skipped.append(ManifestSkip(exc.file or name, exc.line, exc.reason))
            return {}
        versions: dict[str, set[str]] = {}
        packages = data.get("package")
        for package in packages if isinstance(packages, list) else []:
            if isinstance(package, dict) and isinstance(package.get("name"), str):
                version = package.get("version")
                if isinstance(version, str):
                    versions.setdefault(normalise_pypi(package["name"]), set()).add(version)
        return {key: ", ".join(sorted(v)) for key, v in versions.items()}
    return {}


def _line_of(text: str, needle: str) -> int | None:
    """The line where ``needle`` first appears quoted in the file (tomllib keeps no positions)."""
    for quote in ('"', "'"):
        at = text.find(f"{quote}{needle}{quote}")
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return None
