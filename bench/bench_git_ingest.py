"""How fast `git ingest` is, against raw `git log --numstat` (the floor) and PyDriller.

python bench/bench_git_ingest.py [--commits N] [--rounds R] [--real PATH | --no-real]

Builds (once, cached in bench/.cache/) a deterministic synthetic repository with
`git fast-import` (see synth_repo.py: 20,000 commits, ~2,400 files, merges, renames, binary
files, tags, two e-mails for some authors), then measures, each in a fresh process:

- the floor: `git log --numstat` on the same repository, its output read through a pipe;
- `productpath git ingest` of the whole history into a fresh SQLite workspace (the CLI);
- the same command again, with nothing new (the no-op);
- the same command after 100 new commits (incremental);
- PyDriller over the first 1,000 commits (hash, author, dates, message, parents, files with
  added/deleted lines: what the ingest stores), extrapolated per 1,000 and to the whole history.

Best of R rounds (default 3) for each, except PyDriller (one round: it is the slow one). Then the
same on a real repository (default: the repository this file is in) without the incremental
step. Needs `pydriller` installed (the `bench` extra); without it that row says so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
sys.path.insert(0, str(HERE))

from synth_repo import build  # noqa: E402

PYDRILLER_PROBE = """
import sys, time
from pydriller import Repository
limit = int(sys.argv[2])
began = time.perf_counter()
n = 0
for c in Repository(sys.argv[1]).traverse_commits():
    row = (c.hash, c.author.name, c.author.email, c.author_date, c.committer_date, c.msg,
           tuple(c.parents), c.merge)
    files = [(m.new_path, m.old_path, m.added_lines, m.deleted_lines) for m in c.modified_files]
    n += 1
    if n >= limit:
        break
print(n, time.perf_counter() - began)
"""


def productpath_cmd() -> list[str]:
    script = Path(sys.executable).parent / "productpath"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from productpath.cli.main import run; run()"]


def timed(cmd: list[str], *, read_output: bool = False) -> float:
    """Wall seconds of one fresh process; its output is read fully through a pipe."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err.decode(errors='replace')[-500:]}")
    del out  # read fully (as a consumer would), then dropped
    return seconds


def best(rounds: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(rounds))


def init_workspace(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    subprocess.run([*productpath_cmd(), "-w", str(root), "init"], check=True, capture_output=True)
    return root


def add_commits(repo: Path, count: int) -> None:
    """``count`` more commits on main, each editing one or two files, like a week of work."""
    lines = [b"commit refs/heads/main\n"]
    stream = bytearray()
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, check=True, text=True
    ).stdout.strip()
    when = 1_800_000_000
    for i in range(count):
        stream += lines[0]
        stream += f"committer Late Dev <late@pocket.example> {when + 600 * i} +0000\n".encode()
        message = f"Late change {i}\n".encode()
        stream += b"data %d\n%s\n" % (len(message), message)
        if i == 0:
            stream += f"from {head}\n".encode()
        for j in range(1 + i % 2):
            body = "".join(f"line {k} of change {i}\n" for k in range(20 + i)).encode()
            stream += f"M 100644 inline src/late/file_{(i + j) % 15}.py\n".encode()
            stream += b"data %d\n%s\n" % (len(body), body)
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=bytes(stream), check=True
    )
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"], check=True)


