"""Rewrite references to moved modules (and moved names) after a structural move.

    python tools/rewrite_imports.py                   rewrite src/, tests/, bench/, tools/, docs/
    python tools/rewrite_imports.py PATH ...          rewrite only these files or folders
    python tools/rewrite_imports.py --check           list the files that still need rewriting

The moves are read from ``tools/module_moves.json`` (old dotted module -> new dotted module) and
``tools/name_moves.json`` (``old.module:Name`` -> ``new.module``: a class or constant that moved
to another module under the same name). Both are kept so that a branch written before the move
can be brought up to date by running this script on it. What is rewritten:

- dotted references anywhere (``import``, ``from``, strings, docs): ``productpath.services.git``;
- the short forms the docs use: ``services.git`` and ``services/git.py``;
- ``from productpath.services import a, b``, split by the package each name now lives in;
- ``from old.module import Name`` where ``Name`` moved: the name is imported from its new home.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = [
    "src",
    "tests",
    "bench",
    "tools",
    "docs",
    "README.md",
    "Makefile",
    "pyproject.toml",
]
SUFFIXES = {".py", ".md", ".toml", ".cfg", ".ini", ".txt", ".html", ".yaml", ".yml", ""}
SKIP = {"module_moves.json", "name_moves.json", "rewrite_imports.py"}


def load_moves() -> tuple[dict[str, str], dict[str, str]]:
    modules = json.loads((ROOT / "tools" / "module_moves.json").read_text(encoding="utf-8"))
    names_file = ROOT / "tools" / "name_moves.json"
    names = json.loads(names_file.read_text(encoding="utf-8")) if names_file.exists() else {}
    return modules, names


def _dotted_pattern(old: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.])" + re.escape(old) + r"(?![\w])")


def rewrite_modules(text: str, moves: dict[str, str]) -> str:
    text = _rewrite_package_imports(text, moves)
    for old, new in sorted(moves.items(), key=lambda item: -len(item[0])):
        text = _dotted_pattern(old).sub(new, text)
        short_old = old.removeprefix("productpath.")
        short_new = new.removeprefix("productpath.")
        # ``services.git`` in prose; not when it is the tail of a longer dotted name.
        text = _dotted_pattern(short_old).sub(short_new, text)
        text = re.sub(
            r"(?<![\w/])" + re.escape(short_old.replace(".", "/")) + r"\.py\b",
            short_new.replace(".", "/") + ".py",
            text,
        )
    return text


_FROM_PACKAGE = re.compile(
    r"^(?P<indent>[ \t]*)from (?P<package>productpath(?:\.\w+)*) import (?P<names>[\w ,]+?)[ \t]*$",
    re.MULTILINE,
)


def _rewrite_package_imports(text: str, moves: dict[str, str]) -> str:
    """``from productpath.services import a, b`` -> one line per package the names live in now."""

    def replace(match: re.Match[str]) -> str:
        package = match["package"]
        groups: dict[str, list[str]] = defaultdict(list)
        for item in match["names"].split(","):
            item = item.strip()
            name = item.split(" as ")[0].strip()
            target = moves.get(f"{package}.{name}")
            home = target.rsplit(".", 1)[0] if target else package
            if target and target.rsplit(".", 1)[1] != name:
                alias = item.split(" as ")[1].strip() if " as " in item else name
                item = f"{target.rsplit('.', 1)[1]} as {alias}"
            groups[home].append(item)
        if set(groups) == {package}:
            return match.group(0)
        indent = match["indent"]
        return "\n".join(
            f"{indent}from {home} import {', '.join(sorted(items))}"
            for home, items in sorted(groups.items())
        )

    return _FROM_PACKAGE.sub(replace, text)


_FROM_MODULE = re.compile(
    r"^(?P<indent>[ \t]*)from (?P<module>productpath(?:\.\w+)+) import "
    r"(?:\((?P<block>[^)]*)\)|(?P<line>[^\n(]+))",
    re.MULTILINE,
)


def rewrite_names(text: str, moves: dict[str, str]) -> str:
    """``from old import Name, Other`` -> ``from new import Name`` and ``from old import Other``."""
    by_module: dict[str, dict[str, str]] = defaultdict(dict)
    for key, new in moves.items():
        module, name = key.split(":")
        by_module[module][name] = new

    def replace(match: re.Match[str]) -> str:
        module = match["module"]
        if module not in by_module:
            return match.group(0)
        raw = match["block"] if match["block"] is not None else match["line"]
        comment = ""
        if match["line"] is not None and "#" in raw:
            raw, comment = raw.split("#", 1)
            comment = "  #" + comment
        items = [i.strip() for i in raw.replace("\n", " ").split(",") if i.strip()]
        groups: dict[str, list[str]] = defaultdict(list)
        for item in items:
            name = item.split(" as ")[0].strip()
            groups[by_module[module].get(name, module)].append(item)
        if set(groups) == {module}:
            return match.group(0)
        indent = match["indent"]
        lines = []
        for home, names in sorted(groups.items()):
            joined = ", ".join(sorted(names))
            line = f"{indent}from {home} import {joined}"
            if len(line) > 100:
                body = "".join(f"{indent}    {n},\n" for n in sorted(names))
                line = f"{indent}from {home} import (\n{body}{indent})"
            lines.append(line)
        return "\n".join(lines) + comment

    return _FROM_MODULE.sub(replace, text)


def files_under(paths: list[str]) -> list[Path]:
    found = []
    for raw in paths:
        path = (ROOT / raw) if not Path(raw).is_absolute() else Path(raw)
        candidates = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for candidate in candidates:
            if (
                candidate.is_file()
                and candidate.suffix in SUFFIXES
                and candidate.name not in SKIP
                and "__pycache__" not in candidate.parts
            ):
                found.append(candidate)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    parser.add_argument("--check", action="store_true", help="only list files needing a rewrite")
    args = parser.parse_args(argv)
    module_moves, name_moves = load_moves()
    stale = []
    for path in files_under(args.paths):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        new = rewrite_names(rewrite_modules(text, module_moves), name_moves)
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in stale:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
