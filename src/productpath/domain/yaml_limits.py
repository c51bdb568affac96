"""Bounds on the shape of YAML a user hands us, checked before anything is built from it.

``roadmap.yaml`` arrives through pull requests and CI, scenario and radar files are shared
around: a 424-byte file of nested aliases (``&a [*a, *a, ...]`` nine levels deep, a "billion
laughs") expands to hundreds of millions of values, and 500 levels of ``[[[...]]]`` end in a
``RecursionError`` inside the loader. Aliases are useful (one RACI list named once and reused),
so they stay allowed, within a budget: together they may stand for at most
:data:`MAX_ALIAS_VALUES` values. Nesting may go :data:`MAX_DEPTH` levels deep, far beyond any
real file.

The check walks the parser's event stream, which is flat and built without recursion, and
counts what each anchor stands for; nothing is expanded.
"""

from __future__ import annotations

from pathlib import Path

from productpath.errors import InputError

MAX_ALIAS_VALUES = 10_000
MAX_DEPTH = 64


def check_yaml_limits(text: str, file: str | Path, *, error: type[InputError] = InputError) -> None:
    """Raise ``error`` naming ``file`` and the line when ``text`` nests deeper than
    :data:`MAX_DEPTH` or its aliases stand for more than :data:`MAX_ALIAS_VALUES` values.

    YAML syntax errors are left for the loader to report (the walk stops at them)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        ScalarEvent,
    )

    # Each open collection: its anchor (if any) and how many values it holds, aliases expanded.
    open_nodes: list[tuple[str | None, list[int]]] = [(None, [0])]
    sizes: dict[str, int] = {}
    from_aliases = 0
    try:
        for event in YAML(typ="rt").parse(text):
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, CollectionStartEvent):
                if len(open_nodes) > MAX_DEPTH:
                    raise error(
                        f"the YAML nests deeper than {MAX_DEPTH} levels; no real file needs that",
                        file=file,
                        line=line,
                    )
                open_nodes.append((event.anchor, [1]))
            elif isinstance(event, CollectionEndEvent):
                anchor, count = open_nodes.pop()
                if anchor is not None:
                    sizes[anchor] = count[0]
                open_nodes[-1][1][0] += count[0]
            elif isinstance(event, ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                open_nodes[-1][1][0] += 1
            elif isinstance(event, AliasEvent):
                size = sizes.get(event.anchor, 1)
                from_aliases += size
                if from_aliases > MAX_ALIAS_VALUES:
                    raise error(
                        f"YAML aliases here would expand to more than {MAX_ALIAS_VALUES:,} "
                        "values (an alias bomb?); write the values out instead",
                        file=file,
                        line=line,
                    )
                open_nodes[-1][1][0] += size
    except YAMLError:
        return  # the loader reports the syntax error with its line
