"""A large insights run on PostgreSQL embeds through batch jobs (services/background/
embed_batches.py): a real ``productpath worker`` process takes the batches, queued last first so
they finish in reverse order, and the themes come out identical to the run that embedded in its
own process; a run with no worker takes its own batches; a batch run twice writes nothing new."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from conftest import banking77
from test_worker import FAST, postgres_only, workers

ITEMS = 360
BATCH = 50


@pytest.fixture
def opened_pg(workspace_dir: Path, tmp_path: Path) -> Iterator[object]:
    """The PostgreSQL workspace, open, with 360 BANKING77 messages imported."""
    from productpath.services.feedback import import_feedback
    from productpath.services.workspace import open_workspace

    source = tmp_path / "inbox.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text"])
        for number, row in enumerate(banking77("test")[:ITEMS]):
            writer.writerow([f"m{number}", row["text"]])
    with open_workspace() as handle:
        import_feedback(handle, source, text_column="text", id_column="id", source="inbox")
        yield handle


def _themes(handle: object) -> tuple[dict[int, int | None], list[str]]:
    """Each item's theme number, and the themes' labels by number."""
    from productpath.store import insight_repo, product_repo

    with handle.store.read() as session:  # type: ignore[attr-defined]
        product_id = product_repo.find_id(session, handle.workspace.product)  # type: ignore[attr-defined]
        items = insight_repo.analysis_items(session, product_id)
        themes = insight_repo.themes(session, product_id)
    return {i.id: i.theme_number for i in items}, [t.label for t in themes if t.active]


def _cache(handle: object, clear: bool = False) -> dict[str, bytes]:
    from productpath.store.models import EmbeddingCache

    with handle.store.write() as session:  # type: ignore[attr-defined]
        rows = dict(session.execute(select(EmbeddingCache.text_hash, EmbeddingCache.vector)).all())
        if clear:
            session.execute(delete(EmbeddingCache))
    return rows


def _batch_jobs(handle: object) -> list[tuple[int, str, str, str, str]]:
    """(id, subject's batch number, status, worker, message) of the embedding batch jobs, in the
    order they finished."""
    from productpath.store.models import Job

    with handle.store.read() as session:  # type: ignore[attr-defined]
        stmt = select(Job).where(Job.kind == "embed_batch").order_by(Job.finished_at, Job.id)
        return [
            (j.id, j.subject.rpartition("/")[2], j.status, j.worker, j.message)
            for j in session.scalars(stmt)
        ]


@postgres_only
def test_batches_finishing_in_reverse_on_a_worker_give_the_in_process_themes(
    opened_pg: object,
) -> None:
    from productpath.insights.embed import HashingEmbedder
    from productpath.services.background.embed_batches import QueuedBatches
    from productpath.services.background.job_kinds import standard_runner
    from productpath.services.insights import run_insights

    local = run_insights(opened_pg, full=True, embedder=HashingEmbedder())  # type: ignore[arg-type]
    assert local.themes >= 3 and local.embedded > BATCH * 3
    expected_themes = _themes(opened_pg)
    expected_vectors = _cache(opened_pg, clear=True)

    batches = QueuedBatches(
        standard_runner(), opened_pg, batch_items=BATCH, threshold=1, help=False, reverse=True
    )  # type: ignore[arg-type]
    with workers(1, "--concurrency", "1", *FAST) as procs:
        queued = run_insights(opened_pg, full=True, embedder=HashingEmbedder(), batches=batches)  # type: ignore[arg-type]
        pid = procs[0].pid

    jobs = _batch_jobs(opened_pg)
    count = -(-local.embedded // BATCH)
    assert len(jobs) == count
    assert {status for _, _, status, _, _ in jobs} == {"done"}
    # The worker process embedded every batch, last batch first.
    assert {worker.rpartition(":")[2] for _, _, _, worker, _ in jobs} == {str(pid)}
    assert [int(number) for _, number, _, _, _ in jobs] == list(range(count - 1, -1, -1))
    assert queued.embedded == local.embedded
    assert _cache(opened_pg) == expected_vectors
    assert _themes(opened_pg) == expected_themes


@postgres_only
def test_a_run_with_no_worker_takes_its_own_batches(opened_pg: object) -> None:
    from productpath.insights.embed import HashingEmbedder
    from productpath.services.background.embed_batches import QueuedBatches, embed_batch_job
    from productpath.services.background.job_kinds import standard_runner
    from productpath.services.insights import run_insights

    run_insights(opened_pg, full=True, embedder=HashingEmbedder())  # type: ignore[arg-type]
    expected_themes = _themes(opened_pg)
    expected_vectors = _cache(opened_pg, clear=True)

    runner = standard_runner()
    batches = QueuedBatches(runner, opened_pg, batch_items=BATCH, threshold=1)  # type: ignore[arg-type]
    run_insights(opened_pg, full=True, embedder=HashingEmbedder(), batches=batches)  # type: ignore[arg-type]
    jobs = _batch_jobs(opened_pg)
    assert jobs and {(status, worker) for _, _, status, worker, _ in jobs} == {
        ("done", runner.name)
    }
    assert _cache(opened_pg) == expected_vectors
    assert _themes(opened_pg) == expected_themes

    # A batch run again (a retried job) finds its vectors cached and writes nothing.
    with opened_pg.store.read() as session:  # type: ignore[attr-defined]
        from productpath.store.models import FeedbackItem

        ids = list(session.scalars(select(FeedbackItem.id).order_by(FeedbackItem.id).limit(20)))
    again = embed_batch_job(
        opened_pg,  # type: ignore[arg-type]
        {"embedder": HashingEmbedder.name, "items": ids},
        lambda stage, done, total: None,
    )
    assert again.startswith("embedded 0 of 20 items (")
    assert _cache(opened_pg) == expected_vectors


@postgres_only
def test_a_small_run_embeds_in_its_own_process(opened_pg: object) -> None:
    from productpath.insights.embed import HashingEmbedder
    from productpath.services.background.embed_batches import QueuedBatches
    from productpath.services.background.job_kinds import standard_runner
    from productpath.services.insights import run_insights

    batches = QueuedBatches(standard_runner(), opened_pg, batch_items=BATCH, threshold=ITEMS + 1)  # type: ignore[arg-type]
    report = run_insights(opened_pg, full=True, embedder=HashingEmbedder(), batches=batches)  # type: ignore[arg-type]
    assert report.embedded > 0
    assert _batch_jobs(opened_pg) == []
