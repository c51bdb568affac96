"""How complex a source file is, measured from its text: pure functions, no files.

Two measures:

- **lines of code**: non-blank lines that are not only a comment, for the languages whose
  comment syntax is known here (by file extension); for other text files, non-blank lines. It
  is comparable across languages, which is why hotspots rank by it, and studies of real code
  find it tracks cyclomatic complexity closely.
- **cyclomatic complexity** for Python, from the syntax tree (``ast``): 1 for the module, plus
  1 per function, plus 1 per decision point (``if``/``elif``, ``for``, ``while``, ``except``,
  conditional expression, comprehension loop and condition, ``case``, and each extra operand of
  ``and``/``or``). This is the sum of McCabe's number over the module and its functions.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import PurePosixPath

_HASH = ("#",)
_SLASH = ("//",)
LINE_COMMENTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (".py", ".pyi", ".rb", ".sh", ".bash", ".zsh", ".pl", ".r", ".toml", ".yaml", ".yml"),
        _HASH,
    ),
    **dict.fromkeys(
        (
            ".c",
            ".h",
            ".cc",
            ".cpp",
            ".hpp",
            ".cs",
            ".java",
            ".kt",
            ".kts",
            ".scala",
            ".go",
            ".rs",
            ".js",
            ".jsx",
            ".mjs",
            ".cjs",
            ".ts",
            ".tsx",
            ".swift",
            ".dart",
            ".php",
        ),
        _SLASH,
    ),
    **dict.fromkeys((".sql", ".lua", ".hs", ".elm"), ("--",)),
    **dict.fromkeys((".clj", ".cljs", ".el", ".lisp", ".scm"), (";",)),
    ".erl": ("%",),
    ".ex": _HASH,
    ".exs": _HASH,
}
# Languages with /* ... */ block comments (all of the // ones, plus CSS).
BLOCK_COMMENTS = frozenset({ext for ext, marks in LINE_COMMENTS.items() if marks == _SLASH}) | {
    ".css",
    ".scss",
    ".less",
}


def lines_of_code(text: str, path: str) -> int:
    """Non-blank lines of ``text`` that hold more than a comment (by ``path``'s extension)."""
    suffix = PurePosixPath(path).suffix.lower()
    marks = LINE_COMMENTS.get(suffix, ())
    blocks = suffix in BLOCK_COMMENTS
    count, in_block = 0, False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if in_block:
            if "*/" in line:
                in_block = False
                line = line.split("*/", 1)[1].strip()
                if not line:
                    continue
            else:
                continue
        if blocks and line.startswith("/*"):
            rest = line[2:]
            if "*/" not in rest:
                in_block = True
                continue
            line = rest.split("*/", 1)[1].strip()
            if not line:
                continue
        if marks and line.startswith(marks):
            continue
        count += 1
    return count


# Each of these adds one: a function (def or lambda) or a decision point.
_COUNTED = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.IfExp,
    ast.ExceptHandler,
    ast.match_case,
)


def python_cyclomatic(text: str) -> int | None:
    """Cyclomatic complexity of a Python module (see the module notes); None if it won't parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. invalid escape sequences in old code
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    total = 1
    for node in ast.walk(tree):
        if isinstance(node, _COUNTED):
            total += 1
        elif isinstance(node, ast.comprehension):
            total += 1 + len(node.ifs)
        elif isinstance(node, ast.BoolOp):
            total += len(node.values) - 1
    return total
