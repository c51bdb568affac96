"""Reliability figures in one table: fuzzed imports, SIGKILLed jobs, concurrent writers.

python bench/bench_reliability.py [--examples N] [--kills K] [--skip-kills]

- Fuzz: N hypothesis inputs per importer (default 1,200; 9 importers, >= 10,000 in all), using
  the same harness as tests/test_fuzz_imports.py. Counts: inputs tried, imported, refused with
  a clear error, crashes (any other exception), partial writes, errors not naming the file.
- Kills: K SIGKILLs per job (feedback import, roadmap apply, insights run) per database
  (SQLite; PostgreSQL when PRODUCTPATH_TEST_DATABASE_URL is set), with integrity checks.
- Concurrency: two CLI feedback importers at once on one SQLite workspace while the web server
  answers pages, initiative edits (PATCH with version) and comments in a loop: lost rows, lost
  acknowledged web writes, "database is locked" messages seen by the user and HTTP 5xx.
"""

from __future__ import annotations

import argparse
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hypothesis import HealthCheck, given, settings  # noqa: E402

from crash_harness import (  # noqa: E402
    CLI,
    counts,
    env_for,
    jobs,
    kill_at_random,
    run_cli,
    write_feedback,
)
from fuzz_inputs import IMPORTERS, Outcome, attempt, malformed  # noqa: E402
from productpath.services.workspace import init_workspace, open_workspace  # noqa: E402
from productpath.settings import Settings  # noqa: E402


def fuzz(
    folder: Path, examples: int, only: set[str] | None = None
) -> list[tuple[str, int, int, int, int, int, int]]:
    root = folder / "fuzz-ws"
    init_workspace(root, "Pocket", None)
    rows = []
    with open_workspace(Settings(workspace=root, database_url=None)) as handle:
        for importer in IMPORTERS:
            if only and importer.name not in only:
                continue
            seen: list[Outcome] = []
            path = folder / f"input{importer.suffix}"

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(data=malformed(importer))
            def run(data: bytes) -> None:
                seen.append(attempt(importer, handle, path, data))  # noqa: B023

            run()
            crashes = [o.crash for o in seen if o.crash]
            for crash in sorted(set(c for c in crashes if c))[:3]:
                print(f"  crash in {importer.name}: {crash}", file=sys.stderr)
            rows.append(
                (
                    importer.name,
                    len(seen),
                    sum(o.ok for o in seen),
                    sum(o.refused for o in seen),
                    len(crashes),
                    sum(o.partial_write for o in seen),
                    sum(o.unnamed_file for o in seen),
                )
            )
    return rows


def kills(
    folder: Path, per_job: int, databases: list[str | None]
) -> list[tuple[str, str, int, int]]:
    rows = []
    rng = random.Random(9)
    for url in databases:
        for index in range(3):
            root = folder / f"kill-{uuid.uuid4().hex[:6]}"
            init_workspace(root, "Pocket", url)
            store_url = url or f"sqlite:///{root / '.productpath' / 'productpath.db'}"
            env = env_for(root, url)
            job = jobs(folder, 10_000)[index]
            full_time = 3.0
            if job.name == "insights run":
                write_feedback(folder / "small.csv", 300, seed=4)
                small = ["feedback", "import", str(folder / "small.csv"), "--text-column", "text"]
                run_cli([*small, "--id-column", "id"], env)
                started = time.monotonic()
                run_cli(job.args, env)
                full_time = time.monotonic() - started
            report = kill_at_random(
                job, env, store_url, kills=per_job, rng=rng, full_time=full_time
            )
            for problem in report.problems:
                print(f"  {job.name} on {report.database}: {problem}", file=sys.stderr)
            rows.append((job.name, report.database, report.kills, report.survived))
    return rows


def _serve(root: Path) -> tuple[Any, threading.Thread, str]:
    """The web app under uvicorn in a thread, on a free port."""
    import uvicorn

    from productpath.web import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    app = create_app(Settings(workspace=root, database_url=None))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


