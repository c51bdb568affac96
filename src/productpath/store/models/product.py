"""The product and what the roadmap and customers put in it: objectives, teams, milestones,
initiatives and their dependencies, segments, customers and their feedback.

User-facing ids (``key``) are the stable ids written in roadmap.yaml; integer primary keys stay
internal.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from productpath.store.models.base import Base, Timestamped, utcnow


class Product(Timestamped, Base):
    __tablename__ = "product"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Objective(Timestamped, Base):
    __tablename__ = "objective"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Grows with every change (roadmap apply, web, API, undo), like an initiative's.
    version: Mapped[int] = mapped_column(Integer, default=1)
    key_results: Mapped[list[KeyResult]] = relationship(
        back_populates="objective", cascade="all, delete-orphan", order_by="KeyResult.position"
    )


class KeyResult(Timestamped, Base):
    __tablename__ = "key_result"
    __table_args__ = (UniqueConstraint("objective_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    target: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A KPI whose latest value is this key result's progress (computed, not typed).
    kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpi.id", ondelete="SET NULL"))
    objective: Mapped[Objective] = relationship(back_populates="key_results")


class Team(Timestamped, Base):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    capacity_per_week: Mapped[float] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Grows with every change (roadmap apply, web, API, undo), like an initiative's.
    version: Mapped[int] = mapped_column(Integer, default=1)
    members: Mapped[list[Person]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="Person.position"
    )


class Person(Timestamped, Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    position: Mapped[int] = mapped_column(Integer, default=0)
    team: Mapped[Team] = relationship(back_populates="members")


class Milestone(Timestamped, Base):
    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    target_date: Mapped[dt.date]
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Grows with every change (roadmap apply, web, API, undo), like an initiative's.
    version: Mapped[int] = mapped_column(Integer, default=1)


class Initiative(Timestamped, Base):
    __tablename__ = "initiative"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("objective.id", ondelete="SET NULL")
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    # Planned dates (roadmap.yaml ``start:`` and ``target:``).
    start_date: Mapped[dt.date | None]
    target_date: Mapped[dt.date | None]
    estimate_optimistic: Mapped[float | None] = mapped_column(Float)
    estimate_likely: Mapped[float | None] = mapped_column(Float)
    estimate_pessimistic: Mapped[float | None] = mapped_column(Float)
    # Tracker epics and labels whose work belongs to this initiative (roadmap.yaml ``work:``),
    # newline-separated; the delivery linker reads them.
    work_epics: Mapped[str] = mapped_column(Text, default="")
    work_labels: Mapped[str] = mapped_column(Text, default="")
    # A KPI key (roadmap.yaml ``target_kpi:``); text rather than a foreign key, so a roadmap
    # may name a KPI before its values are imported.
    target_kpi: Mapped[str | None] = mapped_column(String(64))
    # Shown on the stakeholder portal's public roadmap (roadmap.yaml ``public: true``).
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Grows on every edit (web, API, roadmap apply, undo); an edit naming an older version is
    # refused, so two people cannot silently overwrite each other.
    version: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)
    objective: Mapped[Objective | None] = relationship()
    team: Mapped[Team | None] = relationship()
    milestone: Mapped[Milestone | None] = relationship()


class InitiativeDependency(Base):
    __tablename__ = "initiative_dependency"
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class Segment(Timestamped, Base):
    __tablename__ = "segment"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    # Place in roadmap.yaml's ``segments:``; None when the roadmap does not list it. Apply and
    # export manage only listed ones.
    roadmap_position: Mapped[int | None] = mapped_column(Integer)


class Customer(Timestamped, Base):
    __tablename__ = "customer"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id", ondelete="SET NULL"))
    annual_revenue: Mapped[float | None] = mapped_column(Float)
    # Place in roadmap.yaml's ``customers:``; None when the roadmap does not list it. Apply
    # and export manage only listed ones, so customers imported from CSV or named by feedback
    # are never deleted by a roadmap.
    roadmap_position: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[Segment | None] = relationship()


class FeedbackItem(Base):
    """One piece of customer feedback. ``source`` + ``external_id`` make re-imports no-ops."""

    __tablename__ = "feedback_item"
    __table_args__ = (
        UniqueConstraint("product_id", "source", "external_id"),
        Index("ix_feedback_item_product_created", "product_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # When the customer said it (from the file); imported_at is when we learnt it.
    created_at: Mapped[dt.datetime | None]
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The kind the source gave it (an issue's labels); the insight engine keeps it.
    labelled_kind: Mapped[str | None] = mapped_column(String(20))
    # What the source says besides the text, as a JSON object: an app review's rating, app
    # version, territory or language. None for plain feedback files.
    details: Mapped[str | None] = mapped_column(Text)
    customer: Mapped[Customer | None] = relationship()
