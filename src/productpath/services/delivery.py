"""Delivery: link commits and tracker items to initiatives, then report status and flow metrics.

Linking is a write, so reports never do it: the git ingest, the tracker import and the roadmap
apply call :func:`relink_session` at the end of their own transaction, and ``productpath
delivery relink`` runs it on demand. The rules are in :mod:`productpath.delivery.linking`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from productpath.delivery.bots import Bots
from productpath.delivery.linking import RULES, link_work
from productpath.delivery.metrics import DeliveryMetrics, flow_metrics
from productpath.delivery.progress import InitiativeWork
from productpath.delivery.risks import RiskSettings
from productpath.delivery.status import DeliveryStatus, LinkCounts, MilestoneInfo, build_status
from productpath.domain import clock
from productpath.domain.roadmap import InitiativeStatus
from productpath.domain.work import ItemRecord, TagRecord
from productpath.errors import InputError, NotFoundError
from productpath.services.workspace import OpenWorkspace
from productpath.store import job_repo, notification_repo, product_repo, work_records, work_repo
from productpath.store.roadmap_repo import load_doc

__all__ = [
    "DEFAULT_METRICS_WEEKS",
    "RISK_CHECK",
    "LinkReport",
    "UnlinkedRow",
    "delivery_metrics",
    "delivery_status",
    "link_manually",
    "relink",
    "relink_session",
    "request_risk_check",
    "unlink_manually",
    "unlinked_work",
]

DEFAULT_METRICS_WEEKS = 12
# The job that tells watchers of new risks, and what it watches.
RISK_CHECK = "risk_check"
RISK_WATCHED = ("initiative", "milestone")
MIN_SHA_PREFIX = 7
_HEX = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True)
class LinkReport:
    """Links per rule after a relink (every rule, manual included), what changed, what is left."""

    by_rule: dict[str, int] = field(default_factory=dict)
    added: int = 0
    removed: int = 0
    unlinked_commits: int = 0
    unlinked_items: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "by_rule": dict(self.by_rule),
            "added": self.added,
            "removed": self.removed,
            "unlinked": {"commits": self.unlinked_commits, "items": self.unlinked_items},
        }


@dataclass(frozen=True)
class UnlinkedRow:
    """A commit or tracker item that links to no initiative."""

    kind: str  # commit | item
    ref: str  # full sha, or tracker key
    title: str
    at: dt.datetime | None
    who: str | None
    where: str  # repository name, or tracker

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "title": self.title,
            "at": self.at.isoformat() if self.at else None,
            "who": self.who,
            "where": self.where,
        }


def relink_session(session: Session, product_key: str) -> LinkReport:
    """Recompute the automatic links of ``product_key`` inside the caller's write transaction."""
    product_id = product_repo.find_id(session, product_key)
    if product_id is None:
        return LinkReport()
    initiatives = work_repo.initiatives(session, product_id)
    ids = {refs.key: row_id for row_id, refs in initiatives}
    found = link_work(
        [refs for _, refs in initiatives],
        work_records.iter_commits(session, product_id),
        work_records.items(session, product_id, history=False),
    )
    rows = [
        (
            ids[link.initiative],
            link.work_id if link.kind == "commit" else None,
            link.work_id if link.kind == "item" else None,
            link.rule,
        )
        for link in found
    ]
    added, removed = work_repo.replace_automatic_links(session, product_id, rows)
    request_risk_check(session, product_id)
    commits, items = work_repo.unlinked_counts(session, product_id)
    counts = work_repo.count_by_rule(session, product_id)
    return LinkReport(
        by_rule={rule: counts.get(rule, 0) for rule in RULES},
        added=added,
        removed=removed,
        unlinked_commits=commits,
        unlinked_items=items,
    )


