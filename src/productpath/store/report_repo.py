"""Report runs (what each generated report stated), the files background jobs generated, and the
counts a report cites as its basis."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from productpath.store.models import (
    Commit,
    Customer,
    FeedbackInsight,
    FeedbackItem,
    GeneratedReport,
    Initiative,
    Objective,
    ReportRun,
    Repository,
    Theme,
    TrackerItem,
)


@dataclass(frozen=True)
class PreviousRun:
    generated_at: dt.datetime
    facts: dict[str, Any]


@dataclass(frozen=True)
class Basis:
    """Counts and the newest timestamp of the data a report reads."""

    initiatives: int
    feedback: int
    repositories: int
    commits: int
    tracker_items: int
    newest: dt.datetime | None


def latest_run(
    session: Session, product_id: int, kind: str, *, before: dt.datetime | None = None
) -> PreviousRun | None:
    """The newest stored run of ``kind`` (generated before ``before`` when given)."""
    stmt = select(ReportRun).where(ReportRun.product_id == product_id, ReportRun.kind == kind)
    if before is not None:
        stmt = stmt.where(ReportRun.generated_at < before)
    row = session.scalars(
        stmt.order_by(ReportRun.generated_at.desc(), ReportRun.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    try:
        facts = json.loads(row.facts or "{}")
    except ValueError:  # a hand-edited row: compare with nothing rather than fail
        facts = {}
    at = row.generated_at if row.generated_at.tzinfo else row.generated_at.replace(tzinfo=dt.UTC)
    return PreviousRun(at, facts if isinstance(facts, dict) else {})


def save_run(
    session: Session,
    product_id: int,
    kind: str,
    facts: Mapping[str, Any],
    *,
    data_as_of: dt.datetime | None,
    generated_at: dt.datetime | None = None,
) -> ReportRun:
    run = ReportRun(
        product_id=product_id,
        kind=kind,
        data_as_of=data_as_of,
        facts=json.dumps(facts, sort_keys=True, default=str),
    )
    if generated_at is not None:
        run.generated_at = generated_at
    session.add(run)
    session.flush()
    return run


def save_file(
    session: Session,
    product_id: int,
    job_id: int | None,
    *,
    kind: str,
    fmt: str,
    title: str,
    filename: str,
    media_type: str,
    content: bytes,
) -> GeneratedReport:
    """Keep a generated report file; a job's earlier file (a retried job) is replaced."""
    if job_id is not None:
        old = session.scalar(select(GeneratedReport).where(GeneratedReport.job_id == job_id))
        if old is not None:
            session.delete(old)
            session.flush()
    row = GeneratedReport(
        product_id=product_id,
        job_id=job_id,
        kind=kind,
        format=fmt,
        title=title,
        filename=filename,
        media_type=media_type,
        content=content,
    )
    session.add(row)
    session.flush()
    return row


def file_of_job(session: Session, product_id: int, job_id: int) -> GeneratedReport | None:
    """The report file job ``job_id`` of this product generated, if it has."""
    return session.scalar(
        select(GeneratedReport).where(
            GeneratedReport.product_id == product_id, GeneratedReport.job_id == job_id
        )
    )


def basis(session: Session, product_id: int) -> Basis:
    """A handful of aggregate queries, whatever the data size."""
    initiatives = session.scalar(
        select(func.count(Initiative.id)).where(
            Initiative.product_id == product_id, Initiative.status != "archived"
        )
    )
    feedback_count, feedback_newest = session.execute(
        select(
            func.count(FeedbackItem.id),
            func.max(func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)),
        ).where(FeedbackItem.product_id == product_id)
    ).one()
    repositories, commits, commit_newest = session.execute(
        select(
            func.count(func.distinct(Repository.id)),
            func.count(Commit.id),
            func.max(Commit.committed_at),
        )
        .select_from(Repository)
        .outerjoin(Commit, Commit.repository_id == Repository.id)
        .where(Repository.product_id == product_id)
    ).one()
    items, item_newest = session.execute(
        select(
            func.count(TrackerItem.id),
            func.max(func.coalesce(TrackerItem.resolved_at, TrackerItem.opened_at)),
        ).where(TrackerItem.product_id == product_id)
    ).one()
    stamps = [_aware(t) for t in (feedback_newest, commit_newest, item_newest) if t is not None]
    return Basis(
        initiatives=initiatives or 0,
        feedback=feedback_count or 0,
        repositories=repositories or 0,
        commits=commits or 0,
        tracker_items=items or 0,
        newest=max(stamps) if stamps else None,
    )


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class ThemeDay:
    """Analysed feedback of one theme (None: no theme) on one day, aggregated."""

    theme: int | None  # theme number
    day: dt.date
    count: int
    sentiment_sum: float
    sentiment_count: int
    source: str = ""


