"""The insight engine's rows: the embedding cache, themes, per-item readings and runs.

Writes are bulk statements in chunks (the engine handles a hundred thousand items per run);
reads return plain tuples and dicts so the services above never hold ORM objects for long.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from productpath.store.models import (
    Customer,
    EmbeddingCache,
    FeedbackInsight,
    FeedbackItem,
    InsightRun,
    Segment,
    Theme,
)

# Rows per statement: under the bound-parameter limits of SQLite and PostgreSQL.
CHUNK_SIZE = 1000
# Keys per IN (...) list when reading the cache.
IN_CHUNK = 900


@dataclass(frozen=True)
class AnalysisItem:
    """One feedback item as the engine sees it, with its previous reading (if any)."""

    id: int
    text: str
    when: dt.datetime
    text_hash: str | None  # of the text when it was last analysed
    theme_number: int | None
    sentiment: float | None
    source: str = ""  # the feedback source it came from (trends tell a source's start from demand)


@dataclass(frozen=True)
class StoredTheme:
    id: int
    number: int
    label: str
    keywords: tuple[str, ...]
    size: int
    centroid: bytes | None
    model: str
    active: bool
    label_set_by: str | None = None  # who named it, when a person did (``themes rename``)


def analysis_items(session: Session, product_id: int) -> list[AnalysisItem]:
    """Every feedback item of the product, oldest id first, with its last reading."""
    stmt = (
        select(
            FeedbackItem.id,
            FeedbackItem.text,
            func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at),
            FeedbackInsight.text_hash,
            Theme.number,
            FeedbackInsight.sentiment,
            FeedbackItem.source,
        )
        .outerjoin(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .outerjoin(Theme, Theme.id == FeedbackInsight.theme_id)
        .where(FeedbackItem.product_id == product_id)
        .order_by(FeedbackItem.id)
        .execution_options(yield_per=CHUNK_SIZE * 10)
    )
    return [AnalysisItem(*row) for row in session.execute(stmt)]


def cached_vectors(
    session: Session, model: str, hashes: Sequence[str]
) -> Iterator[tuple[str, bytes]]:
    """(text hash, float32 bytes) for those of ``hashes`` cached under ``model``."""
    unique = sorted(set(hashes))
    for start in range(0, len(unique), IN_CHUNK):
        stmt = select(EmbeddingCache.text_hash, EmbeddingCache.vector).where(
            EmbeddingCache.model == model,
            EmbeddingCache.text_hash.in_(unique[start : start + IN_CHUNK]),
        )
        yield from ((row[0], row[1]) for row in session.execute(stmt))


def cache_vectors(session: Session, model: str, dim: int, vectors: Mapping[str, bytes]) -> None:
    """Add vectors for hashes not yet cached (the caller checked they are missing)."""
    rows = [{"model": model, "text_hash": h, "dim": dim, "vector": v} for h, v in vectors.items()]
    for start in range(0, len(rows), CHUNK_SIZE):
        session.execute(insert(EmbeddingCache), rows[start : start + CHUNK_SIZE])


def themes(session: Session, product_id: int) -> list[StoredTheme]:
    """Every theme of the product, active or not, by number."""
    stmt = select(Theme).where(Theme.product_id == product_id).order_by(Theme.number)
    return [_stored(t) for t in session.scalars(stmt)]


def _stored(theme: Theme) -> StoredTheme:
    return StoredTheme(
        id=theme.id,
        number=theme.number,
        label=theme.label,
        keywords=tuple(json.loads(theme.keywords or "[]")),
        size=theme.size,
        centroid=theme.centroid,
        model=theme.model,
        active=theme.active,
        label_set_by=theme.label_set_by,
    )


@dataclass(frozen=True)
class ThemeWrite:
    """A theme as a run leaves it: created when ``number`` is new, otherwise updated."""

    number: int
    label: str
    keywords: tuple[str, ...]
    centroid: bytes
    model: str


def save_themes(
    session: Session, product_id: int, written: Iterable[ThemeWrite], *, deactivate_others: bool
) -> dict[int, int]:
    """Create or update themes; number -> theme id for all of the product's themes.

    With ``deactivate_others`` every theme not written is marked inactive (it keeps its number).
    """
    existing = {
        t.number: t for t in session.scalars(select(Theme).where(Theme.product_id == product_id))
    }
    touched = set()
    for theme in written:
        touched.add(theme.number)
        row = existing.get(theme.number)
        if row is None:
            row = Theme(product_id=product_id, number=theme.number)
            session.add(row)
            existing[theme.number] = row
        row.label = theme.label[:200]
        row.keywords = json.dumps(list(theme.keywords), ensure_ascii=False)
        row.centroid = theme.centroid
        row.model = theme.model
        row.active = True
    if deactivate_others:
        for number, row in existing.items():
            if number not in touched:
                row.active = False
    session.flush()
    return {number: row.id for number, row in existing.items()}


def replace_readings(
    session: Session, product_id: int, readings: Sequence[dict[str, Any]], *, everything: bool
) -> None:
    """Store per-item readings (dicts of FeedbackInsight columns), replacing earlier ones.

    ``everything`` drops every reading of the product first (a full run); otherwise only the
    readings of the items given are replaced.
    """
    items = select(FeedbackItem.id).where(FeedbackItem.product_id == product_id)
    if everything:
        session.execute(delete(FeedbackInsight).where(FeedbackInsight.feedback_id.in_(items)))
    else:
        ids = [r["feedback_id"] for r in readings]
        for start in range(0, len(ids), IN_CHUNK):
            session.execute(
                delete(FeedbackInsight).where(
                    FeedbackInsight.feedback_id.in_(ids[start : start + IN_CHUNK])
                )
            )
    for start in range(0, len(readings), CHUNK_SIZE):
        session.execute(insert(FeedbackInsight), list(readings[start : start + CHUNK_SIZE]))


def refresh_sizes(session: Session, product_id: int) -> None:
    """Each theme's size from its readings; a theme left with none becomes inactive."""
    counts = dict(
        session.execute(
            select(FeedbackInsight.theme_id, func.count())
            .join(Theme, Theme.id == FeedbackInsight.theme_id)
            .where(Theme.product_id == product_id)
            .group_by(FeedbackInsight.theme_id)
        ).all()
    )
    for theme in session.scalars(select(Theme).where(Theme.product_id == product_id)):
        theme.size = int(counts.get(theme.id, 0))
        if theme.size == 0:
            theme.active = False
    session.flush()


