"""Web load: 20 concurrent clients against the demo grown to 100,000 feedback items and 300
initiatives, on SQLite and on PostgreSQL. One command prints the table.

python bench/bench_web_load.py [--users 20] [--seconds 60] [--workers 2]
                               [--backends sqlite,postgresql] [--work DIR] [--wait 0]
                               [--writers 2] [--short]

--writers N makes it the mixed bench: N of the clients edit initiatives through the API
(read, then PATCH with the version read) while the others read; the table then has the
writes' rows beside the reads'. --short: 15 seconds, SQLite only (a quick look, e.g. in CI).
Set PRODUCTPATH_RESPONSE_CACHE=0 in the environment to measure without the response cache.

1. Builds the demo (``productpath demo --no-serve``) and grows it with grow_workspace.grow;
   kept in --work (default: a folder in the system's temp dir) and reused by later runs.
2. PostgreSQL: copies that database into its own database, ``productpath_bench_web``, created
   next to PRODUCTPATH_BENCH_DATABASE_URL's (default: the local ``test`` database) and
   dropped at the end, so the test fixtures' databases are never touched.
3. For each backend and worker count: starts ``productpath serve --workers N`` as its own
   process, asks each page once (warm-up), then runs locust headless as another process
   (bench/web_load/locustfile.py): closed loop, no think time, --users clients for --seconds.
4. Prints p50/p95 per endpoint, errors and requests per second, against the target (p95 under
   200 ms, no errors) and the Datasette baseline from issue 7 (p95 2.3 s at 20 clients over
   100k rows; 0.4 s with one client).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from grow_workspace import grow  # noqa: E402

BIN = Path(sys.executable).parent
PG_DATABASE = "productpath_bench_web"
TARGET_P95_MS = 200.0
DATASETTE_P95_MS = {20: 2300.0, 1: 400.0}
FEEDBACK, INITIATIVES = 100_000, 300


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    rps: float


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", default="2", help="comma-separated worker counts to try")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pp-bench-web")
    parser.add_argument("--wait", type=float, default=0.0, help="think time per client (s)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--writers", type=int, default=0, help="clients that edit through the API (mixed bench)"
    )
    parser.add_argument("--short", action="store_true", help="15 s, SQLite only")
    args = parser.parse_args(argv)
    if args.short:
        args.seconds, args.backends = min(args.seconds, 15), "sqlite"
    if not 0 <= args.writers < args.users:
        parser.error("--writers must leave at least one reader")

    workspace = prepare(args.work)
    base_pg = os.environ.get(
        "PRODUCTPATH_BENCH_DATABASE_URL",
        os.environ.get(
            "PRODUCTPATH_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    results: list[tuple[str, int, list[Row]]] = []
    for backend in args.backends.split(","):
        url = None
        if backend == "postgresql":
            url = copy_to_postgres(workspace, base_pg)
        try:
            for workers in [int(w) for w in args.workers.split(",")]:
                rows = run_load(
                    workspace, url, workers, args.users, args.seconds, args.wait, args.writers
                )
                results.append((backend, workers, rows))
                print_table(backend, workers, args.users, rows, args.writers)
                if args.writers:
                    print_mixed(rows)
        finally:
            if url is not None and not args.keep:
                drop_database(base_pg)
    return 0 if all(r.failures == 0 for _, _, rows in results for r in rows) else 1


def prepare(work: Path) -> Path:
    """The grown demo workspace in ``work`` (built on first use)."""
    from productpath.services.workspace import open_workspace
    from productpath.settings import Settings

    root = work / "demo"
    done = work / "GROWN"
    if done.exists():
        return root
    work.mkdir(parents=True, exist_ok=True)
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PRODUCTPATH_DATABASE_URL"}
    subprocess.run(
        [str(BIN / "productpath"), "demo", "--dir", str(root), "--no-serve"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    built = time.perf_counter() - started
    with open_workspace(Settings(workspace=root, database_url=None)) as handle:
        grown = grow(handle, feedback=FEEDBACK, initiatives=INITIATIVES, seed=0)
    print(
        f"workspace: demo built in {built:.0f} s, grown to {grown.feedback_total} feedback items "
        f"and {grown.initiatives_total} initiatives in {grown.seconds:.0f} s ({root})"
    )
    done.write_text("grown\n", encoding="utf-8")
    return root


def copy_to_postgres(workspace: Path, base_url: str) -> str:
    """Copy the workspace's SQLite database into a fresh PostgreSQL database; its URL."""
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.engine import make_url

    from productpath import workspace as ws
    from productpath.store import migrate
    from productpath.store.db import make_engine
    from productpath.store.models import Base

    started = time.perf_counter()
    drop_database(base_url)
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    admin.dispose()
    url = make_url(base_url).set(database=PG_DATABASE).render_as_string(hide_password=False)
    source = make_engine(ws.sqlite_url(workspace))
    target = make_engine(url)
    migrate.upgrade(target)
    rows = 0
    with source.connect() as src, target.begin() as dst:
        for table in Base.metadata.sorted_tables:
            if table.name == "data_version":
                continue  # the migration made its one row; the copy starts a new history
            result = src.execute(select(table)).mappings()
            while chunk := result.fetchmany(5000):
                dst.execute(table.insert(), [dict(r) for r in chunk])
                rows += len(chunk)
            if "id" in table.c and table.c.id.autoincrement is not False:
                top = dst.scalar(select(func.max(table.c.id)))
                if top is not None and isinstance(top, int):
                    dst.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                        {"t": table.name, "v": top},
                    )
        dst.execute(text("ANALYZE"))
    source.dispose()
    target.dispose()
    took = time.perf_counter() - started
    print(f"postgresql: copied {rows} rows into {PG_DATABASE} in {took:.0f} s")
    return url


