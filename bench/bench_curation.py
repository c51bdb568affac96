"""Curation latency on a grown workspace: rename, merge, split (re-cluster and by picking) and
move, each one decision through the service the CLI, web and API call, on 100,000 items.

python bench/bench_curation.py [--feedback N] [--rounds N] [--postgres]

The workspace: the packaged demo feedback (1,440 BANKING77 messages) imported and analysed with
the hashing embedder (a full run finds its themes), then grown with bench/grow.py to
``--feedback`` items: grown items copy the reading (theme, kind, sentiment) of the item they
were sampled from, so themes hold about N/60 items each, as after a run. Each round takes every
decision once on themes drawn afresh (largest first, then the next ones), so a round never
re-curates a theme it changed; the table gives the median and the worst of the rounds per
decision, the median process CPU time (steadier than wall time on a shared machine), and the
target (< 300 ms). ``--postgres`` measures in a fresh database created next to
PRODUCTPATH_BENCH_DATABASE_URL's (default: the local ``test`` database) instead of SQLite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grow import grown_workspace
from grow_workspace import PACKAGED_FEEDBACK

from productpath.insights.embed import HashingEmbedder
from productpath.services import curation
from productpath.services.feedback import import_feedback
from productpath.services.insights import run_insights
from productpath.services.pages.themes_view import themes_page
from productpath.services.workspace import OpenWorkspace, open_workspace

TARGET_MS = 300.0


CPU_MS: dict[str, list[float]] = {}  # process CPU per decision: steadier than wall on a busy host


def _timed(name: str, action: Callable[[], Any]) -> float:
    started, cpu = time.perf_counter(), time.process_time()
    action()
    CPU_MS.setdefault(name, []).append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - started) * 1000


def _round(handle: OpenWorkspace, rng_offset: int) -> dict[str, float]:
    themes = [t for t in themes_page(handle).themes if t.size >= 6]
    # Different themes each round: those left after earlier rounds' merges and splits.
    a, b, c, d, e = (themes[(rng_offset * 5 + k) % len(themes)] for k in range(5))
    members = [q.feedback_id for q in curation_members(handle, d.number)]
    decisions: dict[str, Callable[[], Any]] = {
        "rename": lambda: curation.rename_theme(handle, a.number, f"Curated {a.number}"),
        "merge": lambda: curation.merge_themes(handle, [b.number, c.number]),
        "split (re-cluster, 2)": lambda: curation.split_theme(handle, e.number, into=2),
        "split (pick 3 items)": lambda: curation.split_theme(
            handle, d.number, items=[str(i) for i in members[:3]], numbers_only=True
        ),
        "move (3 items)": lambda: curation.move_items(
            handle, [str(i) for i in members[3:6]], a.number, numbers_only=True
        ),
    }
    timings = {name: _timed(name, action) for name, action in decisions.items()}
    return {**timings, "theme sizes": float(sum(t.size for t in (a, b, c, d, e)) / 5)}


def _cache_vectors(handle: OpenWorkspace) -> None:
    """What a run leaves: every item's vector in the embedding cache (grown items copy their
    sample's reading, not its vector), so a split reads its members' vectors as it would."""
    from productpath.services.feedback import list_feedback
    from productpath.services.insights import _embeddings

    texts = [row.text for row in list_feedback(handle)]
    _embeddings(handle, HashingEmbedder(), texts, lambda *_: None)


def curation_members(handle: OpenWorkspace, number: int) -> list[Any]:
    from productpath.services.pages.themes_view import theme_detail

    return list(theme_detail(handle, number).quotes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    def prepare(handle: OpenWorkspace) -> None:
        import_feedback(handle, PACKAGED_FEEDBACK, text_column="text")
        run_insights(handle, full=True, embedder=HashingEmbedder())

    with grown_workspace(
        "postgresql" if args.postgres else "sqlite",
        feedback=args.feedback,
        initiatives=0,
        prefix="pp-bench-curation-",
        prepare=prepare,
        after=_cache_vectors,
    ) as ws:
        grown, build_s = ws.grown, ws.build_s
        rows: list[dict[str, float]] = []
        with open_workspace(ws.settings) as handle:
            for k in range(args.rounds):
                rows.append(_round(handle, k))
    database = "PostgreSQL" if args.postgres else "SQLite"
    size = statistics.mean(r["theme sizes"] for r in rows)
    print(
        f"{grown.feedback_total:,} items on {database}; workspace built in {build_s:.0f} s; "
        f"{args.rounds} rounds; mean size of the themes curated {size:.0f}"
    )
    print()
    print("| decision | median ms | worst ms | median CPU ms | target |")
    print("|---|---|---|---|---|")
    failed = False
    for name in rows[0]:
        if name == "theme sizes":
            continue
        times = [r[name] for r in rows]
        worst = max(times)
        failed |= worst >= TARGET_MS
        cpu = statistics.median(CPU_MS[name])
        print(
            f"| {name} | {statistics.median(times):.0f} | {worst:.0f} | {cpu:.0f} "
            f"| < {TARGET_MS:.0f} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