def theme_members(session: Session, product_id: int) -> Iterator[tuple[int, str]]:
    """(theme number, text) of every item in an active theme: what labels are made from."""
    stmt = (
        select(Theme.number, FeedbackItem.text)
        .join(FeedbackInsight, FeedbackInsight.theme_id == Theme.id)
        .join(FeedbackItem, FeedbackItem.id == FeedbackInsight.feedback_id)
        .where(Theme.product_id == product_id, Theme.active.is_(True))
        .order_by(FeedbackItem.id)
        .execution_options(yield_per=CHUNK_SIZE * 10)
    )
    yield from ((row[0], row[1]) for row in session.execute(stmt))


def relabel(
    session: Session, product_id: int, labels: Mapping[int, tuple[str, Sequence[str]]]
) -> None:
    """Set (label, keywords) of themes by number."""
    for number, (label, keywords) in labels.items():
        session.execute(
            update(Theme)
            .where(Theme.product_id == product_id, Theme.number == number)
            .values(label=label[:200], keywords=json.dumps(list(keywords), ensure_ascii=False))
        )


def add_run(session: Session, run: InsightRun) -> None:
    session.add(run)
    session.flush()


def unthemed_ids(
    session: Session, product_id: int, *, read_after: dt.datetime | None = None
) -> set[int]:
    """Analysed items in no theme (read after ``read_after`` when given)."""
    stmt = (
        select(FeedbackInsight.feedback_id)
        .join(FeedbackItem, FeedbackItem.id == FeedbackInsight.feedback_id)
        .where(FeedbackItem.product_id == product_id, FeedbackInsight.theme_id.is_(None))
    )
    if read_after is not None:
        stmt = stmt.where(FeedbackInsight.analysed_at > read_after)
    return set(session.scalars(stmt))


def unassigned_since_full_run(
    session: Session, product_id: int, dismissed: Collection[int] = ()
) -> int:
    """Items in no theme read after the product's last full run (every such item when there was
    none): the ones no clustering has yet seen together. ``dismissed`` items (not feedback, see
    ``feedback dismiss``) are in no theme by a person's choice and are not counted."""
    last_full = session.scalar(
        select(func.max(InsightRun.finished_at)).where(
            InsightRun.product_id == product_id, InsightRun.full.is_(True)
        )
    )
    return len(unthemed_ids(session, product_id, read_after=last_full) - set(dismissed))


