"""Real git repositories for tests, built with the ``git`` binary in tmp_path.

Dates are fixed (one hour apart from BASE) and the user's own git configuration is ignored,
so the same steps give the same commit ids. ``sample_repo`` builds the shared history once per
session; tests that change it work on a copy (``copy_repo``).

The sample history, oldest first:
    1 add README.md, src/app.py               Ada <ada@pocket.example>
    2 add logo.png (binary)                   Ada <ada.old@home.example> (.mailmap: -> Ada)
    3 rename src/app.py -> src/main.py        Bo  <bo@pocket.example>      tag v0.1 (annotated)
    4 on topic: add src/feature.py            Bo
    5 on main: edit README.md                 Ada
    6 merge topic into main                   Ada                          tag v0.2 (lightweight)
    7 latin-1 message, declared ("café")      Chen <chen@pocket.example>
    8 message bytes that are not UTF-8        Chen (written without ``git commit``)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

BASE = 1_700_000_000  # 2023-11-14T22:13:20Z
ADA = ("Ada Lovelace", "ada@pocket.example")
ADA_OLD = ("ada", "ada.old@home.example")
BO = ("Bo Silva", "bo@pocket.example")
CHEN = ("Chen Wu", "chen@pocket.example")
SAMPLE_COMMITS = 8


class Repo:
    """A repository under construction; each commit gets the next fixed timestamp."""

    def __init__(self, root: Path, *, start: int = 0) -> None:
        self.root = root
        self.tick = start

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_AUTHOR_DATE": f"{BASE + 3600 * self.tick} +0000",
                "GIT_COMMITTER_DATE": f"{BASE + 3600 * self.tick} +0000",
                "GIT_COMMITTER_NAME": "CI",
                "GIT_COMMITTER_EMAIL": "ci@pocket.example",
            }
        )
        return env

    def git(self, *args: str, input: bytes | None = None) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.root), *args],
            input=input,
            capture_output=True,
            env=self.env(),
            check=True,
        )
        return done.stdout.decode("utf-8", "replace").strip()

    @classmethod
    def init(cls, root: Path) -> Repo:
        root.mkdir(parents=True)
        repo = cls(root)
        repo.git("init", "-q", "-b", "main")
        # Commits made without --author (the merge) are Ada's.
        repo.git("config", "user.name", ADA[0])
        repo.git("config", "user.email", ADA[1])
        repo.git("config", "commit.gpgsign", "false")
        return repo

    def write(self, path: str, content: str | bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    def commit(
        self, message: str | bytes, author: tuple[str, str] = ADA, *, config: tuple[str, ...] = ()
    ) -> str:
        """Commit everything in the work tree; returns the new sha."""
        self.tick += 1
        self.git("add", "-A")
        name, email = author
        raw = message if isinstance(message, bytes) else message.encode()
        self.git(
            *config, "commit", "-q", "--allow-empty", f"--author={name} <{email}>", "-F", "-",
            input=raw,
        )  # fmt: skip
        return self.head()

    def commit_raw(self, message: bytes, author: tuple[str, str] = ADA) -> str:
        """Commit with the message bytes exactly as given: ``git commit`` would re-encode bytes
        that are not UTF-8, so the commit object is written by hand, as old tools did."""
        self.tick += 1
        self.git("add", "-A")
        tree = self.git("write-tree")
        when = f"{BASE + 3600 * self.tick} +0000"
        name, email = author
        header = (
            f"tree {tree}\nparent {self.head()}\nauthor {name} <{email}> {when}\n"
            f"committer CI <ci@pocket.example> {when}\n\n"
        )
        sha = self.git(
            "hash-object", "-t", "commit", "-w", "--stdin", input=header.encode() + message
        )
        self.git("update-ref", "HEAD", sha)
        return sha

    def head(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", rev)


def build_sample(root: Path) -> Repo:
    repo = Repo.init(root)
    repo.write(".mailmap", f"{ADA[0]} <{ADA[1]}> <{ADA_OLD[1]}>\n")
    repo.write("README.md", "# Pocket\n\nPayments.\n")
    repo.write("src/app.py", "print('hello')\nprint('world')\n")
    repo.commit("Add README and app\n\nThe first version.", ADA)
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary\x00data")
    repo.commit("Add logo", ADA_OLD)
    repo.git("mv", "src/app.py", "src/main.py")
    repo.commit("Rename app to main", BO)
    repo.git("tag", "-a", "v0.1", "-m", "First release")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("src/feature.py", "def feature():\n    return 42\n")
    repo.commit("Add feature", BO)
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "# Pocket\n\nPayments for everyone.\n")
    repo.commit("Reword README", ADA)
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'")
    repo.git("branch", "-q", "-D", "topic")
    repo.git("tag", "v0.2")
    repo.write("NOTES.txt", "notes\n")
    repo.commit("Caf\xe9 menu".encode("latin-1"), CHEN, config=("-c", "i18n.commitEncoding=latin1"))
    repo.write("NOTES.txt", "notes\nmore\n")
    repo.commit_raw(b"Broken \xff\xfe bytes\n\nbody \xe9\n", CHEN)
    return repo


def copy_repo(template: Path, dest: Path) -> Repo:
    shutil.copytree(template, dest, symlinks=True)
    repo = Repo(dest, start=100)
    return repo


def loose_object_path(repo: Repo, sha: str) -> Path:
    return repo.root / ".git" / "objects" / sha[:2] / sha[2:]