def concurrent_writers(folder: Path) -> tuple[int, int, int, int, int, int]:
    """Two CLI importers and the web server (edits and comments in a loop) on one workspace.

    Returns (rows sent, rows stored, web writes acknowledged, web writes lost, 'locked' messages
    seen by the user, HTTP 5xx answers).
    """
    import httpx

    from web_fixtures import seed

    root = folder / "concurrent"
    init_workspace(root, "Pocket", None)
    with open_workspace(Settings(workspace=root, database_url=None)) as handle:
        seed(handle)
    url = f"sqlite:///{root / '.productpath' / 'productpath.db'}"
    before = counts(url, ("feedback_item", "comment"))
    env = env_for(root, None)
    files = [write_feedback(folder / f"w{i}.csv", 4_000, seed=i) for i in range(2)]
    # Distinct ids per file, so both files' rows must all be stored.
    for i, file in enumerate(files):
        file.write_text(file.read_text().replace("\nf", f"\nw{i}-f"))
    server, thread, base = _serve(root)
    processes = [
        subprocess.Popen(
            [*CLI, "feedback", "import", str(f), "--text-column", "text", "--id-column", "id"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    locked = errors = comments = edits = 0
    start_version = 0
    with httpx.Client(base_url=base, timeout=120) as web:
        while any(p.poll() is None for p in processes):
            answers = [web.get(page) for page in ("/", "/feedback", "/initiatives/dark-mode")]
            current = web.get("/api/v1/initiatives/dark-mode")
            version = current.json()["version"]
            start_version = start_version or version
            status = ("planned", "in_progress")[edits % 2]
            edit = web.patch(
                "/api/v1/initiatives/dark-mode", json={"version": version, "status": status}
            )
            edits += edit.status_code == 200
            said = web.post(
                "/initiatives/dark-mode/comments",
                data={"body": f"comment {comments}"},
                follow_redirects=False,
            )
            comments += said.status_code == 303
            for answer in (*answers, current, edit, said):
                errors += answer.status_code >= 500
                locked += "database is locked" in answer.text
    for process in processes:
        _, err = process.communicate()
        locked += err.count("locked")
    server.should_exit = True
    thread.join(timeout=10)
    stored, stored_comments = counts(url, ("feedback_item", "comment"))
    with (
        open_workspace(Settings(workspace=root, database_url=None)) as handle,
        handle.store.read() as s,
    ):
        from sqlalchemy import text

        version = s.execute(
            text("SELECT version FROM initiative WHERE key = 'dark-mode'")
        ).scalar_one()
    lost_web = (comments - (stored_comments - before[1])) + (
        edits - (version - start_version) if start_version else 0
    )
    return 8_000, stored - before[0], comments + edits, lost_web, locked, errors


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=1_200, help="inputs per importer")
    parser.add_argument("--kills", type=int, default=6, help="SIGKILLs per job and database")
    parser.add_argument("--skip-kills", action="store_true", help="fuzz and concurrency only")
    parser.add_argument("--only", default="", help="comma-separated importer names to fuzz")
    args = parser.parse_args(argv[1:])
    import os

    pg = os.environ.get("PRODUCTPATH_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.monotonic()
        fuzz_rows = fuzz(folder, args.examples, set(filter(None, args.only.split(","))))
        fuzz_time = time.monotonic() - started
        kill_rows = (
            [] if args.skip_kills else kills(folder, args.kills, [None, *([pg] if pg else [])])
        )
        expected, stored, web_writes, web_lost, locked, errors = concurrent_writers(folder)
    print(
        f"{'importer':<16} {'inputs':>7} {'ok':>6} {'refused':>8} {'crashes':>8} "
        f"{'partial':>8} {'no file':>8}"
    )
    for name, n, ok, refused, crashes, partial, unnamed in fuzz_rows:
        print(f"{name:<16} {n:>7} {ok:>6} {refused:>8} {crashes:>8} {partial:>8} {unnamed:>8}")
    total = [sum(int(r[i]) for r in fuzz_rows) for i in range(1, 7)]
    print(
        f"{'all importers':<16} "
        + " ".join(f"{v:>{w}}" for v, w in zip(total, (7, 6, 8, 8, 8, 8), strict=True))
    )
    print(f"({fuzz_time:.0f} s for the fuzz run)")
    if kill_rows:
        print(f"\n{'job':<16} {'database':<11} {'kills':>6} {'survived':>9}")
        for job, database, n, survived in kill_rows:
            print(f"{job:<16} {database:<11} {n:>6} {survived:>9}")
    print(
        f"\nconcurrent writers (2 CLI importers + web edits and comments): {expected} rows sent, "
        f"{stored} stored; {web_writes} web writes acknowledged, {web_lost} lost; "
        f"lost updates {expected - stored + web_lost}, "
        f"'database is locked' seen by the user {locked}, HTTP 5xx {errors}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
