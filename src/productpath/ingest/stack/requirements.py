"""requirements*.txt files: pins, ranges, comments, markers, continuation lines, ``-r`` includes.

An exact pin (``==1.2.3``) is taken as the locked version: a pinned requirements file (as
pip-compile writes) is the usual Python lock. A file reached only through ``-r`` from
development files (``requirements-dev.txt`` including ``test-tools.txt``) counts as development.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from productpath.domain.stack import PYPI, Dependency, normalise_pypi
from productpath.errors import InputError
from productpath.ingest.stack.model import ManifestSkip, Parsed, read_text, relative
from productpath.ingest.stack.pep508 import exact_version, parse_requirement

_COMMENT = re.compile(r"(^|\s)#.*$")
# A per-requirement option after the requirement, e.g. " --hash=sha256:..."
_TRAILING_OPTION = re.compile(r"\s--?[A-Za-z][\w-]*(?:[=\s]\S+)?")
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s*=?\s*)(\S+)$")
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s*=?\s*)(\S+)$")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_DEV_WORDS = re.compile(r"(dev|test|lint|doc|typing|ci)", re.IGNORECASE)


def is_requirements_file(path: Path) -> bool:
    """``requirements*.txt``, or any ``.txt`` inside a folder named ``requirements``."""
    name = path.name.lower()
    if not name.endswith(".txt"):
        return False
    return name.startswith("requirements") or path.parent.name.lower() == "requirements"


def read_all(files: list[Path], root: Path) -> Parsed:
    """Every file in ``files`` and every file they include, each read once."""
    found = Parsed()
    lines: dict[Path, list[tuple[int, str]]] = {}
    includers: dict[Path, set[Path]] = {}
    queue = sorted(files)
    while queue:
        path = queue.pop(0)
        if path in lines:
            continue
        rel = relative(path, root)
        try:
            text = read_text(path, rel)
        except InputError as exc:
            found.skipped.append(ManifestSkip(rel, exc.line, exc.reason))
            lines[path] = []
            continue
        lines[path] = []
        for number, line in _logical_lines(text):
            include = _INCLUDE.match(line)
            if include:
                target = (path.parent / include.group(1)).resolve()
                if not target.is_file() or not target.is_relative_to(root):
                    found.skipped.append(
                        ManifestSkip(rel, number, f"included file {include.group(1)} not found")
                    )
                    continue
                includers.setdefault(target, set()).add(path)
                queue.append(target)
                continue
            lines[path].append((number, line))
    dev = _dev_files(set(files), includers)
    for path in sorted(lines):
        rel = relative(path, root)
        for number, line in lines[path]:
            _add(found, rel, number, line, path in dev)
    return found


def _dev_files(top: set[Path], includers: dict[Path, set[Path]]) -> set[Path]:
    """Files named for development, and included files that only development files reach."""
    dev = {p for p in top if _DEV_WORDS.search(p.name)}
    changed = True
    while changed:
        changed = False
        for path, parents in includers.items():
            if path in dev or path in top:
                continue
            if parents and parents <= dev:
                dev.add(path)
                changed = True
    return dev


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) with comments removed and backslash continuations joined."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            yield start, joined
    if pending.strip():
        yield start, pending.strip()


def _add(found: Parsed, rel: str, number: int, line: str, dev: bool) -> None:
    editable = _EDITABLE.match(line)
    if editable or line.startswith("-"):
        egg = _EGG.search(editable.group(1)) if editable else None
        if egg:  # "-e git+https://...#egg=name": a named package from version control
            key = normalise_pypi(egg.group(1))
            found.dependencies.append(Dependency(rel, PYPI, key, dev, None, None))
        return  # pip options (--index-url, -c constraints, ...) declare no dependency
    if "://" in line.split("@", 1)[0] or line.startswith((".", "/")):
        egg = _EGG.search(line)
        if egg:
            key = normalise_pypi(egg.group(1))
            found.dependencies.append(Dependency(rel, PYPI, key, dev, None, None))
        else:
            found.skipped.append(ManifestSkip(rel, number, "a path or URL with no package name"))
        return
    requirement = _TRAILING_OPTION.split(line, 1)[0] if " -" in line else line
    try:
        name, spec = parse_requirement(requirement)
    except ValueError as exc:
        found.skipped.append(ManifestSkip(rel, number, f"{exc}: {line!r}"))
        return
    key = normalise_pypi(name)
    found.dependencies.append(Dependency(rel, PYPI, key, dev, spec, exact_version(spec)))
