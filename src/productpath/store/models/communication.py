"""Stakeholders, who is responsible for what (RACI), reports generated, and digests sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from productpath.store.models.base import Base, Timestamped, utcnow


class Stakeholder(Timestamped, Base):
    """A person who needs to know where things stand, and how they want to hear it.

    ``audience`` is one of executive, engineering, sales_support, customer; ``power`` and
    ``interest`` are low or high (the grid's two axes); ``channel`` is email, webhook or none;
    ``cadence`` is weekly, biweekly, monthly or none.
    """

    __tablename__ = "stakeholder"
    __table_args__ = (UniqueConstraint("product_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    audience: Mapped[str] = mapped_column(String(20), default="engineering")
    power: Mapped[str] = mapped_column(String(10), default="low")
    interest: Mapped[str] = mapped_column(String(10), default="low")
    channel: Mapped[str] = mapped_column(String(10), default="email")
    webhook_url: Mapped[str | None] = mapped_column(String(1000))
    cadence: Mapped[str] = mapped_column(String(10), default="weekly")
    # Place in roadmap.yaml's ``stakeholders:``; None when only the CLI added it.
    roadmap_position: Mapped[int | None] = mapped_column(Integer)


class RaciAssignment(Base):
    """One stakeholder's part in one initiative: R, A, C or I."""

    __tablename__ = "raci_assignment"
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(1))


class ReportRun(Base):
    """A report as generated: its kind and the facts it stated, to say what changed next time.

    ``facts`` is JSON written by the report builder (milestone dates, progress, top themes).
    """

    __tablename__ = "report_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    generated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    data_as_of: Mapped[dt.datetime | None]
    facts: Mapped[str] = mapped_column(Text, default="{}")


class DigestDelivery(Base):
    """One attempt-set to send one stakeholder their digest for one period.

    ``status`` is sent or failed; the unique key makes "nothing sent twice for one period"
    a database rule, not a hope.
    """

    __tablename__ = "digest_delivery"
    __table_args__ = (UniqueConstraint("stakeholder_id", "period", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    report_kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """A message waiting for one person (a portal voter: "your item is now planned").

    Sent with the next digest run; ``sent_at`` stays empty until it has gone out.
    """

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
