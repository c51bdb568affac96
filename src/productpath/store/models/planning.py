"""What the decide stage keeps: competitors and their feature matrix, evidence links from
initiatives to themes and feedback, and the scoring inputs a roadmap sets by hand.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from productpath.store.models.base import Base, Timestamped, utcnow


class Competitor(Timestamped, Base):
    __tablename__ = "competitor"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Feature(Timestamped, Base):
    """A capability compared across the market; ``ours`` is where this product stands today."""

    __tablename__ = "feature"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # has | partial | no | unknown
    ours: Mapped[str] = mapped_column(String(10), default="unknown")
    position: Mapped[int] = mapped_column(Integer, default=0)


class FeatureSupport(Base):
    """One cell of the feature matrix: how far a competitor has a feature, and who says so."""

    __tablename__ = "feature_support"
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("feature.id", ondelete="CASCADE"), primary_key=True
    )
    competitor_id: Mapped[int] = mapped_column(
        ForeignKey("competitor.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class FeatureInitiative(Base):
    """An initiative that plans (part of) a feature."""

    __tablename__ = "feature_initiative"
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("feature.id", ondelete="CASCADE"), primary_key=True
    )
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class EvidenceLink(Base):
    """An initiative answers a theme or one feedback item.

    ``accepted`` links are the roadmap's (its ``themes:`` and ``feedback:`` lists) and feed the
    score; ``suggested`` ones are the last ``roadmap suggest-links`` proposals, with their
    similarity as ``weight``, waiting for a person.
    """

    __tablename__ = "evidence_link"
    __table_args__ = (
        UniqueConstraint("initiative_id", "theme_id"),
        UniqueConstraint("initiative_id", "feedback_id"),
        CheckConstraint(
            "(theme_id IS NULL) <> (feedback_id IS NULL)", name="ck_evidence_link_one_target"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE")
    )
    # accepted | suggested
    status: Mapped[str] = mapped_column(String(10), default="accepted")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ScoreOverride(Base):
    """A scoring term the roadmap sets by hand (``score: {reach: 500}``), marked as such."""

    __tablename__ = "score_override"
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
