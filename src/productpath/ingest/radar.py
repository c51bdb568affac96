"""Read ``radar.yaml``: the team's tech radar, one ring (adopt, trial, assess, hold) per
technology, each with the reason for it.

::

    version: 1
    technologies:
      - name: django
        ecosystem: PyPI          # optional: match only this ecosystem's packages
        ring: adopt
        reason: Our web framework; the team knows it well.
        matches: [django-*]      # optional: more package names (glob patterns) it covers

Every error names the file, the line and the field (``technologies[2].ring``), found through
ruamel.yaml's round-trip loader, which remembers where each key and item was.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from productpath.domain.stack import ECOSYSTEMS, RINGS, Radar, RadarEntry
from productpath.errors import InputError
from productpath.ingest._yaml_errors import line_of, load_yaml, render_path

ENTRY_KEYS = ("name", "ecosystem", "ring", "reason", "matches")
TOP_KEYS = ("version", "technologies")


def read_radar(path: Path) -> Radar:
    """The radar in the file at ``path``; InputError naming file, line and field."""
    if not path.is_file():
        raise InputError("radar file not found" if not path.exists() else "not a file", file=path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text; save the file as UTF-8", file=path, line=line) from None
    return parse_radar(text, file=path)


def parse_radar(text: str, file: str | Path = "<string>") -> Radar:
    """Validate radar YAML given as text; ``file`` only names it in errors."""
    root = _load(text, file)
    if root is None:
        return Radar(str(file), ())
    if not isinstance(root, dict):
        raise InputError(
            "the top level must be a mapping with a 'technologies' list", file=file, line=1
        )
    _known_keys(root, (), TOP_KEYS, file)
    if root.get("version", 1) != 1:
        raise _error(
            root,
            ("version",),
            f"unsupported version {root['version']!r}; this productpath reads version 1",
            file,
        )
    items = root.get("technologies") or []
    if not isinstance(items, list):
        raise _error(root, ("technologies",), "must be a list of entries", file)
    entries: list[RadarEntry] = []
    seen: dict[tuple[str, str | None], int] = {}
    for index, item in enumerate(items):
        entry = _entry(root, index, item, file)
        key = (entry.name.lower(), entry.ecosystem)
        if key in seen:
            raise _error(
                root,
                ("technologies", index, "name"),
                f"'{entry.name}' is already on the radar (entry {seen[key] + 1})",
                file,
            )
        seen[key] = index
        entries.append(entry)
    return Radar(str(file), tuple(entries))


def _entry(root: Any, index: int, item: Any, file: str | Path) -> RadarEntry:
    at: tuple[str | int, ...] = ("technologies", index)
    if not isinstance(item, dict):
        raise _error(root, at, "must be a mapping with name, ring and reason", file)
    _known_keys(item, at, ENTRY_KEYS, file, root)
    name = _text(root, item, (*at, "name"), file)
    ring = _text(root, item, (*at, "ring"), file).lower()
    if ring not in RINGS:
        raise _error(root, (*at, "ring"), f"must be one of {', '.join(RINGS)}, got {ring!r}", file)
    reason = _text(root, item, (*at, "reason"), file)
    ecosystem = None
    if item.get("ecosystem") is not None:
        given = _text(root, item, (*at, "ecosystem"), file)
        ecosystem = next((e for e in ECOSYSTEMS if e.lower() == given.lower()), None)
        if ecosystem is None:
            raise _error(
                root,
                (*at, "ecosystem"),
                f"must be one of {', '.join(ECOSYSTEMS)}, got {given!r}",
                file,
            )
    matches = item.get("matches") or []
    if isinstance(matches, str):
        matches = [matches]
    if not isinstance(matches, list) or not all(isinstance(m, str) and m.strip() for m in matches):
        raise _error(root, (*at, "matches"), "must be a list of package names or patterns", file)
    line = line_of(root, at)
    return RadarEntry(name, ring, reason, ecosystem, tuple(str(m).strip() for m in matches), line)


def _text(root: Any, item: dict[str, Any], path: tuple[str | int, ...], file: str | Path) -> str:
    key = str(path[-1])
    if key not in item or item[key] is None:
        raise _error(root, path, "is required", file)
    value = item[key]
    if not isinstance(value, str):
        raise _error(root, path, f"must be text, got {value!r}; put it in quotes", file)
    if not value.strip():
        raise _error(root, path, "must not be empty", file)
    return value.strip()


def _known_keys(
    node: dict[str, Any],
    at: tuple[str | int, ...],
    allowed: tuple[str, ...],
    file: str | Path,
    root: Any = None,
) -> None:
    for key in node:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(allowed)}"
        raise _error(
            root if root is not None else node,
            (*at, str(key)),
            f"unknown key '{key}'; {hint}",
            file,
        )


def _error(root: Any, path: tuple[str | int, ...], reason: str, file: str | Path) -> InputError:
    return InputError(reason, file=file, line=line_of(root, path), field=render_path(path))


def _load(text: str, file: str | Path) -> Any:
    return load_yaml(text, file)
