"""The digest log (one row per stakeholder, period and channel) and pending notifications.

A delivery is *claimed* before anything is sent: a row with status ``sending`` is written and
committed, so two runs at once cannot both send the same digest (the unique key on
stakeholder, period and channel decides which one wins). After the send the row becomes
``sent`` or ``failed``; a failed row is claimed again by the next run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from productpath.store.models import DigestDelivery, Notification, Stakeholder

# A ``sending`` row older than this belongs to a run that died mid-send: it may be claimed again.
STALE_CLAIM = dt.timedelta(minutes=30)


def find(session: Session, stakeholder_id: int, period: str, channel: str) -> DigestDelivery | None:
    stmt = select(DigestDelivery).where(
        DigestDelivery.stakeholder_id == stakeholder_id,
        DigestDelivery.period == period,
        DigestDelivery.channel == channel,
    )
    return session.scalar(stmt)


def claim(
    session: Session,
    *,
    product_id: int,
    stakeholder_id: int,
    period: str,
    channel: str,
    report_kind: str,
    now: dt.datetime,
) -> int | None:
    """Mark the delivery as being sent by this run; its id, or None when it is not ours to send
    (already sent, or another run is sending it right now)."""
    row = find(session, stakeholder_id, period, channel)
    if row is None:
        try:
            with session.begin_nested():
                row = DigestDelivery(
                    product_id=product_id,
                    stakeholder_id=stakeholder_id,
                    period=period,
                    channel=channel,
                    report_kind=report_kind,
                    status="sending",
                    attempts=0,
                    error="",
                    created_at=now,
                )
                session.add(row)
                session.flush()
        except IntegrityError:
            return None  # another run claimed it between our look and our insert
        return row.id
    reclaimable = (DigestDelivery.status == "failed") | (
        (DigestDelivery.status == "sending") & (DigestDelivery.created_at < now - STALE_CLAIM)
    )
    result = session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.id == row.id, reclaimable)
        .values(status="sending", report_kind=report_kind, created_at=now)
        .execution_options(synchronize_session=False)
    )
    return row.id if result.rowcount == 1 else None  # type: ignore[attr-defined]


def finish(
    session: Session,
    delivery_id: int,
    *,
    sent: bool,
    attempts: int,
    error: str,
    now: dt.datetime,
) -> None:
    """Record how the claimed delivery ended; ``attempts`` adds to the attempts of earlier runs."""
    row = session.get(DigestDelivery, delivery_id)
    if row is None:  # the stakeholder was removed while we were sending
        return
    row.status = "sent" if sent else "failed"
    row.attempts = (row.attempts or 0) + attempts
    row.error = error
    row.sent_at = now if sent else None


def last_sent(session: Session, stakeholder_id: int) -> dt.datetime | None:
    """When the stakeholder last received a digest by any channel."""
    stmt = (
        select(DigestDelivery.sent_at)
        .where(DigestDelivery.stakeholder_id == stakeholder_id, DigestDelivery.status == "sent")
        .order_by(DigestDelivery.sent_at.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def log(
    session: Session, product_id: int, limit: int = 200
) -> list[tuple[DigestDelivery, str, str]]:
    """The latest deliveries, newest first, each with the stakeholder's key and name."""
    stmt = (
        select(DigestDelivery, Stakeholder.key, Stakeholder.name)
        .join(Stakeholder, Stakeholder.id == DigestDelivery.stakeholder_id)
        .where(DigestDelivery.product_id == product_id)
        .order_by(DigestDelivery.created_at.desc(), DigestDelivery.id.desc())
        .limit(limit)
    )
    return [(row, key, name) for row, key, name in session.execute(stmt)]


def pending_notifications(session: Session, product_id: int) -> list[Notification]:
    """Notifications not sent yet and not given up on, oldest first."""
    stmt = (
        select(Notification)
        .where(
            Notification.product_id == product_id,
            Notification.sent_at.is_(None),
            Notification.failed.is_(False),
        )
        .order_by(Notification.created_at, Notification.id)
    )
    return list(session.scalars(stmt))


def mark_notification(
    session: Session, notification_id: int, *, sent_at: dt.datetime | None, failed: bool
) -> None:
    row = session.get(Notification, notification_id)
    if row is not None:
        row.sent_at = sent_at
        row.failed = failed
