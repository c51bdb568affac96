"""What the insight engine learns from feedback: cached embeddings, themes, and per-item
sentiment and kind (kept on ``feedback_item``), plus a record of each run.

Themes have a stable per-product ``number`` (shown to users as ``#3``): incremental runs add
items to existing themes, and a full re-cluster matches new clusters to old numbers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from productpath.store.models.base import Base, Timestamped, utcnow


class EmbeddingCache(Base):
    """One text's vector under one model; keyed by a hash so re-runs embed only new text."""

    __tablename__ = "embedding_cache"
    model: Mapped[str] = mapped_column(String(100), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    # float32, little-endian, ``dim`` values.
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class Theme(Timestamped, Base):
    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("product_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    # JSON list of keywords, best first.
    keywords: Mapped[str] = mapped_column(Text, default="[]")
    size: Mapped[int] = mapped_column(Integer, default=0)
    # Unit-length float32 centroid under ``model``; new items are assigned against it.
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    model: Mapped[str] = mapped_column(String(100), default="")
    # A theme no item belongs to any more keeps its number (links may point at it).
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Who named the theme when a person did (``themes rename``): runs keep that label.
    label_set_by: Mapped[str | None] = mapped_column(String(200))


class CurationDecision(Base):
    """One curation decision on the themes (the curation log): who, when, what.

    ``action`` is rename | merge | split | move | dismiss; ``details`` (JSON) holds what the
    decision pins (the theme numbers and item ids it names) and what it replaced, so that
    ``curation undo`` can put things back. Every run lays the decisions not undone over its own
    clustering, in order (``curation_repo.apply``); ``number`` is the per-product number people
    use (``curation undo 3``).
    """

    __tablename__ = "curation_decision"
    __table_args__ = (UniqueConstraint("product_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    set_by: Mapped[str | None] = mapped_column(String(200))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[dt.datetime | None]


class InsightRun(Base):
    """One ``insights run``: what it used and what it found, for "data as of" lines."""

    __tablename__ = "insight_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    embedder: Mapped[str] = mapped_column(String(100))
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    new_items: Mapped[int] = mapped_column(Integer, default=0)
    themes: Mapped[int] = mapped_column(Integer, default=0)
    unassigned: Mapped[int] = mapped_column(Integer, default=0)
    # JSON: parameters and per-stage seconds.
    details: Mapped[str] = mapped_column(Text, default="{}")


class ForecastRun(Base):
    """A stored forecast (its inputs and percentiles), for the accuracy retrospective.

    ``kind`` is when | how_many | roadmap | backtest | compare; ``inputs`` and ``result`` are JSON.
    """

    __tablename__ = "forecast_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    seed: Mapped[int | None] = mapped_column(Integer)
    trials: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[str] = mapped_column(Text, default="{}")
    result: Mapped[str] = mapped_column(Text, default="{}")


class FeedbackInsight(Base):
    """The engine's reading of one feedback item: theme, sentiment and kind.

    Kept apart from ``feedback_item`` so an import never touches analysis and an analysis never
    rewrites evidence.
    """

    __tablename__ = "feedback_insight"
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    # Cosine similarity to the theme centroid when assigned.
    theme_similarity: Mapped[float | None] = mapped_column(Float)
    sentiment: Mapped[float | None] = mapped_column(Float)
    # bug | feature_request | question | praise | other
    kind: Mapped[str | None] = mapped_column(String(20))
    kind_confidence: Mapped[float | None] = mapped_column(Float)
    text_hash: Mapped[str] = mapped_column(String(64))
    analysed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FeedbackLabel(Base):
    """What a person (or the imported file) said an item's kind or sentiment is.

    Kept apart from ``feedback_insight``, which a run rewrites: every run re-applies these over
    its own readings (``label_repo.apply``) and learns from the kinds, so a re-run never undoes
    a person. ``source`` is ``person`` (``feedback label``, the API) or ``file`` (an import's
    kind column); a None field leaves the machine's value in place.
    """

    __tablename__ = "feedback_label"
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str | None] = mapped_column(String(20))
    sentiment: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="person")
    set_by: Mapped[str | None] = mapped_column(String(200))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
