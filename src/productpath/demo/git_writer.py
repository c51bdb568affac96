"""Write the demo repository: play the planned events into ``git fast-import``.

fast-import takes exact dates and full file contents, so the whole history is written by one
process in well under a second, and the same events always give the same commit ids. Reverts
quote the id of the commit they revert, which fast-import reports through ``get-mark``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from productpath.demo import manifests, story
from productpath.demo.codebase import (
    Op,
    Tree,
    apply,
    block_name,
    edit_block,
    header_for,
    new_block,
)
from productpath.demo.git_events import Event
from productpath.demo.git_history import plan_history
from productpath.demo.story import PEOPLE

MAX_BLOCKS = 14  # a file stops growing here; later changes edit or remove its functions
_STATIC = {
    ".gitignore": ("__pycache__/", ".venv/", "node_modules/", "*.pyc", ".env"),
    ".github/workflows/ci.yml": (
        "name: ci",
        "on: [push, pull_request]",
        "jobs:",
        "  backend:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - run: pip install -r requirements.txt && pytest tests",
        "  mobile:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - run: cd mobile && npm ci && npm test",
    ),
}


@dataclass(frozen=True)
class RepositoryFacts:
    """What was written: counts a test can check against the ingested history."""

    path: Path
    commits: int
    merges: int
    tags: int
    head: str


@dataclass
class _State:
    trees: dict[str, Tree] = field(default_factory=lambda: {"main": {}})
    tips: dict[str, int] = field(default_factory=dict)
    branch_ops: dict[str, list[Op]] = field(default_factory=dict)
    named: dict[str, tuple[int, list[Op], str]] = field(default_factory=dict)
    versions: manifests.Versions = field(default_factory=manifests.Versions)
    marks: int = 0
    merges: int = 0
    tags: int = 0


def git_env() -> dict[str, str]:
    """git with no user or system configuration, so every machine writes the same objects."""
    env = dict(os.environ)
    env.update(
        {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C",
            "GIT_TERMINAL_PROMPT": "0",
        }
    )
    return env


def write_repository(repo: Path, today: dt.date) -> RepositoryFacts:
    """Create the demo repository at ``repo`` (which must not exist) with its files checked out."""
    env = git_env()
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], env=env, check=True)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=repo,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    state = _State()
    rng = random.Random("pocket-demo-content-1")
    try:
        for event in plan_history(today):
            _play(proc.stdin, proc.stdout, state, event, rng)
        proc.stdin.write(b"done\n")
        proc.stdin.close()
    finally:
        if proc.wait() != 0:
            raise RuntimeError(f"git fast-import failed with exit code {proc.returncode}")
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=repo, env=env, check=True)
    head = (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, env=env, check=True, capture_output=True
        )
        .stdout.decode()
        .strip()
    )
    return RepositoryFacts(repo, state.marks, state.merges, state.tags, head)


def _play(out: IO[bytes], back: IO[bytes], state: _State, event: Event, rng: random.Random) -> None:
    main = state.trees["main"]
    if event.kind == "tag":
        person = PEOPLE[event.who]
        out.write(f"tag {event.ref}\nfrom :{state.tips['main']}\n".encode())
        out.write(f"tagger {person.name} <{person.email}> {event.when} {person.tz}\n".encode())
        _data(out, event.message.encode() + b"\n")
        state.tags += 1
        return
    if event.branch != "main" and event.branch not in state.trees:
        state.trees[event.branch] = {path: source.copy() for path, source in main.items()}
        state.tips[event.branch] = state.tips["main"]
        state.branch_ops[event.branch] = []
    tree = state.trees[event.branch]
    message = event.message
    ops: list[Op] = []
    merge_from: int | None = None
    if event.kind == "import":
        ops = _import_ops(rng, event.files, state.versions)
    elif event.kind in {"edit", "sweep"}:
        mode = (
            "sweep" if event.kind == "sweep" else "feature" if event.branch != "main" else "chore"
        )
        for path in event.files:
            ops += _edit_ops(rng, tree, path, mode)
    elif event.kind == "merge":
        ops = state.branch_ops.pop(event.ref)
        merge_from = state.tips.pop(event.ref)
        del state.trees[event.ref]
        state.merges += 1
    elif event.kind == "bump":
        package, version = event.package
        before = state.versions.render()
        old = state.versions.bump(package, version)
        after = state.versions.render()
        ops = [_text_op(p, before[p], after[p]) for p in manifests.FILES if before[p] != after[p]]
        message = f"Bump {package} from {old} to {version}"
    elif event.kind == "revert":
        mark, reverted, subject = state.named[event.target]
        ops = [op.inverse() for op in reversed(reverted)]
        out.write(f"get-mark :{mark}\n".encode())
        out.flush()
        sha = back.readline().decode().strip()
        message = f'Revert "{subject}"\n\nThis reverts commit {sha}.'
    elif event.kind == "mailmap":
        hugo, (_, alias) = PEOPLE["hugo"], story.SECOND_EMAIL
        ops = [Op(".mailmap", None, None, (f"{hugo.name} <{hugo.email}> <{alias}>",))]
    for op in ops:
        apply(tree, op)
    if event.branch != "main":
        state.branch_ops[event.branch].extend(ops)
    state.marks += 1
    mark = state.marks
    parent = state.tips.get(event.branch)
    _commit(out, event, mark, parent, merge_from, message, {op.path for op in ops}, tree)
    state.tips[event.branch] = mark
    if event.name:
        state.named[event.name] = (mark, ops, message.split("\n", 1)[0])


def _commit(
    out: IO[bytes],
    event: Event,
    mark: int,
    parent: int | None,
    merge_from: int | None,
    message: str,
    paths: set[str],
    tree: Tree,
) -> None:
    person = PEOPLE[event.who]
    name, email = person.name, person.email
    if event.alias:
        name, email = "hugo", story.SECOND_EMAIL[1]
    author = f"{name} <{email}> {event.when} {person.tz}"
    committer = "GitHub <noreply@github.com> " + f"{event.when} +0000"
    if event.committer != "github":
        committer = author
    ref = "refs/heads/main" if event.branch == "main" else event.branch
    out.write(f"commit {ref}\nmark :{mark}\nauthor {author}\ncommitter {committer}\n".encode())
    _data(out, message.encode() + b"\n")
    if parent is not None:
        out.write(f"from :{parent}\n".encode())
    if merge_from is not None:
        out.write(f"merge :{merge_from}\n".encode())
    for path in sorted(paths):
        source = tree.get(path)
        if source is None:
            out.write(f"D {path}\n".encode())
            continue
        out.write(f"M 100644 inline {path}\n".encode())
        _data(out, source.render().encode())
    out.write(b"\n")


def _data(out: IO[bytes], payload: bytes) -> None:
    out.write(f"data {len(payload)}\n".encode())
    out.write(payload)
    out.write(b"\n")


def _text_op(path: str, old: str | None, new: str) -> Op:
    return Op(
        path, None, tuple(old.splitlines()) if old is not None else None, tuple(new.splitlines())
    )


def _import_ops(
    rng: random.Random, files: tuple[str, ...], versions: manifests.Versions
) -> list[Op]:
    ops = [_text_op(path, None, text) for path, text in versions.render().items()]
    ops += [Op(path, None, None, lines) for path, lines in _STATIC.items()]
    for path in files:
        ops.append(Op(path, None, None, header_for(path)))
        taken: set[str] = set()
        for _ in range(rng.randint(2, 4)):
            name = block_name(rng, path, _nouns(path), taken)
            taken.add(name)
            ops.append(Op(path, name, None, new_block(rng, path, name, _nouns(path))))
    return ops


def _edit_ops(rng: random.Random, tree: Tree, path: str, mode: str) -> list[Op]:
    """One change to ``path``: add a function (features), edit one (fixes), or remove one."""
    nouns = _nouns(path)
    source = tree.get(path)
    blocks = source.blocks if source is not None else {}
    roll = rng.random()
    grow = {"feature": 0.45, "chore": 0.2, "sweep": 0.0}[mode]
    if not blocks or (roll < grow and len(blocks) < MAX_BLOCKS):
        name = block_name(rng, path, nouns, set(blocks))
        return [Op(path, name, None, new_block(rng, path, name, nouns))]
    name = rng.choice(list(blocks))
    if roll > 0.95 and len(blocks) > 3 and mode != "sweep":
        return [Op(path, name, blocks[name], None)]
    return [Op(path, name, blocks[name], edit_block(rng, path, blocks[name], nouns))]


def _nouns(path: str) -> tuple[str, ...]:
    for part in reversed(path.split("/")[:-1]):
        if part in story.NOUNS:
            return story.NOUNS[part]
    return story.NOUNS["docs"]
