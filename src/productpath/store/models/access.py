"""Who may use the web app and API: users, their role per product, API tokens, log-in attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from productpath.store.models.base import Base, Timestamped, utcnow


class User(Timestamped, Base):
    """A person who logs in. ``password_hash`` is argon2; ``session_epoch`` grows on logout
    and password change, which invalidates every signed session cookie issued before."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # The customer whose revenue weights this user's portal votes, if any.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    # Channels for notifications besides the in-app bell (which is always on).
    notify_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notify_webhook_url: Mapped[str | None] = mapped_column(String(1000))


class Membership(Base):
    """A user's role on one product: admin, editor, viewer or stakeholder."""

    __tablename__ = "membership"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20))


class ApiToken(Base):
    """A token for scripts. Only a SHA-256 of the secret is kept; ``prefix`` identifies it."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class LoginAttempt(Base):
    """Failed log-ins, kept in the database so the rate limit holds across server workers."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    client: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
