"""Gemfile, with locked versions from Gemfile.lock beside it.

The Gemfile is Ruby, read here line by line for the common forms: ``gem "name", "~> 1.2",
group: :test`` and ``group :development, :test do ... end`` blocks. Gems only in the
development and test groups are development ones. A ``gem`` line this reader cannot follow is
reported and skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

from productpath.domain.stack import RUBYGEMS, Dependency
from productpath.errors import InputError
from productpath.ingest.stack.model import ManifestSkip, Parsed, read_text, relative

DEV_GROUPS = frozenset({"development", "test"})
_STRING = re.compile(r"""^(?:"([^"]*)"|'([^']*)')$""")
_SYMBOL = re.compile(r"""^:(\w+)$|^["'](\w+)["']$""")
_OPTION = re.compile(r"^:?(\w+)(?::\s*|\s*=>\s*)(.*)$", re.DOTALL)
_BLOCK = re.compile(r"\bdo(\s*\|[^|]*\|)?$")
_LOCK_SPEC = re.compile(r"^    (\S+) \(([^)]+)\)$")


def read(path: Path, root: Path) -> Parsed:
    rel = relative(path, root)
    found = Parsed()
    locked = _lock_versions(path.parent / "Gemfile.lock", root, found)
    blocks: list[tuple[int, list[str]]] = []  # (line, groups) of each open do ... end
    for number, raw in enumerate(read_text(path, rel).splitlines(), start=1):
        line = re.sub(r"\s+#.*$", "", raw).strip()
        if not line or line.startswith("#"):
            continue
        if line == "end":
            if not blocks:
                found.skipped.append(ManifestSkip(rel, number, "'end' without a block to close"))
            else:
                blocks.pop()
            continue
        block = _BLOCK.search(line)
        if block:
            is_group = line.startswith("group")
            blocks.append((number, _symbols(line[5 : block.start()]) if is_group else []))
            continue
        if re.match(r"gem[\s(]", line):
            outer = [g for _, gs in blocks for g in gs]
            _gem(found, rel, number, line, outer, locked)
    for number, _ in blocks:
        found.skipped.append(ManifestSkip(rel, number, "block opened with 'do' is never closed"))
    return found


def _gem(
    found: Parsed, rel: str, number: int, line: str, outer: list[str], locked: dict[str, str]
) -> None:
    args = _split_args(line[3:].strip().removeprefix("(").removesuffix(")"))
    name = _STRING.match(args[0]) if args else None
    if name is None:
        found.skipped.append(ManifestSkip(rel, number, f"cannot read the gem line {line!r}"))
        return
    gem = name.group(1) if name.group(1) is not None else name.group(2)
    requirements: list[str] = []
    groups = list(outer)
    for arg in args[1:]:
        string = _STRING.match(arg)
        option = _OPTION.match(arg)
        if string:
            requirements.append(string.group(1) if string.group(1) is not None else string.group(2))
        elif option and option.group(1) in {"group", "groups"}:
            groups += _symbols(option.group(2))
    dev = bool(groups) and set(groups) <= DEV_GROUPS
    declared = ", ".join(requirements) or None
    found.dependencies.append(Dependency(rel, RUBYGEMS, gem, dev, declared, locked.get(gem)))


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments, respecting quotes and brackets."""
    args, current, depth, quote = [], "", 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[({":
            depth += 1
        elif char in "])}":
            depth -= 1
        elif char == "," and depth == 0:
            args.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        args.append(current.strip())
    return args


def _symbols(text: str) -> list[str]:
    """``:development, :test`` or ``[:development, "test"]`` as ``["development", "test"]``."""
    names = []
    for part in re.split(r"[,\s\[\]]+", text.strip()):
        match = _SYMBOL.match(part)
        if match:
            names.append(match.group(1) or match.group(2))
    return names


def _lock_versions(lock: Path, root: Path, found: Parsed) -> dict[str, str]:
    """name -> version from the ``specs:`` lists of Gemfile.lock (platform suffixes dropped)."""
    if not lock.is_file():
        return {}
    try:
        text = read_text(lock, relative(lock, root))
    except InputError as exc:
        found.skipped.append(ManifestSkip(exc.file or "Gemfile.lock", exc.line, exc.reason))
        return {}
    versions: dict[str, str] = {}
    for raw in text.splitlines():
        match = _LOCK_SPEC.match(raw)
        if match:
            version = re.sub(r"-[A-Za-z].*$", "", match.group(2))  # 1.16.0-x86_64-linux
            versions.setdefault(match.group(1), version)
    return versions
