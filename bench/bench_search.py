"""Search latency on a grown workspace: ``GET /api/v1/search`` on 100,000 feedback items and
300 initiatives, SQLite and PostgreSQL.

python bench/bench_search.py [--feedback N] [--initiatives N] [--rounds N] [--no-postgres]

Each database gets a fresh workspace grown with bench/grow.py (bulk inserts: the search
triggers index every row as it goes in, so the build time includes indexing). Then a mix
of queries (common and rare words, two words, a prefix, a miss, symbols that are not
operators) is asked through the app in-process (FastAPI's TestClient, the response cache off),
``--rounds`` times over, and the table gives p50 and p95 of the whole request, and the p95 of
the same queries asked of the service directly (the database's share, without HTTP and auth).
On PostgreSQL the index is ANALYZEd after the build first, as autovacuum would be within a
minute. The target is p95 under 50 ms. PostgreSQL runs in a database of its own, created next to
PRODUCTPATH_BENCH_DATABASE_URL's (default: the local ``test`` database) and dropped after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grow import DATABASES, Database, grown_workspace, percentile

from productpath.services.workspace import open_workspace
from productpath.settings import Settings

TARGET_MS = 50.0
QUERIES = [
    "card",
    "transfer",
    "refund",
    "exchange rate",
    "top up",
    "declined payment",
    "verify my identity",
    "pin",
    "atm withdrawal",
    "cash",
    "trans",
    "initiative",
    "zzzyxq",
    '"card" OR -pin *',
]


def measure(database: Database, feedback: int, initiatives: int, rounds: int) -> dict[str, float]:
    # The planner's statistics (grow.py analyses the grown database) let PostgreSQL pick how to
    # find a common word's newest matches.
    with grown_workspace(
        database, feedback=feedback, initiatives=initiatives, prefix="pp-bench-search-"
    ) as ws:
        return _measure(ws.settings, rounds) | {
            "feedback": ws.grown.feedback_total,
            "initiatives": ws.grown.initiatives_total,
            "build_s": ws.build_s,
        }


def _measure(settings: Settings, rounds: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from productpath.web.app import create_app

    os.environ["PRODUCTPATH_RESPONSE_CACHE"] = "0"
    from productpath.services.search import search

    times: list[float] = []
    direct: list[float] = []
    hits = 0
    with open_workspace(settings) as handle:
        for _ in range(rounds):
            for q in QUERIES:
                t0 = time.perf_counter()
                search(handle, q)
                direct.append((time.perf_counter() - t0) * 1000)
    # A browser on this machine (local mode serves no one else).
    with TestClient(
        create_app(settings), base_url="http://127.0.0.1", client=("127.0.0.1", 50000)
    ) as client:
        for q in QUERIES:  # warm the caches once
            client.get("/api/v1/search", params={"q": q})
        for _ in range(rounds):
            for q in QUERIES:
                t0 = time.perf_counter()
                response = client.get("/api/v1/search", params={"q": q})
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.text
                hits += len(response.json()["results"])
    return {
        "requests": len(times),
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "max": max(times),
        "hits": hits / len(times),
        "direct_p95": percentile(direct, 0.95),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--initiatives", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    databases: list[Database] = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    rows = [
        (DATABASES[db], measure(db, args.feedback, args.initiatives, args.rounds))
        for db in databases
    ]
    print(
        "| database | feedback | initiatives | build (s) | requests | p50 (ms) | p95 (ms) "
        "| max (ms) | results/query | service p95 (ms) | p95 < 50 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for name, m in rows:
        passed = m["p95"] < TARGET_MS
        ok = ok and passed
        print(
            f"| {name} | {m['feedback']:,.0f} | {m['initiatives']:,.0f} | {m['build_s']:.1f} "
            f"| {m['requests']:.0f} | {m['p50']:.1f} | {m['p95']:.1f} | {m['max']:.1f} "
            f"| {m['hits']:.1f} | {m['direct_p95']:.1f} | {'yes' if passed else 'NO'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
