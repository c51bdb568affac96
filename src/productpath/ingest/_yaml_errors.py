"""Turn validation problems into what a person fixes: a line, a readable field, a reason.

Pydantic and the roadmap rules both report a path such as ``("initiatives", 3, "team")``. The
round-trip YAML tree remembers the line of every key and list item, so walking the same path
through it finds the line; the deepest part of the path that exists in the file is used (a
missing key is reported on the line of the mapping that lacks it).
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from productpath.domain.roadmap import RoadmapDoc
from productpath.domain.yaml_limits import check_yaml_limits
from productpath.errors import InputError

Loc = Sequence[str | int]


def load_yaml(
    text: str,
    file: str | Path,
    *,
    error: type[InputError] = InputError,
    constructor: Any = None,
) -> Any:
    """``text`` read with ruamel's round-trip loader, which keeps every node's line.

    Any YAML problem becomes one ``error`` naming the file and, where ruamel knows it, the
    line; so do aliases or nesting beyond the bounds of :mod:`.yaml_limits`. ``constructor``
    replaces ruamel's (the roadmap keeps dates as text with one).
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    check_yaml_limits(text, file, error=error)  # before anything is built from it
    yaml = YAML(typ="rt")
    if constructor is not None:
        yaml.Constructor = constructor
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = "; ".join(p for p in (exc.context, exc.problem) if p)
        raise error(
            f"invalid YAML: {reason}", file=file, line=mark.line + 1 if mark else None
        ) from None
    except ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise error(
            f"invalid YAML: character U+{exc.character:04X} is not allowed; "
            "write it as an escape inside double quotes",
            file=file,
            line=line,
        ) from None
    except YAMLError as exc:
        raise error(f"invalid YAML: {exc}", file=file) from None
    except (ValueError, TypeError) as exc:
        # An explicit tag ruamel cannot build, e.g. "!!int twelve"; it gives no position.
        raise error(f"invalid YAML value: {exc}", file=file) from None


def line_of(root: Any, path: Loc) -> int:
    """1-based line of the deepest part of ``path`` that exists in the YAML tree ``root``."""
    node, line = root, _start_line(root)
    for part in path:
        if isinstance(node, dict):
            key = next((k for k in node if k == part or str(k) == str(part)), None)
            if key is None:
                break
            line = _lc(node).key(key)[0] + 1
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            line = _lc(node).item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _lc(node: Any) -> Any:
    """ruamel's record of where a container's keys and items were (untyped)."""
    return node.lc


def _start_line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return int(lc.line) + 1 if lc is not None and lc.line is not None else 1


def render_path(path: Loc) -> str:
    """``("initiatives", 3, "team")`` as ``initiatives[3].team``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def first_problem(root: Any, exc: ValidationError) -> tuple[tuple[str | int, ...], str, int]:
    """The path and reason of the error nearest the top of the file, and how many others."""
    errors = exc.errors(include_url=False)
    # Within one mapping, a missing key is reported after the others: when a key is both
    # missing and unknown, it is usually misspelt, and "did you mean" says more.
    first = min(
        errors,
        key=lambda e: (
            line_of(root, e["loc"][:-1]),
            e["type"] == "missing",
            line_of(root, e["loc"]),
        ),
    )
    return tuple(first["loc"]), _reason(first), len(errors) - 1


def reason(error: ErrorDetails) -> str:
    """One validation error in the words the roadmap file's errors use."""
    return _reason(error)


def _reason(error: ErrorDetails) -> str:
    kind, loc, value = error["type"], error["loc"], error["input"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind in {"string_too_short", "too_short"} and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        if "@" in str(ctx.get("pattern", "")):
            return f"must be an e-mail address like ana@example.com, got {value!r}"
        if str(ctx.get("pattern", "")).startswith("^[a-z0-9]+(-"):
            return (
                "must be a KPI key as 'productpath kpi list' shows it (lower-case letters and "
                f"digits, words joined by '-'), got {value!r}"
            )
        return (
            f"must be an id made of letters, digits, '-', '_' or '.', starting with a "
            f"letter or digit, got {value!r}"
        )
    if kind == "string_type" and isinstance(value, int | float):
        return f"must be text, got {value!r}; put it in quotes"
    if kind == "literal_error" and tuple(loc) == ("version",):
        return f"unsupported version {value!r}; this productpath reads version 1"
    message = error["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
    if kind in {"enum", "literal_error"}:
        message += f", got {value!r}"
    return message[:1].lower() + message[1:]


def _unknown_key(loc: Loc) -> str:
    key = str(loc[-1])
    model = _model_at(loc[:-1])
    if model is None:
        return f"unknown key '{key}'"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"unknown key '{key}'; did you mean '{close[0]}'?"
    return f"unknown key '{key}'; expected one of: {', '.join(allowed)}"


def _model_at(path: Loc) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path``, following field annotations."""
    current: Any = RoadmapDoc
    for part in path:
        if isinstance(part, int):
            continue  # an item of a tuple field, already unwrapped below
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """``X | None`` and ``tuple[X, ...]`` as ``X``; anything else as it is."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _unwrap(args[0])
    if origin is tuple and args:
        return _unwrap(args[0])
    return annotation
