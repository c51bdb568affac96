"""Stakeholders, who is responsible for what (RACI), reports generated, digests sent, and
notifications with the watches that cause them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
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
    """A message for one person by one channel.

    ``channel`` is ``in_app`` (shown under the header's bell until read: ``read_at``),
    ``email`` (to ``email``) or ``webhook`` (to ``webhook_url``); the outbound ones go out with
    the next ``productpath digest send`` and ``sent_at`` stays empty until they have. ``kind``
    says why: ``portal`` (a voted item changed stage), ``status``, ``at_risk``,
    ``milestone_late`` or ``mention``. ``link`` is the page it is about (a path in the app).
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user", "user_id", "channel", "read_at"),)
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
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    kind: Mapped[str] = mapped_column(String(20), default="portal", server_default="portal")
    link: Mapped[str] = mapped_column(String(500), default="", server_default="")
    webhook_url: Mapped[str | None] = mapped_column(String(1000))
    read_at: Mapped[dt.datetime | None]


class Watch(Base):
    """A user watching an initiative, milestone or theme (``object_key``: its key, or a
    theme's number) on one product.

    ``raised`` remembers that the watched object's warning (an initiative at risk, a
    milestone's P85 past its target) was already sent, so it is sent once per transition and
    again only after it cleared.
    """

    __tablename__ = "watch"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id", "object_type", "object_key"),
        Index("ix_watch_object", "product_id", "object_type", "object_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    object_type: Mapped[str] = mapped_column(String(20))
    object_key: Mapped[str] = mapped_column(String(200))
    raised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
