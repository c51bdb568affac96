"""What a digest run reports back, per recipient, and the digest log; shared by CLI and web."""

from __future__ import annotations

import datetime as dt

from productpath.domain.views import View

# A digest line's status: what happened (or, in a dry run, what would).
SENT = "sent"
FAILED = "failed"
WOULD_SEND = "would_send"
WOULD_FAIL = "would_fail"
ALREADY_SENT = "already_sent"
IN_PROGRESS = "in_progress"  # another run is sending it right now
SKIPPED = "skipped"  # its channel cannot send now (no SMTP settings); the next run tries again


class DigestLine(View):
    """One stakeholder's digest for one period on one channel."""

    stakeholder: str
    name: str
    channel: str
    recipient: str
    report: str
    period: str
    since: dt.date | None
    status: str
    attempts: int = 0
    error: str = ""


class NotificationLine(View):
    """One pending notification: a portal voter told their item changed status, or a watcher
    told by e-mail or webhook (``recipient`` is the address, or only the webhook's host)."""

    id: int
    email: str
    channel: str = "email"
    recipient: str = ""
    subject: str
    status: str
    attempts: int = 0
    error: str = ""


class DigestRun(View):
    """The outcome of ``digest send``: one line per recipient, and warnings (polish skipped,
    SMTP not configured in a dry run)."""

    today: dt.date
    dry_run: bool
    digests: list[DigestLine]
    notifications: list[NotificationLine]
    warnings: list[str]

    def count(self, status: str) -> int:
        """How many digests and notifications ended with ``status``."""
        statuses = [line.status for line in self.digests]
        statuses += [line.status for line in self.notifications]
        return statuses.count(status)


class DeliveryLogRow(View):
    stakeholder: str
    name: str
    period: str
    channel: str
    report: str
    status: str
    attempts: int
    error: str
    sent_at: dt.datetime | None
    created_at: dt.datetime
