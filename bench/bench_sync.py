"""How fast `productpath sync` reads a GitHub repository: a first sync of N issues and pull
requests from the fake GitHub API the tests use (a real HTTP server on 127.0.0.1), a re-sync with
nothing new, and one after a few edits. With ``--zendesk``, the same for N Zendesk tickets into
feedback (the fake incremental export, 1,000 tickets a page), with new tickets instead of edits.

python bench/bench_sync.py [--issues N] [--database-url URL] [--zendesk]

Each run reports its wall time and the requests it sent. Targets (issue 22): the no-change
re-sync within 1 s, with at most one request per endpoint read (issues) plus one for the
repository. No baseline is named; the figures are printed as measured.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# The fake GitHub server is the one the tests use; it lives with them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from github_fake import FakeGitHub
from productpath.services.work.source_sync import sync_sources
from productpath.services.work.sources import connect_github, connect_zendesk
from productpath.services.workspace import init_workspace, open_workspace
from productpath.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument(
        "--database-url", default=None, help="A PostgreSQL URL (default: SQLite in a temp dir)."
    )
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--zendesk", action="store_true", help="Zendesk tickets instead.")
    args = parser.parse_args()
    if args.zendesk:
        return zendesk(args)
    rows: list[tuple[str, float, int, int, int]] = []
    with tempfile.TemporaryDirectory() as tmp, FakeGitHub() as github:
        root = Path(tmp) / "ws"
        init_workspace(root, "Bench", args.database_url)
        github.add_many(args.issues)
        settings = Settings(workspace=root, database_url=args.database_url)
        with open_workspace(settings) as handle:
            connect_github(handle, "gh", repo=github.repo, api_url=github.api_url)

            def run(name: str) -> None:
                github.requests.clear()
                started = time.perf_counter()
                [report] = sync_sources(handle, "gh")
                seconds = time.perf_counter() - started
                assert report.requests == len(github.requests)
                rows.append((name, seconds, report.requests, report.added, report.updated))

            run("first sync")
            run("no change")
            for number in range(1, args.edits + 1):
                github.edit(number * 7, state="closed", state_reason="completed")
            run(f"{args.edits} edited")
            run("no change")
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{args.issues:,} issues and pull requests, {database}, fake GitHub on 127.0.0.1")
    _table(rows)
    return 0


def zendesk(args: argparse.Namespace) -> int:
    import os

    from service_fakes import FakeZendesk

    os.environ["BENCH_ZD_TOKEN"], os.environ["BENCH_ZD_USER"] = "bench-token", "pm@acme.example"
    rows: list[tuple[str, float, int, int, int]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeZendesk(token="bench-token", per_page=1000) as desk,
    ):
        root = Path(tmp) / "ws"
        init_workspace(root, "Bench", args.database_url)
        desk.organizations = {n: f"Customer {n}" for n in range(1, 51)}
        for number in range(1, args.issues + 1):
            desk.add(number, org=1 + number % 50, kind="question" if number % 4 else "problem")
        settings = Settings(workspace=root, database_url=args.database_url)
        with open_workspace(settings) as handle:
            connect_zendesk(
                handle, "zd", site=desk.url, user_env="BENCH_ZD_USER", token_env="BENCH_ZD_TOKEN"
            )

            def run(name: str) -> None:
                desk.requests.clear()
                started = time.perf_counter()
                [report] = sync_sources(handle, "zd")
                seconds = time.perf_counter() - started
                assert report.requests == len(desk.requests)
                rows.append((name, seconds, report.requests, report.added, report.updated))

            run("first sync")
            run("no change")
            for number in range(args.issues + 1, args.issues + args.edits + 1):
                desk.add(number, org=1)
            run(f"{args.edits} new")
            run("no change")
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{args.issues:,} Zendesk tickets into feedback, {database}, fake Zendesk on 127.0.0.1")
    _table(rows)
    return 0


def _table(rows: list[tuple[str, float, int, int, int]]) -> None:
    print(f"{'run':<12} {'seconds':>8} {'requests':>9} {'added':>7} {'updated':>8}")
    for name, seconds, requests, added, updated in rows:
        print(f"{name:<12} {seconds:>8.2f} {requests:>9} {added:>7,} {updated:>8,}")


if __name__ == "__main__":
    raise SystemExit(main())
