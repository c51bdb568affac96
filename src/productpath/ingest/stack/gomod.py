"""go.mod: the modules a Go module requires directly.

Since Go 1.17, ``go mod tidy`` writes the version the build selects for every requirement, so
that version is both the declared and the locked one (go.sum only adds checksums).
Requirements marked ``// indirect`` are transitive and left out, like the other ecosystems'
lock-only packages; ``replace`` directives are not applied.
"""

from __future__ import annotations

import re
from pathlib import Path

from productpath.domain.stack import GO, Dependency
from productpath.ingest.stack.model import ManifestSkip, Parsed, read_text, relative

_REQUIREMENT = re.compile(r'^("[^"]+"|\S+)\s+(v\S+)$')
_BLOCK_START = re.compile(r"^(\w+)\s*\($")


def read(path: Path, root: Path) -> Parsed:
    rel = relative(path, root)
    found = Parsed()
    block: str | None = None
    block_line = 0
    for number, raw in enumerate(read_text(path, rel).splitlines(), start=1):
        code, _, comment = raw.partition("//")
        line = code.strip()
        indirect = comment.strip().startswith("indirect")
        if not line:
            continue
        if block is not None:
            if line == ")":
                block = None
            elif block == "require":
                _require(found, rel, number, line, indirect)
            continue
        start = _BLOCK_START.match(line)
        if start:
            block, block_line = start.group(1), number
            continue
        verb, _, rest = line.partition(" ")
        if verb == "require":
            _require(found, rel, number, rest.strip(), indirect)
    if block is not None:
        found.skipped.append(ManifestSkip(rel, block_line, f"'{block} (' is never closed"))
    return found


def _require(found: Parsed, rel: str, number: int, text: str, indirect: bool) -> None:
    match = _REQUIREMENT.match(text)
    if match is None:
        found.skipped.append(ManifestSkip(rel, number, f"cannot read the requirement {text!r}"))
        return
    if indirect:
        return
    module, version = match.group(1).strip('"'), match.group(2)
    found.dependencies.append(Dependency(rel, GO, module, False, version, version))