def request_risk_check(session: Session, product_id: int) -> None:
    """After a write that can change a delivery risk or the forecast (a roadmap edit, apply,
    undo or move, a sync, a git or tracker ingest: each relinks, or records its edits, in its
    own transaction), queue the risk check that tells watchers of initiatives now at risk and
    of milestones whose P85 moved past their target (``services/reporting/risk_alerts.py``),
    when anyone watches one. One queued check serves any number of writes before it starts."""
    if notification_repo.any_watch(session, product_id, RISK_WATCHED):
        job_repo.request(session, product_id, RISK_CHECK)


def relink(handle: OpenWorkspace) -> LinkReport:
    """Recompute every automatic link of the workspace's product now, in one transaction."""
    with handle.store.write() as session:
        return relink_session(session, handle.workspace.product)


def link_manually(handle: OpenWorkspace, initiative: str, refs: Sequence[str]) -> int:
    """Link work to ``initiative`` by hand; returns how many links are new (or became manual).

    Each ref is a commit sha or a unique prefix of one (at least 7 characters), or a tracker
    key. An unknown initiative or ref is a NotFoundError naming it, and nothing is written.
    """
    with handle.store.write() as session:
        initiative_id, work = _resolve(session, handle, initiative, refs)
        return work_repo.add_manual_links(session, initiative_id, work)


def unlink_manually(handle: OpenWorkspace, initiative: str, refs: Sequence[str]) -> int:
    """Remove manual links (made by :func:`link_manually`); returns how many were removed."""
    with handle.store.write() as session:
        initiative_id, work = _resolve(session, handle, initiative, refs)
        return work_repo.remove_manual_links(session, initiative_id, work)


def _resolve(
    session: Session, handle: OpenWorkspace, initiative: str, refs: Sequence[str]
) -> tuple[int, list[tuple[int | None, int | None]]]:
    if not refs:
        raise InputError("name at least one commit sha or tracker key", field="REF")
    product_id = _product_id(session, handle)
    initiative_id = work_repo.initiative_id(session, product_id, initiative)
    if initiative_id is None:
        raise NotFoundError(
            f"no initiative '{initiative}' in the roadmap of product '{handle.workspace.product}'"
        )
    work: list[tuple[int | None, int | None]] = []
    for ref in refs:
        work.extend(_resolve_ref(session, product_id, ref.strip()))
    return initiative_id, work


def _resolve_ref(
    session: Session, product_id: int, ref: str
) -> list[tuple[int | None, int | None]]:
    if len(ref) >= MIN_SHA_PREFIX and _HEX.fullmatch(ref):
        commits = work_repo.commits_by_prefix(session, product_id, ref.lower())
        shas = sorted({sha for _, sha in commits})
        if len(shas) > 1:
            shown = ", ".join(sha[:12] for sha in shas[:3]) + (", ..." if len(shas) > 3 else "")
            raise InputError(
                f"'{ref}' is the start of {len(shas)} commits ({shown}); give more of the sha",
                field="REF",
            )
        if commits:
            # The same commit in two repositories (a fork, a mirror) is linked in both.
            return [(commit_id, None) for commit_id, _ in commits]
    items = work_repo.items_by_key(session, product_id, ref)
    if items:
        return [(None, item_id) for item_id, _ in items]
    hint = ""
    if _HEX.fullmatch(ref) and len(ref) < MIN_SHA_PREFIX:
        hint = f" (a commit needs at least {MIN_SHA_PREFIX} characters of its sha)"
    raise NotFoundError(f"no commit or tracker item '{ref}'{hint}")


