"""What a browser edit of priority or dates costs on a large roadmap: moving an initiative
(``services/roadmap_arrange.move_initiative``) and changing its planned dates
(``set_planned_dates``), each from the call to the commit, on a roadmap of 300 initiatives.

python bench/bench_arrange.py [--initiatives N] [--edits N] [--no-postgres]

Every edit moves a card from the back of the roadmap to the front (the most positions a move
can renumber) or sets new dates, with the version the previous edit returned. The table shows
the median and p95 of wall time per edit, on SQLite and on PostgreSQL (a database of its own,
created next to PRODUCTPATH_BENCH_DATABASE_URL's, default the local ``test`` database, and
dropped after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_history import PG_DEFAULT, postgres_database, roadmap_yaml

from productpath.services.roadmap import apply_roadmap
from productpath.services.roadmap_arrange import move_initiative, set_planned_dates
from productpath.services.workspace import init_workspace, open_workspace
from productpath.settings import Settings


def measure(url: str | None, count: int, edits: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        init_workspace(root, "Pocket", url)
        (root / "roadmap.yaml").write_text(roadmap_yaml(count, changed=False), encoding="utf-8")
        with open_workspace(Settings(workspace=root, database_url=url)) as handle:
            apply_roadmap(handle, root / "roadmap.yaml", actor="bench")
            versions: dict[str, int] = {}
            times: dict[str, list[float]] = {"move": [], "dates": []}
            for n in range(edits):
                key = f"i{count - 1 - n}"
                start = time.perf_counter()
                done = move_initiative(
                    handle,
                    key,
                    before="i0",
                    expected_version=versions.get(key, 1),
                    actor="bench",
                    via="api",
                )
                times["move"].append(time.perf_counter() - start)
                start = time.perf_counter()
                done = set_planned_dates(
                    handle,
                    key,
                    start=dt.date(2030, 1, 1) + dt.timedelta(days=n),
                    target=dt.date(2030, 3, 1),
                    expected_version=done.version,
                    actor="bench",
                    via="api",
                )
                times["dates"].append(time.perf_counter() - start)
                versions[key] = done.version
    return times


def _row(database: str, kind: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    median = statistics.median(ordered)
    return f"| {database} | {kind} | {len(ordered)} | {median * 1000:.0f} | {p95 * 1000:.0f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=300)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.initiatives} initiatives, {args.edits} edits of each kind; load {load}")
    print("| database | edit | n | median ms | p95 ms |")
    print("|---|---|---|---|---|")
    for kind, seconds in measure(None, args.initiatives, args.edits).items():
        print(_row("SQLite", kind, seconds), flush=True)
    if not args.no_postgres:
        base = os.environ.get("PRODUCTPATH_BENCH_DATABASE_URL", PG_DEFAULT)
        with postgres_database(base) as url:
            for kind, seconds in measure(url, args.initiatives, args.edits).items():
                print(_row("PostgreSQL", kind, seconds), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
