"""Small, fast questions to a git repository: which branch and head, its tags, ancestry.

Each is one short ``git`` call; the no-op re-ingest asks only ``resolve_branch`` before it knows
there is nothing to do, so these must stay cheap (no history walk).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from productpath.errors import InputError


@dataclass(frozen=True)
class GitTagRecord:
    """A tag; ``sha`` is the commit it points at (annotated tags peeled)."""

    name: str
    sha: str
    tagged_at: dt.datetime | None  # tagger date, or the commit date for a lightweight tag


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    return env


def _call(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, env=_env(), check=False
        )
    except FileNotFoundError as exc:  # no git binary at all
        raise InputError("the 'git' program is not installed or not on PATH") from exc


def _first_line(raw: bytes) -> str:
    lines = [ln.strip() for ln in raw.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[0] if lines else ""


def run_git(repo: Path, *args: str) -> str:
    """Stdout of ``git args`` in ``repo``; InputError with git's first stderr line on failure."""
    done = _call(repo, *args)
    if done.returncode != 0:
        reason = _first_line(done.stderr) or f"git {args[0]} exited with {done.returncode}"
        raise InputError(reason, file=repo)
    return done.stdout.decode("utf-8", "replace")


def resolve_branch(repo: Path, branch: str | None) -> tuple[str, str]:
    """(branch name, head sha) of ``branch`` or, when None, of the checked-out branch."""
    if not repo.is_dir():
        raise InputError("no such folder", file=repo)
    if branch is None:
        done = _call(repo, "rev-parse", "--abbrev-ref", "HEAD")
        if done.returncode != 0:
            raise _head_error(repo, done.stderr)
        branch = done.stdout.decode("utf-8", "replace").strip()
    done = _call(
        repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{branch}^{{commit}}"
    )
    if done.returncode != 0:
        err = _first_line(done.stderr)
        if "not a git repository" in err:
            raise InputError("not a git repository", file=repo)
        # The name resolves but not to a readable commit: the object store is damaged.
        named = _call(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", branch)
        if named.returncode == 0:
            sha = named.stdout.decode("ascii").strip()
            raise InputError(f"cannot read commit {sha} of '{branch}' (missing object?)", file=repo)
        raise InputError(f"unknown branch '{branch}'", file=repo)
    return branch, done.stdout.decode("ascii").strip()


def _head_error(repo: Path, stderr: bytes) -> InputError:
    err = _first_line(stderr)
    if "not a git repository" in err:
        return InputError("not a git repository", file=repo)
    if "unknown revision" in err or "ambiguous argument 'HEAD'" in err:
        return InputError("the repository has no commits yet", file=repo)
    return InputError(err or "cannot read HEAD", file=repo)


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    """Whether ``ancestor`` is in the history of ``descendant`` (False when it is gone)."""
    return _call(repo, "merge-base", "--is-ancestor", ancestor, descendant).returncode == 0


def count_commits(repo: Path, revision: str) -> int:
    """How many commits ``git log revision`` would show (cheap: no diffs)."""
    return int(run_git(repo, "rev-list", "--count", revision, "--").strip() or 0)


def shallow_commits(repo: Path) -> list[str]:
    """The commits whose parents a shallow clone lacks; empty for a full clone."""
    path = run_git(repo, "rev-parse", "--git-path", "shallow").strip()
    shallow = Path(path) if Path(path).is_absolute() else repo / path
    if not shallow.is_file():
        return []
    return sorted(line.strip() for line in shallow.read_text("ascii").splitlines() if line.strip())


_TAG_FORMAT = (
    "%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)"
    "%00%(creatordate:unix)"
)


def read_tags(repo: Path) -> list[GitTagRecord]:
    """Every tag that leads to a commit, by name; tags of trees or blobs are left out."""
    out = run_git(repo, "for-each-ref", f"--format={_TAG_FORMAT}", "refs/tags")
    tags: list[GitTagRecord] = []
    for line in out.splitlines():
        name, kind, sha, peeled_kind, peeled, when = line.split("\0")
        if kind == "tag":
            kind, sha = peeled_kind, peeled
            if kind == "tag":  # a tag of a tag: let git peel it all the way
                sha = run_git(repo, "rev-parse", f"refs/tags/{name}^{{commit}}").strip()
                kind = "commit"
        if kind != "commit":
            continue
        tagged_at = dt.datetime.fromtimestamp(int(when), tz=dt.UTC) if when else None
        tags.append(GitTagRecord(name=name, sha=sha, tagged_at=tagged_at))
    return sorted(tags, key=lambda t: t.name)