def pydriller_per_1000(repo: Path, limit: int) -> tuple[float, int] | None:
    """(seconds per 1,000 commits, commits read) or None when PyDriller is not installed."""
    try:
        import pydriller  # noqa: F401
    except ImportError:
        return None
    done = subprocess.run(
        [sys.executable, "-c", PYDRILLER_PROBE, str(repo), str(limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    read, seconds = done.stdout.split()
    return float(seconds) / int(read) * 1000, int(read)


def commit_count(repo: Path) -> int:
    out = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--count", "HEAD"],
        capture_output=True,
        check=True,
        text=True,
    )
    return int(out.stdout)


def measure(
    repo: Path, work: Path, rounds: int, *, incremental: bool, pydriller_limit: int
) -> list[tuple[str, float, str]]:
    """(measure, seconds, target) rows for one repository; the floor comes first."""
    pp = productpath_cmd()
    commits = commit_count(repo)
    floor_runs: list[float] = []
    full_runs: list[float] = []
    # Floor and ingest alternate, so a busy moment on the machine hits both alike.
    for _ in range(rounds):
        floor_runs.append(timed(["git", "-C", str(repo), "log", "--numstat"]))
        ws = init_workspace(work / "ws")
        full_runs.append(timed([*pp, "-w", str(ws), "git", "ingest", str(repo)]))
    floor, full_s = min(floor_runs), min(full_runs)
    rows = [(f"git log --numstat, {commits:,} commits (floor)", floor, "")]
    rows.append(("productpath git ingest, full (CLI)", full_s, "<= 1.5x floor"))
    noop = best(rounds, lambda: timed([*pp, "-w", str(work / "ws"), "git", "ingest", str(repo)]))
    rows.append(("productpath git ingest, no-op re-run (CLI)", noop, "< 0.5 s"))
    if incremental:
        db = work / "ws" / ".productpath" / "productpath.db"
        saved = work / "saved.db"
        shutil.copyfile(db, saved)
        add_commits(repo, 100)

        def incremental_run() -> float:
            shutil.copyfile(saved, db)
            for extra in ("-wal", "-shm"):
                Path(f"{db}{extra}").unlink(missing_ok=True)
            return timed([*pp, "-w", str(work / "ws"), "git", "ingest", str(repo)])

        rows.append(
            ("productpath git ingest, +100 commits (CLI)", best(rounds, incremental_run), "")
        )
    per_1000 = pydriller_per_1000(repo, pydriller_limit)
    if per_1000 is None:
        rows.append(("PyDriller: not installed (pip install pydriller)", float("nan"), ""))
    else:
        seconds, read = per_1000
        rows.append((f"PyDriller, per 1,000 commits (first {read:,})", seconds, ""))
        whole = seconds * commits / 1000
        rows.append(
            (f"PyDriller, extrapolated to {commits:,} commits", whole, ">= 10x productpath")
        )
    return rows


def print_table(title: str, rows: list[tuple[str, float, str]]) -> None:
    floor = rows[0][1]
    full = rows[1][1]
    print(f"\n{title}\n")
    print("| measure | seconds | vs floor | target |")
    print("|---|---:|---:|---|")
    for name, seconds, target in rows:
        ratio = f"{seconds / floor:.2f}x" if "no-op" not in name and "+100" not in name else ""
        if name.startswith("PyDriller, per"):
            ratio = ""
        shown = "n/a" if seconds != seconds else f"{seconds:.2f}"
        print(f"| {name} | {shown} | {ratio} | {target} |")
    pyd = [s for n, s, _ in rows if n.startswith("PyDriller, extrapolated")]
    if pyd:
        print(f"\nPyDriller takes {pyd[0] / full:.1f}x the time of productpath's full ingest.")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pydriller-commits", type=int, default=1000)
    parser.add_argument("--real", type=Path, default=HERE.parent, help="a real repository")
    parser.add_argument("--no-real", action="store_true", help="skip the real repository")
    args = parser.parse_args(argv)

    cached = CACHE / f"synth-{args.commits}"
    if not (cached / ".complete").exists():
        shutil.rmtree(cached, ignore_errors=True)
        began = time.perf_counter()
        build(cached, args.commits)
        (cached / ".complete").write_text("ok\n")
        print(f"built {cached} in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    print(f"machine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="pp-bench-git-") as tmp:
        work = Path(tmp)
        # A clone sharing the cached objects: the incremental step adds commits to it only.
        repo = work / "synth"
        subprocess.run(["git", "clone", "-q", "--shared", str(cached), str(repo)], check=True)
        rows = measure(
            repo, work, args.rounds, incremental=True, pydriller_limit=args.pydriller_commits
        )
        print_table(f"Synthetic repository ({args.commits:,} commits, git fast-import)", rows)
        real = args.real.resolve()
        if not args.no_real and (real / ".git").exists():
            real_work = work / "real"
            real_work.mkdir()
            limit = args.pydriller_commits
            rows = measure(real, real_work, args.rounds, incremental=False, pydriller_limit=limit)
            print_table(f"Real repository: {real.name}", rows)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
