"""A large insights run's embedding as batch jobs on PostgreSQL: 1 vs 2 worker processes.

python bench/bench_embed_workers.py [--database-url URL] [--items 2000] [--batch 250]
                                    [--embedder minilm|hashing]

For each setting the bench creates a database, imports ``--items`` real texts (BANKING77 train
from /work/shared/datasets, else tests/data; CC BY 4.0), starts the worker processes (``productpath
worker --concurrency 1``), queues the items as embedding batch jobs (``embed_batches.py``) and
waits for them. Throughput is items over the span from the first batch's start to the last one's
end (the workers' start-up is not counted). Each batch job reports the seconds it spent embedding
and writing its vectors to the cache; the write share is what bounds the gain from more machines.
Settings: one worker with one embedding thread, two workers with one thread each (the machine's
two cores as two machines of one core), and one worker with two threads (one machine's best).
URL: a PostgreSQL server whose user may create databases (default $PRODUCTPATH_TEST_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_jobs import _stop
from grow import postgres_database
from sqlalchemy import select

from productpath.insights.embed import HashingEmbedder, MiniLMEmbedder, ml_available
from productpath.services.background.embed_batches import QueuedBatches
from productpath.services.background.job_kinds import standard_runner
from productpath.services.feedback import import_feedback
from productpath.services.workspace import init_workspace, open_workspace
from productpath.settings import Settings
from productpath.store.models import FeedbackItem, Job

SHARED = Path("/work/shared/datasets/banking77/train.csv")
BUNDLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "banking77" / "train.csv.gz"
TIMING = re.compile(r"in ([0-9.]+) s; wrote them in ([0-9.]+) s")
# (label, worker processes, embedding threads per worker)
SETTINGS = (
    ("1 worker x 1 thread", 1, 1),
    ("2 workers x 1 thread", 2, 1),
    ("1 worker x 2 threads", 1, 2),
)


def texts(count: int) -> list[str]:
    if SHARED.is_file():
        with SHARED.open(encoding="utf-8") as handle:
            rows = [row["text"] for row in csv.DictReader(handle)]
    else:
        with gzip.open(BUNDLED, "rt", encoding="utf-8") as handle:
            rows = [row["text"] for row in csv.DictReader(handle)]
    # Past the data set's size, numbered copies (distinct texts, so each is embedded).
    return [
        rows[i % len(rows)] + (f" ({i // len(rows)})" if i >= len(rows) else "")
        for i in range(count)
    ]


def _worker(settings: Settings, threads: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        PRODUCTPATH_WORKSPACE=str(settings.workspace),
        PRODUCTPATH_DATABASE_URL=str(settings.database_url),
        PRODUCTPATH_EMBED_THREADS=str(threads),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "productpath.cli.main", "worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """User + system CPU seconds of a running process, all its threads (Linux /proc)."""
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    tmp: Path, url: str, items: list[str], batch: int, embedder: Any, workers: int, threads: int
) -> dict[str, float]:
    root = tmp / f"ws-{workers}-{threads}"
    init_workspace(root, "Bench", url)
    settings = Settings(workspace=root, database_url=url)
    source = tmp / "items.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text"])
        writer.writerows([f"b{i}", t] for i, t in enumerate(items))
    procs = [_worker(settings, threads) for _ in range(workers)]
    try:
        with open_workspace(settings) as handle:
            import_feedback(handle, source, text_column="text", id_column="id", source="bench")
            with handle.store.read() as session:
                ids = list(session.scalars(select(FeedbackItem.id).order_by(FeedbackItem.id)))
            queue = QueuedBatches(standard_runner(), handle, batch_items=batch, help=False)
            job_ids = queue.queue(embedder, ids)
            queue.wait(job_ids, len(ids), lambda stage, done, total: None)
            with handle.store.read() as session:
                jobs = list(session.scalars(select(Job).where(Job.id.in_(job_ids))))
            cpu = sum(_cpu_seconds(proc) for proc in procs)
    finally:
        _stop(*procs)
    start = min(j.started_at for j in jobs if j.started_at)
    end = max(j.finished_at for j in jobs if j.finished_at)
    span = (end - start).total_seconds()
    embed = write = 0.0
    for job in jobs:
        found = TIMING.search(job.message)
        if found:
            embed += float(found.group(1))
            write += float(found.group(2))
    return {
        "span": span,
        "rate": len(items) / span,
        "write_share": write / (embed + write) if embed + write else 0.0,
        "write_rate": len(items) / write if write else 0.0,
        "workers_seen": len({j.worker for j in jobs}),
        "cpu": cpu,
        "per_cpu": len(items) / cpu if cpu else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PRODUCTPATH_TEST_DATABASE_URL"))
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--embedder", choices=("minilm", "hashing"), default="minilm")
    args = parser.parse_args()
    if not args.database_url:
        print("bench_embed_workers: give --database-url (PostgreSQL); skipped", file=sys.stderr)
        return 0
    embedder: Any = (
        MiniLMEmbedder() if args.embedder == "minilm" and ml_available() else HashingEmbedder()
    )
    items = texts(args.items)
    results: list[tuple[str, dict[str, float]]] = []
    loads: list[float] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        for label, workers, threads in SETTINGS:
            with postgres_database(args.database_url, "pp_bench_embed_") as url:
                loads.append(os.getloadavg()[0])
                figures = measure(
                    Path(tmp_name), url, items, args.batch, embedder, workers, threads
                )
                results.append((label, figures))
    base = results[0][1]["rate"]
    print(
        f"{args.items} items, {embedder.name}, batches of {args.batch}, {os.cpu_count()} cores, "
        f"load average {min(loads):.1f}-{max(loads):.1f}"
    )
    print(
        "| setting | texts/s | vs 1 worker | workers' CPU s | texts per CPU s "
        "| cache write share | cache write texts/s |"
    )
    print("|---|---|---|---|---|---|---|")
    for label, figures in results:
        print(
            f"| {label} | {figures['rate']:.0f} | {figures['rate'] / base:.2f}x | "
            f"{figures['cpu']:.1f} | {figures['per_cpu']:.0f} | "
            f"{100 * figures['write_share']:.1f}% | {figures['write_rate']:.0f} |"
        )
    share = results[0][1]["write_share"]
    if share > 0:
        print(
            f"N one-worker machines: about N x {base:.0f} texts/s while N x the write share "
            f"({100 * share:.1f}%) stays under 1, i.e. up to about {1 / share:.0f} machines"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