def theme_days(session: Session, product_id: int) -> list[ThemeDay]:
    """Per theme and day: items, and the sum and count of their sentiment scores. One grouped
    query, so a report reads a few thousand rows however much feedback there is."""
    said = func.coalesce(FeedbackItem.created_at, FeedbackItem.imported_at)
    day = func.date(said)
    stmt = (
        select(
            Theme.number,
            day,
            func.count(FeedbackItem.id),
            func.coalesce(func.sum(FeedbackInsight.sentiment), 0.0),
            func.count(FeedbackInsight.sentiment),
            FeedbackItem.source,
        )
        .join(FeedbackInsight, FeedbackInsight.feedback_id == FeedbackItem.id)
        .outerjoin(Theme, Theme.id == FeedbackInsight.theme_id)
        .where(FeedbackItem.product_id == product_id)
        .group_by(Theme.number, day, FeedbackItem.source)
    )
    out = []
    for number, when, count, total, scored, source in session.execute(stmt):
        if when is None:
            continue
        on = when if isinstance(when, dt.date) else dt.date.fromisoformat(str(when)[:10])
        out.append(ThemeDay(number, on, int(count), float(total or 0.0), int(scored), source))
    return out


def theme_customers(session: Session, product_id: int) -> dict[int, list[float | None]]:
    """Theme number -> the annual revenue of each distinct customer behind it."""
    stmt = (
        select(Theme.number, Customer.id, Customer.annual_revenue)
        .join(FeedbackInsight, FeedbackInsight.theme_id == Theme.id)
        .join(FeedbackItem, FeedbackItem.id == FeedbackInsight.feedback_id)
        .join(Customer, Customer.id == FeedbackItem.customer_id)
        .where(Theme.product_id == product_id)
        .group_by(Theme.number, Customer.id, Customer.annual_revenue)
    )
    out: dict[int, list[float | None]] = {}
    for number, _, revenue in session.execute(stmt):
        out.setdefault(number, []).append(revenue)
    return out


@dataclass(frozen=True)
class KeyResultRow:
    key: str
    title: str
    target: float | None
    unit: str | None


@dataclass(frozen=True)
class ObjectiveRow:
    key: str
    title: str
    key_results: tuple[KeyResultRow, ...]
    initiatives: int
    done: int


def objectives(session: Session, product_id: int) -> list[ObjectiveRow]:
    """Objectives in roadmap order with their key results and initiative counts."""
    rows = session.scalars(
        select(Objective)
        .where(Objective.product_id == product_id)
        .options(selectinload(Objective.key_results))
        .order_by(Objective.position, Objective.key)
    ).all()
    counts: dict[int, tuple[int, int]] = {}
    for objective_id, total, done in session.execute(
        select(
            Initiative.objective_id,
            func.count(Initiative.id),
            func.sum(case((Initiative.status == "done", 1), else_=0)),
        )
        .where(
            Initiative.product_id == product_id,
            Initiative.objective_id.is_not(None),
            Initiative.status != "archived",
        )
        .group_by(Initiative.objective_id)
    ):
        counts[objective_id] = (int(total), int(done or 0))
    return [
        ObjectiveRow(
            key=o.key,
            title=o.title,
            key_results=tuple(
                KeyResultRow(kr.key, kr.title, kr.target, kr.unit) for kr in o.key_results
            ),
            initiatives=counts.get(o.id, (0, 0))[0],
            done=counts.get(o.id, (0, 0))[1],
        )
        for o in rows
    ]
