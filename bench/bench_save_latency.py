"""Save latency of the browser's roadmap edit form on a grown workspace: ``POST`` the edit form
of an initiative, follow the redirect, and render the initiative's page, SQLite and PostgreSQL.

python bench/bench_save_latency.py [--quick] [--feedback N] [--initiatives N] [--rounds N]
                                   [--no-postgres]

Each database gets a fresh workspace grown with bench/grow.py (the product plus 100,000 feedback
items and 300 initiatives by default; ``--quick``: 20,000 items and 15 saves, under two minutes).
A single client, in process (FastAPI's TestClient, the response cache off), saves the full edit
form of one initiative ``--rounds`` times (the title changes each time, every other field as
stored; each save names the version the previous one made) and creates ``--rounds // 5`` new
initiatives through "New initiative". The round trip is what a browser waits for: the POST
(validate as ``roadmap apply`` does, save, record the history), the 303, and the GET of the
initiative's page, rendered. "Save alone" is the edit service (``edit_object``) without HTTP and
the page. Besides wall-clock percentiles, the table gives the CPU milliseconds this process spent
per round trip (median; PostgreSQL's own work is in its server, not counted) and the load
average, since wall-clock figures on a shared machine move with the load. Target: round trip
p95 < 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grow import DATABASES, Database, grown_workspace, percentile

from productpath.services.workspace import open_workspace

TARGET_MS = 150.0
EDITED = "grown-0001"


def _form(values: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in values.items() if isinstance(v, str | int | float)}


def measure(database: Database, feedback: int, initiatives: int, rounds: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from productpath.services.pages.edit_forms import stored_form
    from productpath.services.roadmap_edit import edit_object
    from productpath.web.app import create_app

    with grown_workspace(
        database, feedback=feedback, initiatives=initiatives, prefix="pp-bench-save-"
    ) as ws:
        settings = ws.settings
        with open_workspace(settings) as handle:
            form = stored_form(handle, "initiative", EDITED)
        os.environ["PRODUCTPATH_RESPONSE_CACHE"] = "0"
        trips: list[float] = []
        cpu: list[float] = []
        creates: list[float] = []
        version = form.version
        fields = _form(form.values)
        # A browser on this machine (local mode serves no one else).
        app = create_app(settings)
        with TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000)) as client:
            client.get(f"/initiatives/{EDITED}")  # warm the templates and the caches once
            for n in range(rounds):
                posted = {**fields, "title": f"Edited for the bench ({n})", "version": str(version)}
                c0, t0 = time.process_time(), time.perf_counter()
                response = client.post(f"/initiatives/{EDITED}/save", data=posted)
                trips.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert response.status_code == 200 and f"({n})" in response.text, response.text[
                    :500
                ]
                version += 1
            for n in range(max(1, rounds // 5)):
                t0 = time.perf_counter()
                response = client.post(
                    "/roadmap/new", data={"title": f"Bench initiative {n}", "status": "proposed"}
                )
                creates.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200 and "Bench initiative" in response.text
        alone: list[float] = []
        alone_cpu: list[float] = []
        with open_workspace(settings) as handle:
            for n in range(rounds):
                c0, t0 = time.process_time(), time.perf_counter()
                edit_object(
                    handle,
                    "initiative",
                    EDITED,
                    {"title": f"Service edit {n}"},
                    expected_version=version,
                    actor="bench",
                    via="web",
                )
                alone.append((time.perf_counter() - t0) * 1000)
                alone_cpu.append((time.process_time() - c0) * 1000)
                version += 1
        return {
            "feedback": ws.grown.feedback_total,
            "initiatives": ws.grown.initiatives_total,
            "build_s": ws.build_s,
            "saves": len(trips),
            "save_p50": statistics.median(alone),
            "save_p95": percentile(alone, 0.95),
            "save_cpu": statistics.median(alone_cpu),
            "trip_p50": statistics.median(trips),
            "trip_p95": percentile(trips, 0.95),
            "trip_cpu": statistics.median(cpu),
            "create_p95": percentile(creates, 0.95),
        }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 items, 15 saves")
    parser.add_argument("--feedback", type=int, default=None)
    parser.add_argument("--initiatives", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    feedback = args.feedback or (20_000 if args.quick else 100_000)
    rounds = args.rounds or (15 if args.quick else 40)
    databases: list[Database] = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    rows = [(db, measure(db, feedback, args.initiatives, rounds)) for db in databases]
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (1, 5, 15 min)")
    print(
        "| database | feedback | initiatives | build (s) | saves | save alone p50 / p95 (ms) "
        "| round trip p50 / p95 (ms) | CPU ms per round trip | save alone CPU ms "
        "| create p95 (ms) | round trip p95 < 150 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for db, m in rows:
        passed = m["trip_p95"] < TARGET_MS
        ok = ok and passed
        print(
            f"| {DATABASES[db]} | {m['feedback']:,.0f} | {m['initiatives']:,.0f} "
            f"| {m['build_s']:.1f} | {m['saves']:.0f} | {m['save_p50']:.1f} / {m['save_p95']:.1f} "
            f"| {m['trip_p50']:.1f} / {m['trip_p95']:.1f} | {m['trip_cpu']:.1f} "
            f"| {m['save_cpu']:.1f} | {m['create_p95']:.1f} | {'yes' if passed else 'NO'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
