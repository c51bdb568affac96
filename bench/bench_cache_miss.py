"""The cost of a response-cache miss: each page's first request after a write, one client.

python bench/bench_cache_miss.py [--work DIR] [--rounds 5]

Serves the grown demo workspace that bench_web_load.py builds (run that first) with
``productpath serve --workers 1``; for each page, --rounds times: commit an empty write through
another Store (as the CLI would, from another process), then time one request (a miss) and a
second identical one (a hit). Prints the median of each.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "web_load"))

from bench_web_load import BIN, free_port, wait_until_up  # noqa: E402
from pages import PAGES  # noqa: E402


def timed_get(url: str) -> tuple[float, str]:
    request = urllib.request.Request(url, headers={"Accept": "text/html,application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
        hit = response.headers.get("x-response-cache", "miss")
    return 1000 * (time.perf_counter() - started), hit


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pp-bench-web")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    workspace = args.work / "demo"
    if not (args.work / "GROWN").exists():
        raise SystemExit("run bench/bench_web_load.py first: it builds the grown workspace")
    from productpath import workspace as ws
    from productpath.store.db import Store

    store = Store(ws.sqlite_url(workspace))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODUCTPATH_")}
    server = subprocess.Popen(
        [str(BIN / "productpath"), "-w", str(workspace), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    host = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(host, server)
        print(f"{'page':42} {'miss ms':>8} {'hit ms':>7}  (median of {args.rounds})")
        for name, path in PAGES:
            timed_get(host + path)  # warm the process's own caches (digest, templates)
            misses, hits = [], []
            for _ in range(args.rounds):
                with store.write():
                    pass  # moves the data version, as any change would
                took, state = timed_get(host + path)
                assert state == "miss", state
                misses.append(took)
                took, state = timed_get(host + path)
                assert state == "hit", state
                hits.append(took)
            print(f"{name:42} {statistics.median(misses):8.0f} {statistics.median(hits):7.1f}")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)
        store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