def unlinked_work(handle: OpenWorkspace, *, limit: int | None = None) -> list[UnlinkedRow]:
    """Commits and tracker items linked to no initiative, newest first."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        rows = work_repo.unlinked(session, product_id, limit=limit)
    return [UnlinkedRow(r.kind, r.ref, r.title, r.at, r.who, r.where) for r in rows]


def delivery_status(
    handle: OpenWorkspace, *, stale_days: int = 14, today: dt.date | None = None
) -> DeliveryStatus:
    """Progress, projection and risks of every initiative, rolled up per milestone."""
    if stale_days < 1:
        raise InputError("must be at least 1 day", field="stale-days")
    today = today or dt.date.today()
    key = handle.workspace.product
    with handle.store.read() as session:
        doc = load_doc(session, key)
        if doc is None or doc.is_empty:
            raise NotFoundError(
                f"product '{key}' has no roadmap; apply one with 'productpath roadmap apply "
                "roadmap.yaml' before asking for its delivery status"
            )
        product_id = _product_id(session, handle)
        ids = {refs.key: row_id for row_id, refs in work_repo.initiatives(session, product_id)}
        commits, items = work_records.linked_work(session, product_id)
        unlinked_commits, unlinked_items = work_repo.unlinked_counts(session, product_id)
    targets = {m.id: m.target_date for m in doc.milestones}
    works = [
        InitiativeWork(
            key=spec.id,
            title=spec.title,
            status=spec.status.value,
            milestone=spec.milestone,
            target_date=targets.get(spec.milestone) if spec.milestone else None,
            depends_on=spec.depends_on,
            commits=tuple(commits.get(ids[spec.id], ())),
            items=tuple(items.get(ids[spec.id], ())),
        )
        for spec in doc.initiatives
        # Archived initiatives leave delivery status (and the reports and digests built on it).
        if spec.status is not InitiativeStatus.ARCHIVED
    ]
    return build_status(
        works,
        [MilestoneInfo(m.id, m.name, m.target_date) for m in doc.milestones],
        today,
        settings=RiskSettings(stale_days=stale_days),
        unlinked=LinkCounts(commits=unlinked_commits, items=unlinked_items),
    )


def delivery_metrics(
    handle: OpenWorkspace, *, since: dt.date | None = None, today: dt.date | None = None
) -> DeliveryMetrics:
    """Throughput, cycle and lead time, deployment frequency and a change-failure proxy over
    ``since``..``today`` (default: the last :data:`DEFAULT_METRICS_WEEKS` weeks).

    Without ``today``, the window ends on the data's last day when the history (commits,
    tracker items, tags) ended before today, and ``anchor_note`` says so: a repository last
    ingested months ago would otherwise show a window of zeros without a word.
    """
    bots = Bots.of(handle.workspace.delivery.bots)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            end = today or clock.today()
            return flow_metrics([], [], [], since=since or _window_start(end), today=end)
        items = work_records.items(session, product_id)
        tags = work_records.tags(session, product_id)
        newest = work_records.newest_commit_at(session, product_id, clock.end_of_today())
        end, note = _window_end(today, newest, items, tags)
        since = since or _window_start(end)
        if since > end:
            last = "the data's last day" if note else "today"
            raise InputError(f"{since} is after {last} ({end})", field="since")
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        commits = list(work_records.iter_commits(session, product_id, since=start))
    found = flow_metrics(items, commits, tags, since=since, today=end, bots=bots)
    return found.model_copy(update={"anchor_note": note}) if note else found


def _window_start(end: dt.date) -> dt.date:
    return end - dt.timedelta(weeks=DEFAULT_METRICS_WEEKS, days=-1)


def _window_end(
    today: dt.date | None,
    newest_commit: dt.datetime | None,
    items: Sequence[ItemRecord],
    tags: Sequence[TagRecord],
) -> tuple[dt.date, str]:
    """The window's last day and, when it is not today, why (DESIGN.md §7: anchor and say so)."""
    if today is not None:
        return today, ""
    now = clock.today()
    moments = [newest_commit, *(t.at for t in tags)]
    for item in items:
        moments += [item.opened_at, item.done_at]
    days = [m.date() for m in moments if m is not None and m.date() <= now]
    if not days or max(days) >= now:
        return now, ""
    last = max(days)
    return last, (
        f"the data ends on {last}, {(now - last).days} days before today ({now}): the window "
        "ends there (pass --today to choose another last day)"
    )


def _product_id(session: Session, handle: OpenWorkspace) -> int:
    product_id = product_repo.find_id(session, handle.workspace.product)
    if product_id is None:  # opening a workspace creates its product, so only a race gets here
        raise NotFoundError(f"no product '{handle.workspace.product}' in this workspace")
    return product_id
