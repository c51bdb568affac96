"""Worker CPU per request for each page of the web load bench, without the response cache.

python bench/bench_web_cpu.py [--work DIR] [--rounds 15] [--after-write] [--profile PAGE]

Serves the grown workspace that bench_web_load.py builds (and shares with it in --work; built
here on first use), or any other with --workspace, in this process through the ASGI app
(Starlette's TestClient, response cache off: ``PRODUCTPATH_RESPONSE_CACHE=0``); asks each page
of the load bench's mix twice to warm up, then --rounds times; prints the median process CPU
time (user + sys, ``time.process_time``) per request beside the issue's target (10 ms; 40 ms
for the roadmap), with the wall time and the SQL statements per request.
The process's own CPU is what a server worker spends; the database server's (PostgreSQL) is
not counted. Reads that cost the same on every request are remembered per data version
(store/version_memo.py); --after-write commits an empty write before each timed request, so
every one of them is read again: the cost of the first request after an edit.
--profile NAME prints the cProfile of that page's requests (top 40, cumulative).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "web_load"))

from pages import PAGES  # noqa: E402

TARGET_MS = {"roadmap /roadmap": 40.0}
DEFAULT_TARGET_MS = 10.0
HEADERS = {"Accept": "text/html,application/json"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pp-bench-web")
    parser.add_argument("--workspace", type=Path, help="serve this workspace instead")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--profile", help="a page's name (or a part of it) to profile")
    parser.add_argument(
        "--after-write",
        action="store_true",
        help="commit an empty write before each timed request (nothing remembered is reused)",
    )
    parser.add_argument("--sort", default="cumulative", help="pstats order for --profile")
    parser.add_argument("--top", type=int, default=40, help="rows of --profile's listing")
    args = parser.parse_args(argv)
    workspace = args.workspace or args.work / "demo"
    if args.workspace is None:
        sys.path.insert(0, str(HERE))
        from bench_web_load import prepare

        prepare(args.work)  # builds the grown workspace on first use (a few minutes)
    os.environ["PRODUCTPATH_RESPONSE_CACHE"] = "0"
    os.environ["PRODUCTPATH_SCHEDULE"] = "0"
    from fastapi.testclient import TestClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from productpath.settings import Settings
    from productpath.web.app import create_app

    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    event.listen(Engine, "before_cursor_execute", count)
    load = os.getloadavg()[0]
    settings = Settings(workspace=workspace)
    app = create_app(settings)
    served = app
    profiler = cProfile.Profile()
    profiling = {"on": False}
    if args.profile:
        # cProfile sees one thread: run the sync endpoints on the event loop's thread, and
        # switch the profiler on and off there, around each request.
        import anyio.to_thread

        async def inline(func: Any, *fargs: Any, **_: Any) -> Any:
            return func(*fargs)

        anyio.to_thread.run_sync = inline  # type: ignore[assignment]
        inner = app

        async def app(scope: Any, receive: Any, send: Any) -> None:  # type: ignore[no-redef]
            if profiling["on"] and scope["type"] == "http":
                profiler.enable()
                try:
                    await inner(scope, receive, send)
                finally:
                    profiler.disable()
            else:
                await inner(scope, receive, send)

    with TestClient(app, base_url="http://localhost", client=("127.0.0.1", 50000)) as client:
        print(
            f"{'page':38} {'CPU ms':>7} {'wall ms':>8} {'queries':>7} {'target':>7}  ok   "
            f"(median of {args.rounds})"
        )
        for name, path in PAGES:
            for _ in range(2):
                response = client.get(path, headers=HEADERS)
                assert response.status_code == 200, (path, response.status_code)
            profiling["on"] = bool(args.profile and args.profile in name)
            cpu, wall = [], []
            statements[0] = 0
            for _ in range(args.rounds):
                if args.after_write:
                    with served.state.handle.store.write():
                        pass  # moves the data version, as any edit would (not timed)
                c0, w0 = time.process_time(), time.perf_counter()
                client.get(path, headers=HEADERS)
                cpu.append(1000 * (time.process_time() - c0))
                wall.append(1000 * (time.perf_counter() - w0))
            target = TARGET_MS.get(name, DEFAULT_TARGET_MS)
            median = statistics.median(cpu)
            ok = median <= target
            print(
                f"{name:38} {median:7.1f} {statistics.median(wall):8.1f} "
                f"{statements[0] / args.rounds:7.1f} {target:7.0f}  "
                f"{'yes' if ok else 'no'}"
            )
            if profiling["on"]:
                profiling["on"] = False
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    print(f"load average at start: {load:.2f}; {workspace}")
    return 0  # a bench, not a test: the table says which target is met


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
