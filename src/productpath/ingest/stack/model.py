"""The records every manifest reader yields, and the small helpers they share."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from productpath.domain.stack import Dependency
from productpath.errors import InputError


@dataclass(frozen=True, order=True)
class ManifestSkip:
    """A manifest, lock file or line that could not be read, and why; the scan goes on."""

    file: str
    line: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason}

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass
class Parsed:
    """What one reader found in one manifest: dependencies and the parts it had to skip."""

    dependencies: list[Dependency] = field(default_factory=list)
    skipped: list[ManifestSkip] = field(default_factory=list)


def relative(path: Path, root: Path) -> str:
    """``path`` relative to the scanned folder, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, rel: str) -> str:
    """The file as text; InputError naming it when it is unreadable or not UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=rel) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", file=rel, line=line) from exc


_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")


def read_toml(path: Path, rel: str) -> dict[str, Any]:
    """A TOML file as a dict; InputError with the line tomllib names when it is malformed."""
    return parse_toml(read_text(path, rel), rel)


def parse_toml(text: str, rel: str) -> dict[str, Any]:
    """TOML text as a dict; InputError naming ``rel`` and the line when it is malformed."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_WHERE.search(str(exc))
        line = int(found.group(1)) if found and found.group(1) else None
        if found and line is None:
            line = max(len(text.splitlines()), 1)  # "end of document": the last line
        reason = _TOML_WHERE.sub("", str(exc))
        raise InputError(
            f"invalid TOML: {reason[:1].lower()}{reason[1:]}", file=rel, line=line
        ) from None


def table(data: Any, key: str) -> dict[str, Any]:
    """``data[key]`` when it is a table, else an empty one (absent or wrong-typed sections)."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}
