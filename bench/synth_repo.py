"""A large, realistic git repository built deterministically with ``git fast-import``.

python bench/synth_repo.py DEST [--commits N] [--seed S]

The history has a few thousand files in nested folders that grow, change a few lines at a time,
get renamed and occasionally deleted; a handful of binary files; ~60 authors, some committing
under two e-mails that the repository's .mailmap merges; every 20th main-line commit merges a
short topic branch; a tag every ~500 commits (annotated and lightweight alternate). The same
seed gives the same repository, byte for byte (same commit ids).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

AREAS = ["payments", "ledger", "cards", "onboarding", "notifications", "reports", "auth", "api"]
LAYERS = ["core", "adapters", "handlers", "models", "tests", "utils"]
VERBS = ["Fix", "Add", "Refactor", "Speed up", "Document", "Remove", "Handle", "Rename", "Test"]
THINGS = [
    "retry on timeout",
    "currency rounding",
    "empty statement",
    "webhook signature",
    "pagination cursor",
    "stale cache",
    "login throttle",
    "CSV export",
    "push token refresh",
    "card freeze flow",
]
WORDS = [
    "the",
    "a",
    "value",
    "result",
    "item",
    "amount",
    "user",
    "card",
    "entry",
    "total",
    "state",
    "flag",
    "retry",
    "ledger",
]
START = 1_546_300_800  # 2019-01-01T00:00:00Z


class Synth:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.files: dict[str, list[str]] = {}
        self.binaries: list[str] = []
        self.when = START
        self.mark = 0
        self.authors = self._authors()

    def _authors(self) -> list[tuple[str, str, str | None]]:
        """(name, work e-mail, second e-mail or None) for 60 people."""
        first = ["Ada", "Bo", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun"]
        last = ["Okafor", "Silva", "Kowalski", "Nguyen", "Larsen", "Haddad"]
        people = []
        for i in range(60):
            name = f"{first[i % 10]} {last[i // 10]}"
            login = name.lower().replace(" ", ".")
            second = f"{login.split('.')[0]}{i}@users.noreply.example" if i % 4 == 0 else None
            people.append((name, f"{login}@pocket.example", second))
        return people

    def line(self) -> str:
        words = self.rng.sample(WORDS, self.rng.randint(3, 7))
        return f"    {'_'.join(words[:2])} = {' + '.join(words[2:])}  # {self.rng.randint(0, 999)}"

    def new_path(self) -> str:
        area, layer = self.rng.choice(AREAS), self.rng.choice(LAYERS)
        sub = f"v{self.rng.randint(1, 6)}"
        return f"src/{area}/{layer}/{sub}/mod_{len(self.files)}_{self.rng.randint(0, 99)}.py"

    def edit(self, path: str) -> None:
        lines = self.files[path]
        for _ in range(self.rng.randint(1, 4)):
            at = self.rng.randint(0, len(lines))
            roll = self.rng.random()
            if roll < 0.5 or len(lines) < 10:
                lines[at:at] = [self.line() for _ in range(self.rng.randint(1, 6))]
            elif roll < 0.8:
                del lines[at : at + self.rng.randint(1, 3)]
            else:
                lines[at : at + 1] = [self.line()]

    def author(self) -> tuple[str, str]:
        # A skewed choice, as in real teams: a few people write most commits.
        name, work, second = self.authors[int(self.rng.paretovariate(1.2)) % len(self.authors)]
        return name, (second if second and self.rng.random() < 0.4 else work)

    def message(self) -> bytes:
        subject = f"{self.rng.choice(VERBS)} {self.rng.choice(THINGS)} in {self.rng.choice(AREAS)}"
        if self.rng.random() < 0.3:
            subject += f" (POCKET-{self.rng.randint(1, 900)})"
        body = ""
        if self.rng.random() < 0.4:
            body = "\n\n" + " ".join(self.rng.choices(WORDS, k=self.rng.randint(8, 40)))
        return (subject + body + "\n").encode()


def _data(out: BinaryIO, payload: bytes) -> None:
    out.write(b"data %d\n" % len(payload))
    out.write(payload)
    out.write(b"\n")


def _file(out: BinaryIO, path: str, payload: bytes) -> None:
    out.write(f"M 100644 inline {path}\n".encode())
    _data(out, payload)


def _commit(s: Synth, out: BinaryIO, ref: str, parents: list[int]) -> int:
    s.mark += 1
    s.when += s.rng.randint(600, 6 * 3600)
    name, email = s.author()
    out.write(f"commit {ref}\nmark :{s.mark}\n".encode())
    out.write(f"author {name} <{email}> {s.when} +0000\n".encode())
    out.write(f"committer {name} <{email}> {s.when} +0000\n".encode())
    _data(out, s.message())
    if parents:
        out.write(f"from :{parents[0]}\n".encode())
        for extra in parents[1:]:
            out.write(f"merge :{extra}\n".encode())
    return s.mark


def _changes(s: Synth, out: BinaryIO, *, topic: bool) -> dict[str, list[str]]:
    """Edit, add, rename or delete a few files; returns the edited files' new content."""
    touched: dict[str, list[str]] = {}
    roll = s.rng.random()
    if not topic and roll < 0.03 and len(s.files) > 50:
        old = s.rng.choice(sorted(s.files))
        new = s.new_path()
        s.files[new] = s.files.pop(old)
        out.write(f"R {old} {new}\n".encode())
        return touched
    if not topic and roll < 0.04 and len(s.files) > 500:
        gone = s.rng.choice(sorted(s.files))
        del s.files[gone]
        out.write(f"D {gone}\n".encode())
        return touched
    if roll < 0.15 or len(s.files) < 400:
        path = s.new_path()
        s.files[path] = [s.line() for _ in range(s.rng.randint(20, 80))]
        touched[path] = s.files[path]
    paths = sorted(s.files)
    for path in s.rng.sample(paths, min(len(paths), s.rng.randint(1, 3))):
        s.edit(path)
        touched[path] = s.files[path]
    for path, lines in touched.items():
        _file(out, path, ("\n".join(lines) + "\n").encode())
    return touched


