"""Periodic work, queued by the job queue instead of a system cron.

Each tick (every worker has one; on PostgreSQL procrastinate defers one tick per timestamp for
all workers together) asks :func:`due` what is due and queues it:

- each source with an interval (``productpath connect ... --every 15m``): a sync once the
  interval has passed since its last sync or its last queued sync;
- the stakeholders' digests: a send when a digest is due on its cadence (checked with a dry
  run), at most once an hour, and not while the SMTP settings it would need are missing;
- the nightly insights run: once a day after :data:`NIGHTLY_HOUR` UTC, when feedback has come in
  that no run has read yet;
- the watchers' risk check (``services/reporting/risk_alerts.py``): every
  :data:`RISK_CHECK_EVERY` while anyone watches an initiative or a milestone, as risks also come
  with time passing (writes that can change them queue one at once).

Queuing goes through ``JobRunner.start_job(..., unless_since=...)``, which checks under the
product's lock that no job of that kind and subject was queued since, so two workers that tick
at the same moment queue the work once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from productpath.errors import ConflictError
from productpath.services.background.jobs import JobRunner
from productpath.services.delivery import RISK_CHECK, RISK_WATCHED
from productpath.services.workspace import OpenWorkspace
from productpath.store import insight_repo, job_repo, notification_repo, product_repo, source_repo
from productpath.store.models.base import utcnow

# The hour (UTC) after which the nightly insights run is due.
NIGHTLY_HOUR = 2
# The digest schedule is looked at no more often than this.
DIGEST_CHECK = dt.timedelta(hours=1)
# The watchers' risk check runs at least this often while anyone watches.
RISK_CHECK_EVERY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Due:
    """One job the schedule wants queued, unless one like it was queued since ``since``."""

    kind: str
    subject: str
    params: dict[str, Any]
    since: dt.datetime


def due(handle: OpenWorkspace, now: dt.datetime | None = None) -> list[Due]:
    """The periodic jobs due at ``now`` (default: the current time)."""
    now = now or utcnow()
    found: list[Due] = []
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        for source in source_repo.list_sources(session, product_id):
            if not source.every_seconds:
                continue
            since = now - dt.timedelta(seconds=source.every_seconds)
            if source.last_synced_at is not None and source.last_synced_at > since:
                continue
            params = {"source": source.name, "full": False}
            found.append(Due("sync", source.name, params, since))
        nightly = now.replace(hour=NIGHTLY_HOUR, minute=0, second=0, microsecond=0)
        if now < nightly:
            nightly -= dt.timedelta(days=1)
        last = job_repo.last_created(session, product_id, "insights")
        if (last is None or last < nightly) and insight_repo.any_unanalysed(session, product_id):
            params = {"seed": 0, "full": False, "embedder": "auto"}
            found.append(Due("insights", "", params, nightly))
        last_digests = job_repo.last_created(session, product_id, "digests")
        if notification_repo.any_watch(session, product_id, RISK_WATCHED):
            since = now - RISK_CHECK_EVERY
            last = job_repo.last_created(session, product_id, RISK_CHECK)
            if last is None or last < since:
                found.append(Due(RISK_CHECK, "", {}, since))
    recent = last_digests is not None and last_digests >= now - DIGEST_CHECK
    if not recent and _digests_due(handle):
        found.append(Due("digests", "", {}, now - DIGEST_CHECK))
    return found


def _digests_due(handle: OpenWorkspace) -> bool:
    from productpath.services.reporting.digest_models import WOULD_SEND
    from productpath.services.reporting.digests import send_digests

    plan = send_digests(handle, dry_run=True)
    # A warning says e-mail cannot go out (no SMTP settings): a send would only skip, every hour.
    return plan.count(WOULD_SEND) > 0 and not plan.warnings


def enqueue_due(
    handle: OpenWorkspace, runner: JobRunner, now: dt.datetime | None = None
) -> list[int]:
    """Queue what :func:`due` finds; the ids of the jobs queued (none for what another worker
    queued first or what is still running)."""
    queued: list[int] = []
    for item in due(handle, now):
        if not runner.knows(item.kind):
            continue
        try:
            queued.append(
                runner.start_job(
                    handle,
                    item.kind,
                    item.params,
                    None,
                    subject=item.subject,
                    unless_since=item.since,
                )
            )
        except ConflictError:
            continue
    return queued
