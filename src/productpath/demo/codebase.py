"""The Pocket app's source files for the demo repository, and how their text changes.

A file is a header plus named blocks (functions, sections). A change to a file is an
:class:`Op` that sets one block (or the whole text) from an old value to a new one, so a change
can be replayed onto another version of the file (a merge) or undone (a revert) without a real
diff algorithm. The text is generated from small vocabularies with a seeded ``random.Random``:
it reads like code at a glance, which is all a commit history needs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

Lines = tuple[str, ...]

_VERBS = (
    *("load", "record", "check", "build", "apply", "resolve", "send", "find", "update"),
    *("validate", "schedule", "cancel", "confirm", "publish", "refresh", "split"),
)
_ERRORS = ("NotFound", "Declined", "Conflict", "ProviderError", "ValidationError")
_EVENTS = ("created", "retried", "settled", "failed", "queued", "expired", "confirmed")


@dataclass(frozen=True)
class Op:
    """Set ``block`` of ``path`` (None: the whole text) from ``old`` to ``new``.

    ``old`` None means it did not exist; ``new`` None removes it. The inverse swaps the two.
    """

    path: str
    block: str | None
    old: Lines | None
    new: Lines | None

    def inverse(self) -> Op:
        return Op(self.path, self.block, self.new, self.old)


@dataclass
class Source:
    """A file: header lines, then named blocks in order (a whole-text file has no blocks)."""

    header: Lines
    blocks: dict[str, Lines] = field(default_factory=dict)

    def render(self) -> str:
        parts = ["\n".join(self.header)] + ["\n".join(lines) for lines in self.blocks.values()]
        gap = "\n\n\n" if self.blocks and _is_python(self.header) else "\n\n"
        return gap.join(part for part in parts if part) + "\n"

    def copy(self) -> Source:
        return Source(self.header, dict(self.blocks))


Tree = dict[str, Source]


def apply(tree: Tree, op: Op) -> None:
    """Set what ``op`` sets. Lenient, so a replay onto another version of the file works."""
    if op.block is None:
        if op.new is None:
            tree.pop(op.path, None)
        else:
            tree[op.path] = Source(op.new)
        return
    source = tree.setdefault(op.path, Source(header_for(op.path)))
    if op.new is None:
        source.blocks.pop(op.block, None)
    else:
        source.blocks[op.block] = op.new


def _is_python(header: Lines) -> bool:
    return bool(header) and header[0].startswith('"""')


def header_for(path: str) -> Lines:
    """The first lines of a new file at ``path``."""
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0].replace("_", " ")
    if path.endswith(".py"):
        area = path.split("/")[-2].replace("_", " ")
        return (
            f'"""{area.capitalize()}: {stem}."""',
            "",
            "from __future__ import annotations",
            "",
            "import logging",
            "",
            "log = logging.getLogger(__name__)",
        )
    if path.endswith((".ts", ".tsx")):
        return (f"// {stem}", 'import { api } from "../api/client";')
    if path.endswith(".md"):
        return (f"# {stem.capitalize()}",)
    return ()


def _pick(rng: random.Random, words: tuple[str, ...]) -> str:
    return words[rng.randrange(len(words))]


def block_name(rng: random.Random, path: str, nouns: tuple[str, ...], taken: set[str]) -> str:
    """A new function (or section) name for ``path`` that the file does not have yet."""
    base = f"{_pick(rng, _VERBS)}_{_pick(rng, nouns)}"
    if path.endswith((".ts", ".tsx")):
        head, _, tail = base.partition("_")
        base = head + tail.replace("_", " ").title().replace(" ", "")
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


def new_block(rng: random.Random, path: str, name: str, nouns: tuple[str, ...]) -> Lines:
    """The text of a new block called ``name`` in ``path``."""
    if path.endswith(".md"):
        return (f"## {name.replace('_', ' ').capitalize()}", "", *_prose(rng, nouns, 2, 4))
    if path.endswith((".ts", ".tsx")):
        noun = _pick(rng, nouns).replace("_", "")
        body = [_ts_line(rng, nouns) for _ in range(rng.randint(2, 6))]
        return (
            f"export async function {name}({noun}Id: string): Promise<void> {{",
            *body,
            "}",
        )
    noun = _pick(rng, nouns)
    body = [_py_line(rng, nouns) for _ in range(rng.randint(3, 9))]
    return (
        f"def {name}({noun}_id: str) -> None:",
        f'    """{name.replace("_", " ").capitalize()} for one {noun.replace("_", " ")}."""',
        *body,
    )


def edit_block(rng: random.Random, path: str, lines: Lines, nouns: tuple[str, ...]) -> Lines:
    """``lines`` with one to three body lines rewritten or added: a typical small change."""
    if len(lines) < 2:
        return (*lines, *_prose(rng, nouns, 1, 1))
    keep_head = 2 if path.endswith(".py") else 1
    body = list(lines[keep_head:])
    tail = [body.pop()] if path.endswith((".ts", ".tsx")) and body else []
    make = _ts_line if path.endswith((".ts", ".tsx")) else _py_line
    if path.endswith(".md"):
        make = _md_line
    for _ in range(rng.randint(1, 3)):
        if body and rng.random() < 0.6:
            body[rng.randrange(len(body))] = make(rng, nouns)
        else:
            body.insert(rng.randint(0, len(body)), make(rng, nouns))
    return (*lines[:keep_head], *body, *tail)


def _py_line(rng: random.Random, nouns: tuple[str, ...]) -> str:
    noun = _pick(rng, nouns)
    shapes = (
        f"    {noun} = {_pick(rng, _VERBS)}_{noun}({noun}_id)",
        f"    if {noun} is None:\n        raise {_pick(rng, _ERRORS)}({noun}_id)",
        f'    log.info("{noun}.{_pick(rng, _EVENTS)}", {noun}_id={noun}_id)',
        f"    {noun}.status = Status.{_pick(rng, _EVENTS).upper()}",
        f"    for item in {noun}.items:\n        {_pick(rng, _VERBS)}(item)",
        f"    retries = min(retries + 1, settings.max_{noun}_retries)",
        f"    session.add({noun})",
    )
    return _pick(rng, shapes)


def _ts_line(rng: random.Random, nouns: tuple[str, ...]) -> str:
    noun = _pick(rng, nouns).replace("_", "")
    shapes = (
        f"  const {noun} = await api.get(`/{noun}s/${{{noun}Id}}`);",
        f'  track("{noun}_{_pick(rng, _EVENTS)}", {{ {noun}Id }});',
        f'  if (!{noun}Id) throw new Error("missing {noun}");',
        f"  store.set{noun.capitalize()}({noun}Id);",
    )
    return _pick(rng, shapes)


def _md_line(rng: random.Random, nouns: tuple[str, ...]) -> str:
    return _prose(rng, nouns, 1, 1)[0]


def _prose(rng: random.Random, nouns: tuple[str, ...], low: int, high: int) -> Lines:
    lines = []
    for _ in range(rng.randint(low, high)):
        noun = _pick(rng, nouns).replace("_", " ")
        lines.append(
            f"When a {noun} is {_pick(rng, _EVENTS)}, we {_pick(rng, _VERBS)} it and log the "
            f"{_pick(rng, nouns).replace('_', ' ')}."
        )
    return tuple(lines)
