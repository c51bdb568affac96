"""A large insights run's embedding, split into batch jobs that any number of workers take.

On PostgreSQL an insights run with at least :data:`DISTRIBUTE_FROM` texts missing from the
embedding cache queues them as ``embed_batch`` jobs of :data:`BATCH_ITEMS` feedback items each
(:class:`QueuedBatches`), then waits for them, taking queued batches itself while it waits (so a
run never waits on a queue no worker serves, and one worker busy with the run itself still
progresses). Each batch job reads its items' texts, embeds those still missing from the cache and
writes them with ``INSERT ... ON CONFLICT DO NOTHING``: running a batch twice (a retried job, a
killed worker) writes nothing new and a vector is the same whoever computes it. The run then
reads every vector back from the cache by its text's key, so the themes do not depend on which
worker embedded what or in what order the batches finished (tests/test_embed_batches.py runs
them reversed through a real worker process and compares with the in-process run).

On SQLite (one machine, one writer) the run embeds in its own process, as before.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from productpath.errors import InputError, ProductpathError
from productpath.insights.embed import (
    HASHING_NAME,
    MINILM_NAME,
    Embedder,
    HashingEmbedder,
    MiniLMEmbedder,
    ml_available,
)
from productpath.services.background.jobs import JobRunner, Reporter
from productpath.services.insights import Progress, cache_vectors, embedding_key
from productpath.services.workspace import OpenWorkspace
from productpath.store import insight_repo, job_repo, product_repo

KIND = "embed_batch"
# Feedback items per batch job: MiniLM embeds them in a few seconds on one core, long enough
# that queuing and the cache write stay small beside the work, short enough that a killed
# worker's retried batch costs little.
BATCH_ITEMS = 2_000
# Texts to embed from which a PostgreSQL run queues batches rather than embedding them itself.
DISTRIBUTE_FROM = 10_000
# Seconds between two looks at the batches' rows while none is left to take.
POLL_EVERY = 0.5


def embedder_named(name: str) -> Embedder:
    """The embedder whose vectors are cached under ``name``."""
    if name == HASHING_NAME:
        return HashingEmbedder()
    if name == MINILM_NAME and ml_available():
        return MiniLMEmbedder()
    raise InputError(f"this worker cannot embed with '{name}'", field="embedder")


def embed_batch_job(handle: OpenWorkspace, params: Mapping[str, Any], report: Reporter) -> str:
    """``params``: embedder (the cache's model name), items (feedback item ids)."""
    embedder = embedder_named(str(params["embedder"]))
    ids = [int(i) for i in params["items"]]
    report("read", 0, len(ids))
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        texts = {} if product_id is None else insight_repo.item_texts(session, product_id, ids)
        keyed: dict[str, str] = {}
        for item_id in ids:
            if item_id in texts:
                text, key = embedding_key(texts[item_id])
                keyed.setdefault(key, text)
        present = {k for k, _ in insight_repo.cached_vectors(session, embedder.name, list(keyed))}
    keys = [key for key in keyed if key not in present]
    started = time.perf_counter()
    fresh = (
        embedder.embed([keyed[key] for key in keys], lambda done: report("embed", done, len(keys)))
        if keys
        else np.zeros((0, embedder.dim), dtype=np.float32)
    )
    embedded = time.perf_counter() - started
    report("write", len(keys), len(keys))
    started = time.perf_counter()
    cache_vectors(handle, embedder, keys, fresh)
    written = time.perf_counter() - started
    # The timings are what bench/bench_embed_workers.py reads to give the write's share.
    return (
        f"embedded {len(keys)} of {len(ids)} items ({len(present)} already cached) in "
        f"{embedded:.3f} s; wrote them in {written:.3f} s"
    )


@dataclass
class QueuedBatches:
    """:class:`productpath.services.insights.BatchEmbedding` through the job queue."""

    runner: JobRunner
    handle: OpenWorkspace
    batch_items: int = BATCH_ITEMS
    threshold: int = DISTRIBUTE_FROM
    # Whether the waiting run takes queued batches itself (off only to make the workers do all).
    help: bool = True
    # Queue the batches last first (tests and benches: the finishing order must not matter).
    reverse: bool = False

    def __call__(self, embedder: Embedder, item_ids: list[int], progress: Progress) -> None:
        ids = self.queue(embedder, item_ids)
        self.wait(ids, len(item_ids), progress)

    def queue(self, embedder: Embedder, item_ids: list[int]) -> list[int]:
        """Queue one job per batch of items; their job ids."""
        run = uuid.uuid4().hex[:12]
        batches = [
            item_ids[start : start + self.batch_items]
            for start in range(0, len(item_ids), self.batch_items)
        ]
        numbered = list(enumerate(batches))
        if self.reverse:
            numbered.reverse()
        return [
            self.runner.start_job(
                self.handle,
                KIND,
                {"embedder": embedder.name, "items": batch},
                None,
                subject=f"{run}/{number}",
            )
            for number, batch in numbered
        ]

    def wait(self, job_ids: list[int], total: int, progress: Progress) -> None:
        """Until every batch is done; raises when one failed or was cancelled."""
        while True:
            rows = self._rows(job_ids)
            ended = [row for row in rows if row[1] in ("failed", "cancelled")]
            if ended:
                job_id, status, message = ended[0]
                raise ProductpathError(f"embedding batch job #{job_id} {status}: {message}")
            done = sum(1 for row in rows if row[1] == "done")
            progress("embed", min(total, done * self.batch_items), total)
            if done == len(job_ids):
                return
            queued = [row[0] for row in rows if row[1] == "queued"]
            if self.help and queued:
                self.runner.execute(self.handle, queued[0], queued_only=True)
                continue
            time.sleep(POLL_EVERY)

    def _rows(self, job_ids: list[int]) -> list[tuple[int, str, str]]:
        with self.handle.store.read() as session:
            return job_repo.statuses(session, job_ids)