def drop_database(base_url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_env(environ: Mapping[str, str], url: str | None) -> dict[str, str]:
    """The server's environment: the caller's, PRODUCTPATH_* switches included (so
    PRODUCTPATH_RESPONSE_CACHE=0 reaches the server), but the database is the bench's own
    choice (its workspace's SQLite file, or ``url``) whatever the caller's shell says."""
    env = {k: v for k, v in environ.items() if k != "PRODUCTPATH_DATABASE_URL"}
    if url is not None:
        env["PRODUCTPATH_DATABASE_URL"] = url
    return env


def run_load(
    workspace: Path,
    url: str | None,
    workers: int,
    users: int,
    seconds: int,
    wait: float,
    writers: int = 0,
) -> list[Row]:
    sys.path.insert(0, str(HERE / "web_load"))
    from pages import PAGES

    port = free_port()
    env = server_env(os.environ, url)
    log = (workspace.parent / f"serve-{port}.log").open("w")
    server = subprocess.Popen(
        [
            *(str(BIN / "productpath"), "-w", str(workspace), "serve"),
            *("--port", str(port), "--workers", str(workers)),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    host = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(host, server)
        for _, path in PAGES:
            # Warm-up, and a check that every page answers before the clock starts.
            for _ in range(workers):
                with urllib.request.urlopen(host + path, timeout=120) as response:
                    response.read()
        prefix = workspace.parent / f"locust-{port}"
        cpu_before = tree_cpu_seconds(server.pid)
        subprocess.run(
            [
                *(str(BIN / "locust"), "-f", str(HERE / "web_load" / "locustfile.py")),
                *("--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s"),
                *("--host", host, "--csv", str(prefix), "--only-summary"),
                *("--stop-timeout", "10", "--loglevel", "WARNING"),
            ],
            env={**env, "BENCH_WAIT": str(wait), "BENCH_WRITERS": str(writers)},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        cpu = tree_cpu_seconds(server.pid) - cpu_before
        rows = read_stats(Path(f"{prefix}_stats.csv"))
        total = sum(r.requests for r in rows if r.name != "Aggregated")
        if total:
            per_request = 1000 * cpu / total
            print(
                f"server CPU: {per_request:.0f} ms per request on average (all endpoints; the "
                f"workers' own CPU time, not the database server's): about "
                f"{2000 / per_request:.0f} requests/s on two free cores"
            )
        return rows
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid``'s child processes (the workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in [pid, *(int(c) for c in children.read_text().split())]:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wait_until_up(host: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(host + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the server did not start; see serve-*.log in the work folder")
        time.sleep(0.2)


def read_stats(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as stream:
        return [
            Row(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50=float(row["50%"]),
                p95=float(row["95%"]),
                rps=float(row["Requests/s"]),
            )
            for row in csv.DictReader(stream)
        ]


def print_table(backend: str, workers: int, users: int, rows: list[Row], writers: int = 0) -> None:
    mix = f" ({users - writers} reading, {writers} writing)" if writers else ""
    print(f"\n{backend}, {workers} worker(s), {users} concurrent clients{mix}")
    print(f"{'endpoint':42} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6}")
    for r in rows:
        print(f"{r.name:42} {r.requests:8d} {r.failures:6d} {r.p50:7.0f} {r.p95:7.0f} {r.rps:6.1f}")
    pages = [r for r in rows if r.name != "Aggregated"]
    worst = max(pages, key=lambda r: r.p95)
    errors = sum(r.failures for r in pages)
    verdict = "meets" if worst.p95 < TARGET_P95_MS and errors == 0 else "misses"
    baseline = DATASETTE_P95_MS.get(users)
    versus = (
        f"; Datasette p95 {baseline / 1000:.1f} s is {baseline / worst.p95:.1f}x the worst"
        if baseline
        else ""
    )
    print(
        f"worst p95 {worst.p95:.0f} ms ({worst.name}), {errors} errors: {verdict} the target "
        f"(p95 < {TARGET_P95_MS:.0f} ms, 0 errors){versus}"
    )


def print_mixed(rows: list[Row]) -> None:
    """The mixed bench's two figures: the worst p95 of the reads and of the writes."""
    pages = [r for r in rows if r.name != "Aggregated"]
    reads = [r for r in pages if not r.name.startswith("write:")]
    writes = [r for r in pages if r.name.startswith("write: PATCH")]
    for label, chosen in (("reads", reads), ("writes", writes)):
        if chosen:
            worst = max(chosen, key=lambda r: r.p95)
            done = sum(r.requests for r in chosen)
            print(f"mixed: {label} p95 {worst.p95:.0f} ms (worst: {worst.name}), {done} requests")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