def last_run(session: Session, product_id: int) -> InsightRun | None:
    return session.scalar(
        select(InsightRun)
        .where(InsightRun.product_id == product_id)
        .order_by(InsightRun.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class ReadingRow:
    """One item's reading joined with what the views group it by."""

    feedback_id: int
    theme_number: int | None
    similarity: float | None
    sentiment: float | None
    kind: str | None
    when: dt.datetime
    customer: str | None
    customer_name: str | None
    revenue: float | None
    segment: str | None
    source: str = ""


def readings(session: Session, product_id: int) -> list[ReadingRow]:
    """Every analysed item of the product with its theme number, customer and segment."""
    stmt = (
        select(
            FeedbackItem.id,
            Theme.number,
            FeedbackInsight.theme_similarity,
            FeedbackInsight.sentiment,
            FeedbackInsight.kind,
            func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at),
            Customer.key,
            Customer.name,
            Customer.annual_revenue,
            Segment.name,
            FeedbackItem.source,
        )
        .join(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .outerjoin(Theme, Theme.id == FeedbackInsight.theme_id)
        .outerjoin(Customer, Customer.id == FeedbackItem.customer_id)
        .outerjoin(Segment, Segment.id == Customer.segment_id)
        .where(FeedbackItem.product_id == product_id)
        .order_by(FeedbackItem.id)
        .execution_options(yield_per=CHUNK_SIZE * 10)
    )
    return [ReadingRow(*cast(tuple[Any, ...], row)) for row in session.execute(stmt)]


def quotes(
    session: Session, product_id: int, number: int, limit: int
) -> list[tuple[int, str, dt.datetime, str | None, float | None, str | None, float | None]]:
    """Items closest to the centroid: (id, text, when, customer, similarity, kind, sentiment)."""
    stmt = (
        select(
            FeedbackItem.id,
            FeedbackItem.text,
            func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at),
            Customer.key,
            FeedbackInsight.theme_similarity,
            FeedbackInsight.kind,
            FeedbackInsight.sentiment,
        )
        .join(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .join(Theme, Theme.id == FeedbackInsight.theme_id)
        .outerjoin(Customer, Customer.id == FeedbackItem.customer_id)
        .where(Theme.product_id == product_id, Theme.number == number)
        .order_by(FeedbackInsight.theme_similarity.desc(), FeedbackItem.id)
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(stmt)]  # type: ignore[misc]


def any_unanalysed(session: Session, product_id: int) -> bool:
    """Whether a feedback item has never been read by an insights run."""
    stmt = (
        select(FeedbackItem.id)
        .outerjoin(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .where(FeedbackItem.product_id == product_id, FeedbackInsight.feedback_id.is_(None))
        .limit(1)
    )
    return session.scalar(stmt) is not None


def facet_values(session: Session, product_id: int, facet: str) -> list[str]:
    """Per feedback item of the product, in ``analysis_items``' order, what ``--group-by``
    reads: its ``source``, its customer's segment key ("" without one), or for ``repo`` its
    external id (the caller reads the repository from it)."""
    column: Any
    if facet == "source":
        column = FeedbackItem.source
    elif facet == "segment":
        column = func.coalesce(Segment.key, "")
    elif facet == "repo":
        column = FeedbackItem.external_id
    else:
        raise ValueError(f"unknown facet {facet!r}")
    stmt = (
        select(column)
        .select_from(FeedbackItem)
        .outerjoin(Customer, Customer.id == FeedbackItem.customer_id)
        .outerjoin(Segment, Segment.id == Customer.segment_id)
        .where(FeedbackItem.product_id == product_id)
        .order_by(FeedbackItem.id)
    )
    return [str(value or "") for value in session.scalars(stmt)]


def item_texts(session: Session, product_id: int, ids: Sequence[int]) -> dict[int, str]:
    """The text of each of ``ids`` that is a feedback item of the product (an embedding batch)."""
    texts: dict[int, str] = {}
    for start in range(0, len(ids), IN_CHUNK):
        stmt = select(FeedbackItem.id, FeedbackItem.text).where(
            FeedbackItem.product_id == product_id,
            FeedbackItem.id.in_(ids[start : start + IN_CHUNK]),
        )
        texts.update((row[0], row[1]) for row in session.execute(stmt))
    return texts


def cache_vectors_absent(
    session: Session, model: str, dim: int, vectors: Mapping[str, bytes]
) -> None:
    """Add vectors, skipping any hash another writer cached meanwhile (``ON CONFLICT DO
    NOTHING``): embedding batches running side by side never fail on each other's rows."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{"model": model, "text_hash": h, "dim": dim, "vector": v} for h, v in vectors.items()]
    for start in range(0, len(rows), CHUNK_SIZE):
        stmt = dialect_insert(EmbeddingCache).on_conflict_do_nothing(
            index_elements=["model", "text_hash"]
        )
        session.execute(stmt, rows[start : start + CHUNK_SIZE])
