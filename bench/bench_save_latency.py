"""Save latency of the browser's roadmap edit form on a grown workspace: ``POST`` the edit form
of an initiative, follow the redirect, and render the initiative's page, SQLite and PostgreSQL.

python bench/bench_save_latency.py [--feedback N] [--initiatives N] [--rounds N] [--no-postgres]

Each database gets a fresh workspace grown with bench/grow_workspace.py (the demo-sized
roadmap plus 100,000 feedback items and 300 initiatives by default). A single client, in
process (FastAPI's TestClient, the response cache off), then saves the full edit form of one
initiative ``--rounds`` times (the title changes each time, every other field as stored; each
save names the version the previous one made), and creates ``--rounds // 5`` new initiatives
through "New initiative". Each time is the whole round trip a browser makes: the POST (validate
the roadmap as ``roadmap apply`` does, save, record the history), the 303, and the GET of the
page it redirects to, rendered. The table also gives the p95 of the save alone (the service,
without HTTP and the page). Target: p95 < 150 ms. PostgreSQL runs in a database of its own,
created next to PRODUCTPATH_BENCH_DATABASE_URL's (default: the local ``test`` database) and
dropped after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grow_workspace import grow

from productpath.services.workspace import init_workspace, open_workspace
from productpath.settings import Settings

TARGET_MS = 150.0
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
EDITED = "grown-0001"


@contextmanager
def _postgres(base: str) -> Iterator[str]:
    name = f"pp_bench_save_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _form(values: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in values.items() if isinstance(v, str | int | float)}


def measure(url: str | None, feedback: int, initiatives: int, rounds: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from productpath.services.pages.edit_forms import stored_form
    from productpath.services.roadmap_edit import edit_object
    from productpath.web.app import create_app

    root = Path(tempfile.mkdtemp(prefix="pp-bench-save-")) / "ws"
    init_workspace(root, "Pocket", url)
    settings = Settings(workspace=root, database_url=url)
    started = time.perf_counter()
    with open_workspace(settings) as handle:
        grown = grow(handle, feedback=feedback, initiatives=initiatives, seed=0)
        form = stored_form(handle, "initiative", EDITED)
    build_s = time.perf_counter() - started
    if url is not None:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))  # what autovacuum does within a minute of a bulk load
        engine.dispose()
    os.environ["PRODUCTPATH_RESPONSE_CACHE"] = "0"
    saves: list[float] = []
    creates: list[float] = []
    version = form.version
    fields = _form(form.values)
    # A browser on this machine (local mode serves no one else).
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000)) as client:
        client.get(f"/initiatives/{EDITED}")  # warm the templates and the caches once
        for n in range(rounds):
            posted = {**fields, "title": f"Edited for the bench ({n})", "version": str(version)}
            t0 = time.perf_counter()
            response = client.post(f"/initiatives/{EDITED}/save", data=posted)
            saves.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and f"({n})" in response.text, response.text[:500]
            version += 1
        for n in range(max(1, rounds // 5)):
            t0 = time.perf_counter()
            response = client.post(
                "/roadmap/new", data={"title": f"Bench initiative {n}", "status": "proposed"}
            )
            creates.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and "Bench initiative" in response.text
    direct: list[float] = []
    with open_workspace(settings) as handle:
        for n in range(rounds):
            t0 = time.perf_counter()
            edit_object(
                handle,
                "initiative",
                EDITED,
                {"title": f"Service edit {n}"},
                expected_version=version,
                actor="bench",
                via="web",
            )
            direct.append((time.perf_counter() - t0) * 1000)
            version += 1
    return {
        "feedback": grown.feedback_total,
        "initiatives": grown.initiatives_total,
        "build_s": build_s,
        "saves": len(saves),
        "p50": statistics.median(saves),
        "p95": _percentile(saves, 0.95),
        "max": max(saves),
        "create_p95": _percentile(creates, 0.95),
        "service_p95": _percentile(direct, 0.95),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--initiatives", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    rows = [("SQLite", measure(None, args.feedback, args.initiatives, args.rounds))]
    if not args.no_postgres:
        base = os.environ.get("PRODUCTPATH_BENCH_DATABASE_URL", PG_DEFAULT)
        with _postgres(base) as url:
            rows.append(("PostgreSQL", measure(url, args.feedback, args.initiatives, args.rounds)))
    print(
        "| database | feedback | initiatives | build (s) | saves | p50 (ms) | p95 (ms) | max (ms) "
        "| create p95 (ms) | service p95 (ms) | p95 < 150 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for name, m in rows:
        passed = m["p95"] < TARGET_MS
        ok = ok and passed
        print(
            f"| {name} | {m['feedback']:,.0f} | {m['initiatives']:,.0f} | {m['build_s']:.1f} "
            f"| {m['saves']:.0f} | {m['p50']:.1f} | {m['p95']:.1f} | {m['max']:.1f} "
            f"| {m['create_p95']:.1f} | {m['service_p95']:.1f} | {'yes' if passed else 'NO'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