def write_stream(out: BinaryIO, commits: int, seed: int) -> int:
    """Write a fast-import stream of about ``commits`` commits; returns the exact number."""
    s = Synth(seed)
    main: int | None = None
    count = tagged = 0
    mailmap = "".join(
        f"{name} <{work}> <{second}>\n" for name, work, second in s.authors if second is not None
    )
    while count < commits:
        count += 1
        if main is not None and count % 20 == 0 and count + 3 <= commits:
            # A topic branch of two commits, then a merge commit that brings it in.
            side = main
            merged: dict[str, list[str]] = {}
            for _ in range(2):
                side = _commit(s, out, "refs/heads/topic", [side])
                merged.update(_changes(s, out, topic=True))
            count += 2
            main = _commit(s, out, "refs/heads/main", [main, side])
            for path, lines in merged.items():
                _file(out, path, ("\n".join(lines) + "\n").encode())
        else:
            main = _commit(s, out, "refs/heads/main", [main] if main else [])
            if count == 1:
                _file(out, ".mailmap", mailmap.encode())
            if count % 997 == 0 or count == 2:
                path = f"assets/img/banner_{len(s.binaries) % 5}.png"
                s.binaries.append(path)
                blob = bytes(s.rng.getrandbits(8) for _ in range(2048))
                _file(out, path, b"\x89PNG\r\n\x1a\n\0" + blob)
            else:
                _changes(s, out, topic=False)
        if count // 500 > tagged:
            tagged = count // 500
            _tag(s, out, f"v{tagged}.0", main)
    return count


def _tag(s: Synth, out: BinaryIO, name: str, mark: int) -> None:
    if int(name[1:].split(".")[0]) % 2:
        out.write(f"tag {name}\nfrom :{mark}\n".encode())
        out.write(f"tagger Release Bot <release@pocket.example> {s.when} +0000\n".encode())
        _data(out, f"Release {name}\n".encode())
    else:
        out.write(f"reset refs/tags/{name}\nfrom :{mark}\n\n".encode())


def build(dest: Path, commits: int = 20_000, seed: int = 7) -> Path:
    """Create the repository at ``dest`` (which must not exist) and pack it like a real one."""
    dest.mkdir(parents=True)
    git = ["git", "-C", str(dest)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    proc = subprocess.Popen([*git, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    write_stream(proc.stdin, commits, seed)
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("git fast-import failed")
    subprocess.run([*git, "update-ref", "-d", "refs/heads/topic"], check=True)
    subprocess.run([*git, "repack", "-adq", "--window=50"], check=True)
    subprocess.run([*git, "checkout", "-q", "main"], check=True)
    return dest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    build(args.dest, args.commits, args.seed)
    print(f"built {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
