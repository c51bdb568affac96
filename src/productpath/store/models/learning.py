"""What the learning loop keeps: KPIs and their dated values, experiments and their read-outs,
and the decision log with the evidence each decision rests on.

A KPI point is unique per KPI, day and segment; the whole-product series has the empty
segment ``""`` (not NULL, so the unique constraint holds on both databases). Evidence and
expected outcomes keep the reference the user typed (``ref``) beside the foreign key: when the
target is deleted the key becomes NULL and the page can say what it pointed at.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from productpath.store.models.base import Base, Timestamped, utcnow


class Kpi(Timestamped, Base):
    __tablename__ = "kpi"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    # A slug of the metric name, as the CLI and URLs use it.
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(50))
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")


class KpiPoint(Base):
    """One value of a KPI on one day (for one segment). ``source`` names the import file."""

    __tablename__ = "kpi_point"
    __table_args__ = (
        UniqueConstraint("kpi_id", "day", "segment"),
        Index("ix_kpi_point_kpi_day", "kpi_id", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    segment: Mapped[str] = mapped_column(String(100), default="")
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Experiment(Timestamped, Base):
    """One A/B test: what it tested and the input it was last analysed on (JSON)."""

    __tablename__ = "experiment"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id", ondelete="SET NULL")
    )
    control: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(200), default="")
    # JSON: per-variant users and per-metric sufficient statistics, the expected split.
    input: Mapped[str] = mapped_column(Text, default="{}")
    srm_p_value: Mapped[float | None] = mapped_column(Float)
    srm_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    # JSON list of caveats the analysis raised.
    caveats: Mapped[str] = mapped_column(Text, default="[]")
    analysed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    results: Mapped[list[ExperimentResult]] = relationship(
        back_populates="experiment",
        cascade="all, delete-orphan",
        order_by="ExperimentResult.position",
    )


class ExperimentResult(Base):
    """One comparison: a variant against the control on one metric."""

    __tablename__ = "experiment_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiment.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    metric: Mapped[str] = mapped_column(String(100))
    # conversion | mean
    metric_kind: Mapped[str] = mapped_column(String(20))
    variant: Mapped[str] = mapped_column(String(100))
    control: Mapped[str] = mapped_column(String(100))
    n_variant: Mapped[int] = mapped_column(Integer)
    n_control: Mapped[int] = mapped_column(Integer)
    variant_value: Mapped[float] = mapped_column(Float)
    control_value: Mapped[float] = mapped_column(Float)
    difference: Mapped[float] = mapped_column(Float)
    lift: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    prob_beat_control: Mapped[float | None] = mapped_column(Float)
    test: Mapped[str] = mapped_column(String(200))
    experiment: Mapped[Experiment] = relationship(back_populates="results")


class Decision(Timestamped, Base):
    """A decision: what, why (options, evidence), who, and what it should change on a KPI."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    decision: Mapped[str] = mapped_column(Text, default="")
    # JSON list of the options considered.
    options: Mapped[str] = mapped_column(Text, default="[]")
    owner: Mapped[str] = mapped_column(String(200), default="")
    decided_on: Mapped[dt.date] = mapped_column(Date)
    review_on: Mapped[dt.date | None] = mapped_column(Date)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id", ondelete="SET NULL")
    )
    # The expected outcome: the KPI (its key kept in case it is deleted), a direction
    # (increase | decrease), optionally a target value and the date it should be reached by.
    expected_kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpi.id", ondelete="SET NULL"))
    expected_kpi_ref: Mapped[str | None] = mapped_column(String(64))
    expected_direction: Mapped[str | None] = mapped_column(String(10))
    expected_target: Mapped[float | None] = mapped_column(Float)
    expected_by: Mapped[dt.date | None] = mapped_column(Date)
    # open | reviewed
    status: Mapped[str] = mapped_column(String(20), default="open")
    evidence: Mapped[list[DecisionEvidence]] = relationship(
        back_populates="decision",
        cascade="all, delete-orphan",
        order_by="DecisionEvidence.position",
    )


class DecisionEvidence(Base):
    """One piece of evidence: exactly one of the target columns is set when it is written."""

    __tablename__ = "decision_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # theme | feedback | kpi | experiment | forecast
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(200))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="SET NULL")
    )
    kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpi.id", ondelete="SET NULL"))
    experiment_id: Mapped[int | None] = mapped_column(
        ForeignKey("experiment.id", ondelete="SET NULL")
    )
    forecast_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("forecast_run.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[Decision] = relationship(back_populates="evidence")
